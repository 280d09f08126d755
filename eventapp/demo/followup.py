"""The demo's follow-up logs: what participants raised at each played gathering (2024–2026) and
what the county did about it, with the answers mailed to all participants three weeks after.

Each county and year draws its own five to seven items from one pool, with its own tables and
due dates, so the logs read like separate gatherings rather than one copied many times."""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select

from eventapp.core.time import OSLO
from eventapp.extensions import db


@dataclass(frozen=True)
class Raised:
    kind: str
    raised: str
    raised_by: str | None  # "{table}" is filled in with a table number per county
    answer: str | None
    action: str | None
    owner: str
    status: str
    # Weeks after the gathering, from a month to most of a year, so that by the demo's autumn
    # some actions are past their date and some still ahead; only actions have one.
    due_weeks: int | None = None


# Every question has an answer, so the mail carries each of them; only one input is left
# without an action, so any two inputs drawn give the report at least one action.
QUESTIONS = (
    Raised("question", "Hvordan skal en andre veiledningssamtale finansieres når deltakeren "
           "har begynt i arbeid?", "Gruppearbeid dag 1",
           "Karrieresenteret dekker også den andre samtalen innenfor dagens avtale. Kommunen "
           "trenger ikke søke om egne midler.", None, "Karrieresenteret", "done"),
    Raised("question", "Kan deltakerne få veiledning med tolk på eget språk?", "Plenum",
           "Ja. Kommunen sier fra om tolkebehov når timen bestilles, så bestiller "
           "karrieresenteret tolk.", None, "Karrieresenteret", "done"),
    Raised("question", "Hvem sender kompetansekartleggingen til karriereveilederen før timen?",
           "Bord {table}",
           "Programrådgiveren i kommunen sender kartleggingen senest en uke før timen. Rutinen "
           "står i samarbeidsavtalen.", None, "Fylkeskommunen", "done"),
    Raised("question", "Kan de som har avsluttet introduksjonsprogrammet også få "
           "karriereveiledning?", "Bord {table}",
           "Ja. Karrieresenteret gir veiledning til alle over 19 år, også etter programmet. "
           "Kommunen kan henvise som før, eller deltakeren kan bestille selv.", None,
           "Karrieresenteret", "done"),
    Raised("question", "Hvordan kan NAV og kommunen dele opplysninger om en deltaker uten å "
           "bryte taushetsplikten?", "NAV",
           "Bare med deltakerens samtykke. Til da deler dere ingenting uten at deltakeren er "
           "med i samtalen.",
           "Felles samtykkeskjema for NAV, kommunene og karrieresenteret.", "NAV",
           "in_progress", 20),
    Raised("question", "Kan karriereveilederne komme ut til kommunene og møte deltakerne der?",
           "En liten kommune",
           "Ja, etter avtale. Hver kommune har en fast karriereveileder som kan komme på besøk "
           "en gang i halvåret.", None, "Karrieresenteret", "done"),
)
INPUTS = (
    Raised("input", "Kommunene ønsker en enkel måte å bestille veiledningstimer på.",
           "Flere kommuner", None,
           "Bookingsystem for veiledningstimer som kommunene selv kan bruke.",
           "Karrieresenteret", "in_progress", 30),
    Raised("input", "Faste møter mellom programrådgivere og karriereveiledere gjennom året.",
           "Gruppearbeid dag 2", None,
           "Digitale møter hver sjette uke; det første holdes innen en måned.",
           "Fylkeskommunen", "done", 5),
    Raised("input", "Informasjon om karriereveiledning på flere språk til deltakerne i "
           "programmet.", "Plenum", None,
           "Brosjyre på norsk, engelsk, ukrainsk, arabisk og tigrinja.", "Karrieresenteret",
           "in_progress", 26),
    Raised("input", "Mer tid til erfaringsdeling mellom kommunene på neste samling.",
           "Bord {table}", None,
           "Neste samling får en egen økt der kommunene deler erfaringer i grupper.",
           "Fylkeskommunen", "open", 44),
    Raised("input", "Kommunene vil ha en felles oversikt over praksisplasser for deltakerne.",
           "Gruppearbeid dag 1", None,
           "Kommunene i regionen lager en felles oversikt over praksisplasser og deler den "
           "med karrieresenteret.", "Kommunene i regionen", "in_progress", 36),
    Raised("input", "NAV bør være med når deltakerne planlegger arbeid etter programmet.",
           "NAV", None,
           "Trepartsmøter med deltaker, kommune og NAV før programmet slutter.", "NAV", "open",
           24),
    Raised("input", "Små kommuner langt fra karrieresenteret vil ha veiledning digitalt.",
           "En liten kommune", None, None, "Karrieresenteret", "open"),
)


def _seed(name: str, county_number: str, year: int) -> str:
    # 2026's seeds were made before the other years; they stay so its logs stay as they were.
    if year == 2026:
        return f"eventapp-demo-{name}-{county_number}"
    return f"eventapp-demo-{name}-{year}-{county_number}"


def draw(county_number: str, year: int = 2026) -> list[Raised]:
    """The county's items of the year: two or three questions and the rest inputs, five to
    seven in all, in the order they were raised; the same every run."""
    rng = random.Random(_seed("followup", county_number, year))
    questions = rng.sample(QUESTIONS, rng.randint(2, 3))
    inputs = rng.sample(INPUTS, rng.randint(5, 7) - len(questions))
    items = questions + inputs
    rng.shuffle(items)
    return items


def demo_follow_up(gathering, host) -> None:
    """The log, once, and the answers mailed; a gathering with a log is left as it is."""
    from eventapp.followup.models import FollowUpItem
    from eventapp.followup.services import ItemData, add_item, mail_answers

    if db.session.scalars(select(FollowUpItem.id)
                          .where(FollowUpItem.gathering_id == gathering.id)).first():
        return
    number, year = gathering.county.number, gathering.start_date.year
    rng = random.Random(_seed("followup-dates", number, year))
    raised = datetime.combine(gathering.end_date, time(16, 0), tzinfo=OSLO)
    items = []
    for row in draw(number, year):
        due_on = None
        if row.due_weeks is not None:
            due_on = gathering.end_date + timedelta(weeks=row.due_weeks + rng.randint(-1, 2))
        by = row.raised_by.format(table=rng.randint(1, 9)) if row.raised_by else None
        item = add_item(gathering, host, ItemData(
            kind=row.kind, raised=row.raised, raised_by=by, answer=row.answer,
            action=row.action, owner=row.owner, status=row.status, due_on=due_on))
        item.created_at = item.updated_at = raised
        items.append(item)
    mail_answers(gathering, host)
    mailed = raised + timedelta(days=21)
    for item in items:
        if item.mailed_at is not None:
            item.mailed_at = item.updated_at = mailed
    db.session.flush()
