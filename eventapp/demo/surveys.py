"""The demo's surveys: each played gathering's participants (2024–2026) answered the survey
after it.

The results page and the national comparison need real answers on first start, so every
played gathering gets a short programme, a survey opened on its last day and closed two weeks
later, answers from about half of those invited (as HK-dir saw) through their personal links
and a few through the QR code, and themes tagged on the free-text answers. The answers are
drawn from a seeded generator with a profile per county and year (how many agreed, how many
answered, what their municipality settles), so every run builds the same data; counties and
years differ enough for the comparison to show a range.

Answers come from the options each question has (``option_list``), never from a fixed list:
the template of a year is what HK-dir asked that year, and an option a year did not have
("Vet ikke", "Ingen") is simply not answered then.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from eventapp.core.time import OSLO
from eventapp.extensions import db

MAIN_ROOM = "Storsalen"

# A two-day programme in the shape DOMAIN.md describes: talks, experience sharing, group work.
PROGRAMME = (
    (1, "10:00", "10:20", "other", "Velkommen og mål for samlingen"),
    (1, "10:20", "11:05", "talk", "HK-dir: karriereveiledning i introduksjonsprogrammet"),
    (1, "11:05", "11:20", "break", "Pause"),
    (1, "11:20", "12:00", "talk", "Karrieresenteret og kommunene: hvem gjør hva?"),
    (1, "12:00", "12:45", "meal", "Lunsj"),
    (1, "12:45", "13:45", "group_work", "Gruppearbeid: samarbeidet slik det er i dag"),
    (1, "13:45", "14:25", "talk", "Forskning: hva virker i karriereveiledning for flyktninger?"),
    (1, "14:25", "15:05", "experience_sharing", "Erfaringsdeling fra en liten kommune"),
    (2, "09:00", "09:40", "talk", "Ukrainske flyktninger: bakgrunn og behov"),
    (2, "09:40", "10:25", "panel", "NAV, voksenopplæringen og karrieresenteret i samtale"),
    (2, "10:25", "10:40", "break", "Pause"),
    (2, "10:40", "11:40", "group_work", "Gruppearbeid: neste steg i vår region"),
    (2, "11:40", "12:10", "plenary_discussion", "Oppsummering og spørsmål i plenum"),
)
# How often each content item is ticked as most useful (same order as the content items).
USEFULNESS = (1, 4, 6, 7, 6, 9, 5, 5, 6, 2)

# Free texts per question, each with the themes a reader would tag it with.
TEXTS = {
    "useful_why": (
        ("Konkrete eksempler fra en kommune på vår størrelse. Det kan vi ta i bruk med en gang.",
         ("Erfaringsdeling",)),
        ("Fikk endelig forstått hvem som gjør hva mellom programrådgiver og karriereveileder.",
         ("Roller og ansvar",)),
        ("Forskningen satte ord på det vi har merket i praksis.", ("Forskning",)),
        ("Nyttig å høre hva NAV og voksenopplæringen faktisk tilbyr, og hvem jeg ringer.",
         ("Tilbud og tiltak",)),
        ("Innlegget om ukrainske flyktninger ga meg mye ny kunnskap.",
         ("Ukrainske flyktninger",)),
        ("Gruppearbeidet ga tid til å snakke med kommunene rundt oss.", ("Nettverk",)),
        ("Rollene ble tydelige, og jeg vet nå hvem jeg skal kontakte på karrieresenteret.",
         ("Roller og ansvar", "Nettverk")),
    ),
    "mix": (
        ("God balanse. Innleggene ga grunnlag for diskusjonene ved bordet.", ("God balanse",)),
        ("Litt for mange innlegg dag 1, vi ville hatt mer tid i grupper.",
         ("Mer gruppearbeid",)),
        ("Gruppene fungerte best når vi fikk en konkret oppgave.", ("Konkrete oppgaver",)),
        ("Diskusjonene ble for korte, vi var akkurat i gang da tiden var ute.",
         ("Mer gruppearbeid",)),
        ("Fint med spørsmålsrunde etter innleggene.", ("God balanse",)),
    ),
    "tables": (
        ("Bra at det satt en karriereveileder ved hvert bord.", ("Karriereveileder ved bordet",)),
        ("Godt å møte nye folk i hver runde.", ("Nye ansikter",)),
        ("Vi ville gjerne sittet med vår egen karriereveileder én runde.",
         ("Regionale bord",)),
        ("For mange fra fylkeskommunen ved vårt bord.", ("Sammensetning",)),
        ("Blandingen av små og store kommuner ga gode samtaler.", ("Sammensetning",)),
        ("Jeg fikk mer ut av å snakke med de små kommunene enn jeg trodde.", ("Nye ansikter",)),
    ),
    "more_useful": (
        ("Et fast system for å bestille veiledningstimer hos karrieresenteret.",
         ("Bookingsystem",)),
        ("Mer tid til gruppearbeid og mindre tid til innlegg.", ("Mer gruppearbeid",)),
        ("En oppfølgingssamling eller digitale møter gjennom året.", ("Oppfølging",)),
        ("Informasjonsmateriell vi kan dele ut til deltakerne i programmet.",
         ("Informasjonsmateriell",)),
        ("Mer om hvordan vi følger opp etter den første veiledningssamtalen.",
         ("Oppfølging",)),
        ("Flere eksempler fra små kommuner.", ("Erfaringsdeling",)),
        ("Faste kontaktpersoner og en enkel måte å booke timer på.",
         ("Bookingsystem", "Roller og ansvar")),
    ),
    "comments": (
        ("Takk for et godt arrangement!", ("Ros",)),
        ("Reisestøtten gjorde det mulig for oss å komme.", ("Reisestøtte",)),
        ("Vi trenger svar på hvordan en andre veiledningssamtale skal finansieres.",
         ("Spørsmål til fylket",)),
        ("Fint sted og god mat.", ("Ros",)),
        ("Kunne vært på et sted med kortere reisevei for oss som bor langt unna.",
         ("Sted og reise",)),
    ),
}
# Said after a free text now and then, so answers read as written by different people.
ADDED = (
    "Det var nyttig å høre hvordan andre gjør det.",
    "Dette tar vi med oss tilbake til kommunen.",
    "Gjerne mer av dette neste år.",
    "Særlig for oss som er nye i rollen.",
    "Det sier kollegaene mine også.",
    "Takk til arrangørene.",
    "Vi har snakket om dette i kommunen i lang tid.",
)
# Of those who answer, how many write something to each text question.
WRITES = {"useful_why": 0.6, "mix": 0.45, "tables": 0.45, "more_useful": 0.5, "comments": 0.3}
# What municipal staff say their municipality settles (ordinary, Ukrainian, both).
SETTLES = (("ordinary", 2), ("ukrainian", 2), ("both", 6))
# The agreement scale's values in the order a profile weighs them.
SCALE = ("helt_enig", "delvis_enig", "noytral", "delvis_uenig", "helt_uenig", "vet_ikke")


@dataclass(frozen=True)
class Profile:
    answered: float  # share of those invited who answered by their personal link
    agreement: tuple  # weights: helt enig, delvis enig, nøytral, delvis uenig, helt uenig, vet ikke
    qr: int  # answers through the QR code in the closing session
    settles: tuple = SETTLES  # weights of what municipal staff say their municipality settles


# 2026's profiles per county; the earlier years' per (year, county) below.
PROFILES = {
    "46": Profile(0.55, (40, 35, 12, 5, 2, 6), 4),
    "11": Profile(0.6, (48, 32, 10, 4, 1, 5), 3),
    "42": Profile(0.5, (28, 34, 20, 9, 3, 6), 5),
    "50": Profile(0.5, (36, 38, 14, 6, 1, 5), 2),
    "18": Profile(0.5, (22, 36, 22, 11, 4, 5), 6),
    "34": Profile(0.52, (34, 40, 14, 5, 2, 5), 3),
}
# Before 2026 the scale had no "Vet ikke" (its weight is there for a template that has it);
# the answers spread over all five points, and the settling shares differ by county.
EARLIER_PROFILES = {
    (2024, "11"): Profile(0.55, (30, 38, 18, 9, 5, 0), 3, (("ordinary", 3), ("ukrainian", 3),
                                                          ("both", 5))),
    (2024, "50"): Profile(0.48, (26, 34, 22, 12, 6, 0), 4, (("ordinary", 2), ("ukrainian", 4),
                                                          ("both", 4))),
    (2024, "15"): Profile(0.6, (18, 30, 26, 16, 10, 0), 2, (("ordinary", 1), ("ukrainian", 6),
                                                          ("both", 3))),
    (2024, "55"): Profile(0.5, (14, 26, 30, 18, 12, 0), 3, (("ordinary", 2), ("ukrainian", 5),
                                                          ("both", 3))),
    (2025, "46"): Profile(0.52, (38, 34, 14, 8, 6, 0), 4, (("ordinary", 2), ("ukrainian", 2),
                                                         ("both", 7))),
    (2025, "11"): Profile(0.58, (42, 32, 12, 8, 6, 0), 3, (("ordinary", 3), ("ukrainian", 2),
                                                         ("both", 6))),
    (2025, "42"): Profile(0.5, (24, 30, 24, 14, 8, 0), 5, (("ordinary", 4), ("ukrainian", 2),
                                                         ("both", 4))),
    (2025, "32"): Profile(0.45, (20, 36, 22, 14, 8, 0), 2, (("ordinary", 5), ("ukrainian", 1),
                                                         ("both", 4))),
    (2025, "40"): Profile(0.55, (32, 36, 18, 10, 4, 0), 3, (("ordinary", 1), ("ukrainian", 5),
                                                         ("both", 4))),
}


def profile_for(year: int, county: str) -> Profile:
    """The county's profile of the year; one the demo does not play (the scaled data set,
    ``scaled``) gets one drawn from a generator seeded by the year and county."""
    known = PROFILES.get(county) if year == 2026 else EARLIER_PROFILES.get((year, county))
    if known is not None:
        return known
    rng = random.Random(f"eventapp-demo-profile-{year}-{county}")
    agree = rng.randint(15, 45)
    return Profile(round(rng.uniform(0.45, 0.6), 2),
                   (agree, rng.randint(28, 38), rng.randint(10, 24), rng.randint(4, 14),
                    rng.randint(1, 8), 5 if year == 2026 else 0), rng.randint(2, 6))


UKRAINE_TALK = "Ukrainske flyktninger: bakgrunn og behov"


def demo_programme(gathering, host, instead_of_ukraine: str | None = None) -> None:
    """The programme, once: a gathering that has any item is left as it is. Most gatherings
    held the talk on Ukrainian refugees; ``instead_of_ukraine`` is another talk in its slot."""
    from eventapp.gatherings.services import ItemData, add_item

    if gathering.items:
        return
    for day, start, end, kind, title in PROGRAMME:
        if title == UKRAINE_TALK and instead_of_ukraine:
            title = instead_of_ukraine
        add_item(gathering, host, ItemData(
            day=day, start=time.fromisoformat(start), end=time.fromisoformat(end), kind=kind,
            title=title, room=MAIN_ROOM))
    db.session.refresh(gathering)


def demo_survey(gathering, host, county: str) -> None:
    """Open the survey on the gathering's last day, collect answers over the following days,
    close it two weeks on, and tag the free texts. Once: a gathering with a survey is left."""
    from eventapp.surveys import services

    if services.find_survey(gathering) is not None:
        return
    profile = profile_for(gathering.start_date.year, county)
    rng = random.Random(f"eventapp-demo-survey-{gathering.start_date.year}-{county}")
    end = gathering.end_date
    survey = services.survey_for(gathering, host)
    services.open_survey(survey, host, on=end, closes_on=end + timedelta(days=14))
    questions = {q.code: q for q in survey.questions}
    # The invitations went out by mail on the last day; the demo keeps no copy of those mails
    # (the outbox drops a survey link once it is sent), only the links to answer with here.
    tokens = services.invite(survey, host)
    sent = datetime.combine(end, time(15, 30), tzinfo=OSLO)
    for invitation in services.unanswered(survey):
        invitation.sent_at = sent
    registrations = {r.id: r for r in services.invitees(gathering)}
    invited = sorted(tokens.items())
    # The QR code in the closing session first, then the links over the following days. The
    # figures count responses five at a time, so the last few links' answers wait unshown.
    for _ in range(profile.qr):
        group = rng.choice(("municipal", "municipal", "county", "partner"))
        services.submit(survey.qr_token, _answers(rng, questions, profile, group), group, on=end)
    chosen = sorted(rng.sample(invited, round(profile.answered * len(invited))))
    for registration_id, token in chosen:
        group = services.group_of(registrations[registration_id])
        services.submit(token, _answers(rng, questions, profile, group),
                        on=end + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 6))))
    _close(survey, host, end + timedelta(days=14))
    _tag(survey, host)


def _answers(rng: random.Random, questions: dict, profile: Profile, group: str | None) -> dict:
    """One respondent's answers to the questions the survey has, by code, from the options each
    has. The draws come in one order (items, agreement, texts, settles), so a template with the
    same questions gets the same answers every run."""
    from eventapp.surveys.services.options import SETTLES_CODE

    answers = {}
    by_kind = sorted(questions.values(), key=lambda q: (q.position, q.id))
    for items in (q for q in by_kind if q.kind == "programme_items"):
        values = items.values
        if not values:
            continue
        weights = USEFULNESS[:len(values)] + (3,) * max(0, len(values) - len(USEFULNESS))
        ticked = {rng.choices(values, weights=weights)[0]
                  for _ in range(rng.choice((1, 2, 2, 3, 4)))}
        answers[str(items.id)] = sorted(ticked, key=values.index)
    for scale in (q for q in by_kind if q.kind == "agreement"):
        values = scale.values
        weights = [_weight(profile.agreement, v) for v in values]
        if sum(weights):
            answers[str(scale.id)] = rng.choices(values, weights)[0]
    for code, share in WRITES.items():
        question = questions.get(code)
        if question is not None and rng.random() < share:
            text = rng.choice(TEXTS[code])[0]
            if rng.random() < 0.6:
                text = f"{text} {rng.choice(ADDED)}"
            answers[str(question.id)] = text
    settles = questions.get(SETTLES_CODE)
    if settles is not None:
        values = settles.values
        offered = [(v, w) for v, w in profile.settles if v in values]
        if group == "municipal" and offered:
            answers[str(settles.id)] = rng.choices([v for v, _ in offered],
                                                   [w for _, w in offered])[0]
        elif group != "municipal" and "none" in values and rng.random() < 0.7:
            # Only a template with "none" lets those outside a municipality say so; in a
            # year without it they leave the question blank.
            answers[str(settles.id)] = "none"
    return answers


def _weight(weights: tuple, value: str) -> int:
    """The profile's weight of a point on the scale; a point it does not know gets little."""
    return weights[SCALE.index(value)] if value in SCALE else 1


def _close(survey, host, day) -> None:
    from eventapp.surveys import services

    services.close_survey(survey, host)
    survey.closes_on = day


def _tag(survey, host) -> None:
    """The host read the free texts and grouped them by theme."""
    from sqlalchemy import select

    from eventapp.reporting.services import create_theme, tag
    from eventapp.surveys.models import SurveyAnswer, SurveyQuestion, SurveyResponse

    said = [(text, themes) for pool in TEXTS.values() for text, themes in pool]
    themes = {}
    # The texts the results show: the last few responses wait for others and are never shown.
    answers = db.session.scalars(
        select(SurveyAnswer).join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyQuestion.survey_id == survey.id, SurveyAnswer.text.is_not(None),
               SurveyResponse.state != "pending")
        .order_by(SurveyAnswer.id)).all()
    for answer in answers:
        for name in next((t for text, t in said if answer.text.startswith(text)), ()):
            if name not in themes:
                themes[name] = create_theme(survey, host, name)
            tag(answer, themes[name], host)
