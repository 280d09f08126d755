"""The demo's grant years: six counties' gatherings of 2026 (and those of 2024 and 2025, see
``earlier``), held, accounted and reported, and the current Vestland gathering's application.

The directorate's national pages need real rows on first start, so the years before the demo's
Vestland 2027 gathering are played through with the real services: the host registers people,
checks them in day by day, applies; the directorate grants (Rogaland 2026 less than applied,
with a reason); the host books the budget, links travel support to those who asked, reports; the
directorate approves (in 2026 Vestland, Rogaland, Agder, Innlandet), sends one back (Nordland)
or has one waiting (Trøndelag). Each year has its own grant rules (``RULES``). Personal data is
deleted where the year's months have passed, Vestland 2026's among them. The 2026 figures are
chosen so each settlement shows something: Rogaland is the issue's example (58 attended,
250 000 granted, 210 000 spent, 40 000 to repay), Agder overspends its grant, the others repay
what attendance or spending did not use.

People are made up from a seeded random generator, so every run builds the same data. The
timestamps are moved back to when things would have happened (services stamp "now"). Safe to
run again: a county whose gathering of a year exists is left as it is.
"""

import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from eventapp.core.time import OSLO
from eventapp.demo.accounts import DEMO_PASSWORD
from eventapp.demo.earlier import PLANS_2024, PLANS_2025
from eventapp.demo.followup import demo_follow_up
from eventapp.demo.invitations import DEMO_CONTACTS, DEMO_REGISTRATIONS
from eventapp.demo.partners import county_partners, picks
from eventapp.demo.plans import Line, Plan
from eventapp.demo.surveys import demo_programme, demo_survey
from eventapp.extensions import db

YEAR = 2026
TITLE = "Samling om karriereveiledning for flyktninger, {county} {year}"
# The directorate's rules of each year, set once: 2024 counted only those who came every day at
# a lower rate and kept personal data a year; 2025 counted anyone who came, speakers too.
RULES = {
    2024: {"rate_nok": 3500, "attendance": "all_days", "include_speakers": False,
           "purge_after_months": 12},
    2025: {"rate_nok": 3800, "attendance": "any_day", "include_speakers": True,
           "purge_after_months": 6},
    2026: {"rate_nok": 4000, "attendance": "any_day", "include_speakers": False,
           "purge_after_months": 6},
}


PLANS = (
    Plan(
        county="46", host_email=None, host_name="", start=date(2026, 3, 11),
        venue="Scandic Sunnfjord, Førde", participants=62, county_staff=9, partners=6,
        speakers=3, no_shows=3, raised_caps={"4601": 4}, municipalities=30,
        travel_from=("4636", "4602", "4649", "4651", "4640"),
        planned=70, applied=280_000, granted=280_000,
        decision_comment="Innvilget som søkt.",
        lines=(
            Line("venue", "Konferansesal og grupperom, to dager", 55_000, 52_000),
            Line("meals", "Lunsj og pauseservering, to dager", 70_000, 63_900),
            Line("social_dinner", "Middag med kulturelt innslag", 55_000, 49_800,
                 "Musikk ved elever fra Sunnfjord kulturskule."),
            Line("accommodation", "Overnatting for deltakere med lang reisevei", 50_000, 41_300),
            Line("speakers", "Honorar og reise for foredragsholdere", 25_000, 17_600),
            Line("travel_support", "Reisestøtte til kommuner i Sogn og Nordfjord", 15_000,
                 12_400),
            Line("materials", "Program og navneskilt", 6_000, 3_200),
            Line("other", "Tolk dag 2", 4_000, 1_300),
        ),
        follow_up=(
            "Nye samarbeidsrutiner mellom Karriere Vestland og flyktningetjenestene, med fast "
            "kontaktperson i hver kommune.\n"
            "Bookingsystem for veiledningstimer, tatt i bruk fra august.\n"
            "Regelmessige digitale møter for programrådgivere og karriereveiledere hver sjette "
            "uke.\n"
            "Spørsmål vi ikke rakk på samlingen er besvart skriftlig til alle deltakerne."),
        remarks="Kommunene i Sogn og Nordfjord kom fordi fylket dekket reisen.",
        report="approved", purged=True, submitted_after=28, decided_after=62,
    ),
    Plan(
        county="11", host_email="vert.rogaland@demo.eventapp.no", host_name="Ingvild Tjelta",
        start=date(2026, 3, 25), venue="Clarion Hotel Energy, Stavanger", participants=58,
        county_staff=10, partners=6, speakers=2, no_shows=2, municipalities=19,
        raised_caps={"1103": 5, "1108": 4, "1124": 3, "1149": 3, "1106": 3},
        travel_from=("1111", "1133", "1134", "1144"),
        planned=65, applied=260_000, granted=250_000,
        decision_comment=("Innvilget 250 000 kr av 260 000 kr søkt. Posten for overnatting er "
                          "redusert: de fleste kommunene ligger i dagpendleravstand til Stavanger."),
        lines=(
            Line("venue", "Konferansesal og grupperom, to dager", 48_000, 45_500),
            Line("meals", "Lunsj og pauseservering, to dager", 62_000, 55_800),
            Line("social_dinner", "Middag med kulturelt innslag", 52_000, 47_200,
                 "Ukrainsk kor og lokal mat."),
            Line("accommodation", "Overnatting for deltakere med lang reisevei", 42_000, 30_600),
            Line("speakers", "Honorar og reise for foredragsholdere", 30_000, 18_900),
            Line("travel_support", "Reisestøtte til kommuner i Ryfylke og Dalane", 16_000, 9_400),
            Line("materials", "Program, navneskilt og informasjonsmateriell", 10_000, 2_600),
        ),
        follow_up=(
            "Felles rutine for kompetansekartlegging før veiledningstimen, med mal for "
            "veilederens notat tilbake til kommunen.\n"
            "Alle deltakere i introduksjonsprogrammet tilbys en andre veiledningstime etter ett "
            "år.\n"
            "Informasjonsmateriell om karriereveiledning på fem språk, sendt til alle "
            "flyktningetjenestene."),
        remarks=None, report="approved", submitted_after=21, decided_after=45,
    ),
    Plan(
        county="42", host_email="vert.agder@demo.eventapp.no", host_name="Tone Kristiansen",
        start=date(2026, 4, 15), venue="Scandic Bystranda, Kristiansand", participants=44,
        county_staff=8, partners=5, speakers=2, no_shows=2, raised_caps={"4204": 4}, municipalities=18,
        travel_from=("4220", "4221", "4222"),
        planned=45, applied=180_000, granted=180_000, decision_comment="Innvilget som søkt.",
        lines=(
            Line("venue", "Konferansesal og grupperom, to dager", 35_000, 38_500),
            Line("meals", "Lunsj og pauseservering, to dager", 45_000, 52_800),
            Line("social_dinner", "Middag med kulturelt innslag", 38_000, 46_000,
                 "Flere enn ventet ble med på middagen."),
            Line("accommodation", "Overnatting", 30_000, 34_200),
            Line("speakers", "Honorar og reise for foredragsholdere", 20_000, 19_500),
            Line("travel_support", "Reisestøtte til kommuner i Setesdal", 7_000, 9_800),
            Line("materials", "Program og navneskilt", 5_000, 4_500),
        ),
        follow_up=(
            "Bookingsystem der programrådgiverne bestiller veiledningstimer direkte hos "
            "karrieresenteret.\n"
            "Regelmessige digitale møter mellom karrieresenteret og flyktningetjenestene hver "
            "måned.\n"
            "Regionale samarbeidsmøter i Setesdal og Lister til høsten."),
        remarks="Merforbruket dekkes av fylkeskommunens eget budsjett.",
        report="approved", submitted_after=25, decided_after=40,
    ),
    Plan(
        county="50", host_email="vert.trondelag@demo.eventapp.no", host_name="Marte Lien",
        start=date(2026, 4, 22), venue="Scandic Lerkendal, Trondheim", participants=71,
        county_staff=10, partners=6, speakers=3, no_shows=3, raised_caps={"5001": 5, "5035": 3},
        municipalities=30,
        travel_from=("5007", "5049", "5052", "5053", "5054"),
        planned=75, applied=300_000, granted=300_000, decision_comment=None,
        lines=(
            Line("venue", "Konferansesal og grupperom, to dager", 60_000, 61_500),
            Line("meals", "Lunsj og pauseservering, to dager", 80_000, 76_400),
            Line("social_dinner", "Middag med kulturelt innslag", 60_000, 58_900),
            Line("accommodation", "Overnatting for deltakere med lang reisevei", 55_000, 52_700),
            Line("speakers", "Honorar og reise for foredragsholdere", 25_000, 21_000),
            Line("travel_support", "Reisestøtte til kommuner i Namdalen og på kysten", 12_000,
                 10_500),
            Line("materials", "Program og informasjonsmateriell", 8_000, 5_000),
        ),
        follow_up=(
            "En andre veiledningstime for deltakere som har startet utdanning eller arbeid.\n"
            "Nye samarbeidsrutiner for overgangen fra kartlegging til veiledning, prøvd ut i "
            "seks kommuner.\n"
            "Digitale fagmøter for karriereveiledere og programrådgivere annenhver måned."),
        remarks=None, report="submitted", submitted_after=190,
    ),
    Plan(
        county="18", host_email="vert.nordland@demo.eventapp.no", host_name="Sigrid Pedersen",
        start=date(2026, 5, 6), venue="Scandic Havet, Bodø", participants=46, county_staff=8,
        partners=5, speakers=2, no_shows=4, raised_caps={"1804": 3}, municipalities=24,
        travel_from=("1860", "1865", "1866", "1870", "1820", "1824", "1833", "1856"),
        planned=50, applied=200_000, granted=200_000, decision_comment="Innvilget som søkt.",
        lines=(
            Line("venue", "Konferansesal og grupperom, to dager", 30_000, 28_000),
            Line("meals", "Lunsj og pauseservering, to dager", 45_000, 41_200),
            Line("social_dinner", "Middag med kulturelt innslag", 35_000, 33_800),
            Line("accommodation", "Overnatting, to netter for dem som kom med båt", 45_000,
                 44_600),
            Line("speakers", "Honorar og reise for foredragsholdere", 15_000, 11_900),
            Line("travel_support", "Reisestøtte til kommuner i Lofoten, Vesterålen og på "
                 "Helgeland", 30_000, 29_500),
        ),
        follow_up=(
            "Digitale veiledningstimer for kommuner langt fra karrieresenteret.\n"
            "Regelmessige digitale møter med flyktningetjenestene."),
        remarks="Fire meldte avbud på grunn av innstilte fly.",
        report="returned",
        review_comment=("Takk for rapporten. Oppfølgingstiltakene mangler hvem som har ansvaret og "
                        "når de skal være på plass. Legg inn det og send rapporten på nytt."),
        submitted_after=120, decided_after=150,
    ),
    Plan(
        county="34", host_email="vert.innlandet@demo.eventapp.no", host_name="Kari Bakken",
        start=date(2026, 9, 23), venue="Scandic Hamar", participants=34, county_staff=7,
        partners=4, speakers=2, no_shows=2, raised_caps={"3403": 3}, municipalities=16,
        travel_from=("3431", "3433", "3434"),
        planned=40, applied=160_000, granted=160_000, decision_comment="Innvilget som søkt.",
        lines=(
            Line("venue", "Konferansesal og grupperom, to dager", 30_000, 29_000),
            Line("meals", "Lunsj og pauseservering, to dager", 40_000, 36_800),
            Line("social_dinner", "Middag med kulturelt innslag", 30_000, 31_400),
            Line("accommodation", "Overnatting", 30_000, 27_300),
            Line("speakers", "Honorar og reise for foredragsholdere", 18_000, 14_500),
            Line("travel_support", "Reisestøtte til kommuner i Nord-Gudbrandsdalen", 8_000,
                 6_000),
            Line("materials", "Informasjonsmateriell om veiledningstilbudet", 4_000, 3_000),
        ),
        follow_up=(
            "Informasjonsmateriell om karriereveiledning til programrådgiverne, på norsk, "
            "ukrainsk, arabisk og tigrinja.\n"
            "Bookingsystem for veiledningstimer fra januar.\n"
            "En andre veiledningstime for alle som ønsker det."),
        remarks=None, report="approved", submitted_after=20, decided_after=45,
    ),
)
PLANS_BY_YEAR = {2024: PLANS_2024, 2025: PLANS_2025, YEAR: PLANS}
# 2026 is played first: its people were drawn before the other years existed, and the other
# years' people then avoid their addresses (a purge removes mail by address).
PLAY_ORDER = PLANS + PLANS_2025 + PLANS_2024

# The current gathering's application (Vestland 2027): awaiting the directorate's decision.
CURRENT_PLANNED = 80
CURRENT_APPLIED = 320_000
CURRENT_LINES = (
    Line("venue", "Konferansesal og grupperom, Scandic Ørnen, to dager", 0, 0),
    Line("meals", "Lunsj og pauseservering, to dager", 0, 0),
    Line("social_dinner", "Middag med kulturelt innslag", 0, 0),
    Line("accommodation", "Overnatting for deltakere med lang reisevei", 0, 0),
    Line("speakers", "Honorar og reise for foredragsholdere", 0, 0),
    Line("travel_support", "Reisestøtte til kommuner i Sogn og Nordfjord", 0, 0),
    Line("materials", "Program, navneskilt og informasjonsmateriell", 0, 0),
)
CURRENT_PLANNED_NOK = (68_000, 84_000, 62_000, 56_000, 25_000, 18_000, 7_000)

FEMALE = ("Anne", "Ingrid", "Kari", "Marit", "Silje", "Hilde", "Ragnhild", "Tone", "Liv", "Guro",
          "Solveig", "Kristin", "Ida", "Maria", "Nora", "Eli", "Sunniva", "Heidi", "Astrid",
          "Camilla", "Hanne", "Mette", "Synnøve", "Torunn", "Åse", "Marianne", "Ane", "Berit",
          "Oksana", "Amina", "Fatima", "Hawa", "Olena", "Nasra", "Leyla", "Saba")
MALE = ("Ole", "Lars", "Knut", "Per", "Jon", "Eirik", "Tor", "Arne", "Geir", "Magnus", "Sindre",
        "Øyvind", "Håkon", "Bjørn", "Terje", "Rune", "Stian", "Anders", "Even", "Trond", "Jørn",
        "Yusuf", "Ahmad", "Mohammed", "Dawit", "Andrii", "Samir", "Omar", "Abdi", "Tesfay")
SURNAMES = ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
            "Kristiansen", "Berg", "Haugen", "Hagen", "Johannessen", "Bakke", "Lie", "Moen",
            "Dahl", "Strand", "Solberg", "Eide", "Lunde", "Aasen", "Vik", "Nygård", "Myhre",
            "Haugland", "Sæther", "Rønning", "Brekke", "Tveit", "Husby", "Fjeld", "Hovland",
            "Ahmadi", "Hassan", "Mohamed", "Melnyk", "Kovalenko", "Tesfamariam", "Ali",
            "Abdullahi", "Haile", "Shevchenko")
DIETS = ("Glutenfri", "Vegetar", "Laktosefri", "Halal", "Nøtteallergi", "Vegetar", "Glutenfri")
# Partners in the county's integration work, by county, in the order they send people.
PARTNERS = {
    "46": ("NAV Vestland", "IMDi Vest", "Statsforvalteren i Vestland", "Bergen voksenopplæring",
           "Tolketjenesten Vest", "NAV Sunnfjord"),
    "11": ("NAV Rogaland", "IMDi Vest", "Statsforvalteren i Rogaland",
           "Johannes læringssenter", "NAV Stavanger", "Tolketjenesten Sør-Rogaland"),
    "42": ("NAV Agder", "IMDi Sør", "Statsforvalteren i Agder",
           "Kristiansand voksenopplæring", "NAV Kristiansand"),
    "50": ("NAV Trøndelag", "IMDi Midt-Norge", "Statsforvalteren i Trøndelag",
           "Trondheim voksenopplæring", "NAV Trondheim", "Tolketjenesten Midt"),
    "18": ("NAV Nordland", "IMDi Nord", "Statsforvalteren i Nordland", "Bodø voksenopplæring",
           "NAV Salten"),
    "34": ("NAV Innlandet", "IMDi Indre Østland", "Statsforvalteren i Innlandet",
           "Hamar voksenopplæring"),
    "15": ("NAV Møre og Romsdal", "IMDi Midt-Norge", "Statsforvalteren i Møre og Romsdal",
           "Molde voksenopplæringssenter", "Frivilligsentralen i Molde"),
    "55": ("NAV Troms", "IMDi Nord", "Statsforvalteren i Troms og Finnmark",
           "Tromsø voksenopplæring", "Tolketjenesten Nord"),
    "32": ("NAV Akershus", "IMDi Øst", "Statsforvalteren i Oslo og Viken",
           "Bærum voksenopplæring", "Røde Kors Romerike"),
    "40": ("NAV Vestfold og Telemark", "IMDi Sør", "Statsforvalteren i Vestfold og Telemark",
           "Skien voksenopplæring"),
    # The counties the demo does not play; the scaled data set (``scaled``) plays them too.
    "03": ("NAV Oslo", "IMDi Øst", "Statsforvalteren i Oslo og Viken", "Oslo voksenopplæring",
           "Tolketjenesten Oslo", "Røde Kors Oslo"),
    "31": ("NAV Østfold", "IMDi Øst", "Statsforvalteren i Oslo og Viken",
           "Fredrikstad voksenopplæring", "Frivilligsentralen i Sarpsborg"),
    "33": ("NAV Buskerud", "IMDi Øst", "Statsforvalteren i Oslo og Viken",
           "Drammen voksenopplæring", "NAV Drammen"),
    "39": ("NAV Vestfold", "IMDi Sør", "Statsforvalteren i Vestfold og Telemark",
           "Tønsberg voksenopplæring"),
    "56": ("NAV Finnmark", "IMDi Nord", "Statsforvalteren i Troms og Finnmark",
           "Alta voksenopplæring", "Tolketjenesten Nord"),
}
SPEAKERS = {
    "46": ("HK-dir", "NORCE", "Brukerrepresentant med flyktningbakgrunn"),
    "11": ("HK-dir", "Universitetet i Stavanger"),
    "42": ("HK-dir", "Universitetet i Agder"),
    "50": ("HK-dir", "NTNU", "Brukerrepresentant med flyktningbakgrunn"),
    "18": ("HK-dir", "Nord universitet"),
    "34": ("HK-dir", "Høgskolen i Innlandet"),
    "15": ("HK-dir", "Høgskolen i Molde"),
    "55": ("HK-dir", "UiT Norges arktiske universitet"),
    "32": ("HK-dir", "OsloMet"),
    "40": ("HK-dir", "Universitetet i Sørøst-Norge"),
    "03": ("HK-dir", "OsloMet", "Brukerrepresentant med flyktningbakgrunn"),
    "31": ("HK-dir", "Høgskolen i Østfold"),
    "33": ("HK-dir", "Universitetet i Sørøst-Norge"),
    "39": ("HK-dir", "Universitetet i Sørøst-Norge"),
    "56": ("HK-dir", "UiT Norges arktiske universitet", "Brukerrepresentant med flyktningbakgrunn"),
}


def _slug(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "-" for c in text).strip("-").replace("--", "-")


def _at(day: date, clock: str) -> datetime:
    """A moment in Oslo time, as the UTC the database keeps."""
    return datetime.combine(day, time.fromisoformat(clock), OSLO).astimezone(UTC)


def demo_grants(host, directorate, current) -> None:
    """The three years (see the module's docstring and ``earlier``) and the current gathering's
    application. The caller commits."""
    from eventapp.grants.models import GrantRules
    from eventapp.grants.services import set_rules

    for year, rules in RULES.items():
        if db.session.get(GrantRules, year) is None:
            set_rules(year, directorate, **rules)
    played = [(plan, _previous_year(plan, host, directorate)) for plan in PLAY_ORDER]
    # The purge comes last: it deletes mail rows in bulk, and SQLite hands their ids to the
    # next rows written.
    for plan, gathering in played:
        if gathering is not None and (plan.purged or plan.reminded):
            _purge(gathering, plan, _county_host(plan, host))
    _current_application(current, host)
    db.session.flush()


def previous_year_hosts() -> list[str]:
    """The counties' hosts of the played years (the demo's own host aside), each once."""
    return list(dict.fromkeys(p.host_email for p in PLAY_ORDER if p.host_email))


def _county_host(plan: Plan, host):
    """The county's host: the demo's own for Vestland, for the others an account with the demo
    password (not printed with the demo's logins, but there to log in as another county)."""
    from eventapp.accounts.models import User
    from eventapp.accounts.services import create_user
    from eventapp.places.models import County

    if plan.host_email is None:
        return host
    user = db.session.scalars(select(User).where(User.email == plan.host_email)).first()
    if user is None:
        county = db.session.scalars(select(County).where(County.number == plan.county)).one()
        user = create_user(email=plan.host_email, name=plan.host_name, role="county_host",
                           county=county, password=DEMO_PASSWORD)
    return user


def _previous_year(plan: Plan, demo_host, directorate):
    """The county's gathering of the year, played through; None if it was there already."""
    from eventapp.gatherings.models import Gathering
    from eventapp.gatherings.services import change_status, create_gathering
    from eventapp.places.models import County

    county = db.session.scalars(select(County).where(County.number == plan.county)).one()
    title = TITLE.format(county=county.name, year=plan.year)
    if db.session.scalars(select(Gathering.id).where(Gathering.title == title)).first():
        return None
    host = _county_host(plan, demo_host)
    gathering = create_gathering(
        county=county, actor=host, title=title, start_date=plan.start,
        end_date=plan.start + timedelta(days=1), venue=plan.venue,
        registration_opens=plan.start - timedelta(days=90),
        registration_closes=plan.start - timedelta(days=14), record_past=True)
    gathering.created_at = _at(plan.start - timedelta(days=150), "10:00")
    change_status(gathering, host, "open")
    demo_programme(gathering, host, instead_of_ukraine=plan.instead_of_ukraine)
    rng = random.Random(f"eventapp-demo-{plan.year}-{plan.county}")
    _apply_and_decide(gathering, plan, host, directorate)
    people = _register(gathering, plan, host, rng)
    change_status(gathering, host, "closed")
    _check_in(gathering, plan, host, people, rng)
    if date.today() >= gathering.start_date:
        change_status(gathering, host, "held")
    else:  # a clock set before 2026: the demo still needs its held gatherings
        gathering.status = "held"
    demo_survey(gathering, host, plan.county)
    demo_follow_up(gathering, host)
    _budget(gathering, plan, host)
    _report(gathering, plan, host, directorate)
    return gathering


def _apply_and_decide(gathering, plan: Plan, host, directorate) -> None:
    from eventapp.grants.services import apply, decide

    application = apply(gathering, host, planned_participants=plan.planned,
                        applied_nok=plan.applied,
                        note="Samling over to dager for flyktningetjenestene og karrieresenteret.")
    application.submitted_at = _at(plan.start - timedelta(days=120), "13:20")
    decide(application, directorate, granted_nok=plan.granted, comment=plan.decision_comment)
    application.decided_at = _at(plan.start - timedelta(days=95), "09:45")


@dataclass
class _Person:
    registration: object
    days: tuple  # the days they came


class _People:
    """Made-up names, each used once in a gathering, never an address the demo's current
    gathering already uses (a purge removes mail by address)."""

    def __init__(self, rng: random.Random, avoid: set[str]):
        self.rng, self.avoid, self.seen = rng, avoid, set()

    def next(self, domain: str) -> tuple[str, str]:
        while True:
            first = self.rng.choice(FEMALE if self.rng.random() < 0.68 else MALE)
            last = self.rng.choice(SURNAMES)
            email = f"{_slug(first)}.{_slug(last)}@{domain}"
            if (first, last) not in self.seen and email not in self.avoid:
                self.seen.add((first, last))
                return f"{first} {last}", email


def _register(gathering, plan: Plan, host, rng: random.Random) -> list[_Person]:
    """Register everyone through the host (the registration window is long past, and only the
    host may register then), with the days, dinner, hotel and needs people ask for; decide who
    will come on which day."""
    from eventapp.invitations.services import set_municipality_cap
    from eventapp.mail.models import OutboxMessage
    from eventapp.registration.models import Registration
    from eventapp.registration.services import RegistrationData, host_register
    from eventapp.registration.services.registering import registration_units

    # Who registers as a municipality (Oslo by its city districts), in number order.
    units = {m.number: m for m in sorted(registration_units(gathering), key=lambda m: m.number)}
    for number, cap in plan.raised_caps.items():
        set_municipality_cap(gathering, host, units[number], cap)
    first_mail = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    county_slug = _slug(gathering.county.name)
    avoid = {c[2] for c in DEMO_CONTACTS} | {r[2] for r in DEMO_REGISTRATIONS}
    if plan.year != YEAR:
        avoid |= set(db.session.scalars(select(Registration.email)))
    names = _People(rng, avoid)
    non_speakers = plan.participants + plan.no_shows
    municipal = non_speakers - plan.county_staff - plan.partners

    # Who comes from where: the large municipalities fill their raised caps; of the rest, the
    # far-away ones that asked for travel support and others drawn at random send one person,
    # and some of them a second, until the municipal places of the plan are filled.
    others = [n for n in units if n not in plan.raised_caps]
    rng.shuffle(others)
    others = [n for n in plan.travel_from if n in others] \
        + [n for n in others if n not in plan.travel_from]
    covered = others[:plan.municipalities - len(plan.raised_caps)]
    sent = dict(plan.raised_caps) | {n: 1 for n in covered}
    for number in rng.sample(covered, len(covered)):
        if sum(sent.values()) >= municipal:
            break
        sent[number] = 2
    if sum(sent.values()) != municipal:
        raise ValueError(f"{plan.county}: {municipal} municipal places do not fit the plan")
    seats = [n for n, k in sent.items() for _i in range(k)]

    entries = []  # (RegistrationData, kind)
    in_unit: dict[str, int] = {}
    for number in seats:
        name, email = names.next(f"{_slug(units[number].name)}.kommune.example")
        nth = in_unit[number] = in_unit.get(number, 0) + 1
        if nth == 1:
            role = "leader"
        elif rng.random() < 0.12:
            role = "other"
        elif plan.counsellor_share and rng.random() < plan.counsellor_share:
            role = "career_counsellor"  # the municipality's own counsellor
        else:
            role = "programme_adviser"
        entries.append((RegistrationData(
            name=name, email=email, organisation_kind="municipality", municipality_number=number,
            role=role, travel_support_requested=number in plan.travel_from), "municipal"))
    for i in range(plan.county_staff):
        name, email = names.next(f"{county_slug}.fylkeskommune.example")
        role = "leader" if i == 0 else ("career_counsellor" if i <= 5 else "county_staff")
        entries.append((RegistrationData(
            name=name, email=email, organisation_kind="county", county_number=plan.county,
            role=role), "county"))
    partners = PARTNERS[plan.county]
    listed = county_partners(plan.county, partners, host)
    for i in range(plan.partners):
        organisation = partners[i % len(partners)]
        name, email = names.next(f"{_slug(organisation)}.example")
        data = RegistrationData(name=name, email=email, organisation_kind="partner",
                                partner_name=organisation, role="partner")
        if organisation in listed and picks(i):
            data.partner_id = listed[organisation]
        entries.append((data, "partner"))
    for i in range(plan.speakers):
        # HK-dir speaks on day one, the others on day two.
        organisation = SPEAKERS[plan.county][i]
        name, email = names.next(f"{_slug(organisation.split()[0])}.example")
        entries.append((RegistrationData(
            name=name, email=email, organisation_kind="partner", partner_name=organisation,
            role="speaker", day1=i == 0, day2=i != 0), "speaker"))

    # The no-shows: municipal people and a partner, never the speakers.
    absent = set(rng.sample([i for i, (_d, kind) in enumerate(entries)
                             if kind in ("municipal", "partner")], plan.no_shows))
    people = []
    for i, (data, kind) in enumerate(entries):
        if kind != "speaker":
            pick = rng.random()
            data.day1, data.day2 = (True, False) if pick < 0.05 else \
                (False, True) if pick < 0.07 else (True, True)
        data.phone = f"+47 9{rng.randint(0, 9999999):07d}" if rng.random() < 0.7 else ""
        data.attends_dinner = data.day1 and data.day2 and rng.random() < 0.85
        data.accommodation = data.travel_support_requested or (
            kind != "municipal" and rng.random() < 0.3) or rng.random() < 0.15
        if rng.random() < 0.14:
            data.dietary_needs, data.dietary_consent = rng.choice(DIETS), True
        if rng.random() < 0.03:
            data.accessibility_needs = "Trinnfri adkomst"
        data.list_consent = rng.random() < 0.6
        registration = host_register(gathering, host, data)
        registration.created_at = _at(
            gathering.start_date - timedelta(days=rng.randint(15, 75)),
            f"{rng.randint(8, 15):02d}:{rng.randint(0, 59):02d}")
        registered = tuple(d for d, on in ((1, data.day1), (2, data.day2)) if on)
        if i in absent:
            came: tuple = ()
        elif len(registered) == 2 and kind != "speaker" and rng.random() < 0.04:
            came = (1,)  # left after day one
        elif registered == (1,) and kind == "municipal" and rng.random() < 0.3:
            came = (1, 2)  # stayed for day two after all: a walk-in
        else:
            came = registered
        people.append(_Person(registration, came))
    # The confirmations went out when people registered, a year ago.
    sent_at = {p.registration.email: p.registration.created_at for p in people}
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > first_mail)):
        moment = sent_at.get(message.to_address)
        if moment is not None:
            message.created_at = message.next_attempt_at = moment
            message.mark_sent(moment + timedelta(seconds=20))
    return people


def _check_in(gathering, plan: Plan, host, people: list[_Person], rng: random.Random) -> None:
    from eventapp.registration.services import record_attendance

    for person in people:
        for day in person.days:
            record_attendance(person.registration, True, host, day=day)
        if person.days:
            person.registration.checked_in_at = _at(
                gathering.date_of_day(person.days[0]),
                f"{rng.choice((8, 9)):02d}:{rng.randint(0, 59):02d}")


def _budget(gathering, plan: Plan, host) -> None:
    from eventapp.grants.services import LineData, add_line, link_travel, travel_requests

    travel = {r.id for r in travel_requests(gathering) if r.attended}
    for line in plan.lines:
        added = add_line(gathering, host, LineData(line.category, line.description, line.planned,
                                                   line.actual, line.note))
        if line.category == "travel_support":
            link_travel(added, host, sorted(travel))


def _report(gathering, plan: Plan, host, directorate) -> None:
    from eventapp.grants.services import approve_report, return_report, save_report, submit_report

    end = gathering.end_date
    if plan.report == "none":  # not begun yet
        return
    save_report(gathering, host, follow_up_actions=plan.follow_up, remarks=plan.remarks)
    if plan.report == "draft":  # saved, not sent
        return
    report = submit_report(gathering, host)
    report.submitted_at = _at(end + timedelta(days=plan.submitted_after), "14:05")
    if plan.report == "submitted":
        return
    decided = _at(end + timedelta(days=plan.decided_after), "10:30")
    if plan.report == "returned":
        return_report(report, directorate, plan.review_comment)
    else:
        approve_report(report, directorate, "Godkjent. Takk for en grundig rapport.")
    report.decided_at = decided


def _purge(gathering, plan: Plan, host) -> None:
    """Reminded when the year's months had passed since approval, the host deleted the personal
    data three days later, or (``reminded``) has not yet."""
    from eventapp.grants.services import purge, report_for, rules_for

    report = report_for(gathering)
    reminded = report.decided_at + timedelta(days=30 * rules_for(plan.year).purge_after_months)
    if plan.purged:
        purge(gathering, host)
        report.purged_at = reminded + timedelta(days=3)
    report.purge_reminded_at = reminded


def _current_application(gathering, host) -> None:
    """Vestland 2027 has applied and planned its budget; the directorate has not decided."""
    from eventapp.grants.services import LineData, add_line, application_for, apply, budget_lines

    if application_for(gathering) is None:
        apply(gathering, host, planned_participants=CURRENT_PLANNED, applied_nok=CURRENT_APPLIED,
              note="To dager i Bergen for flyktningetjenestene i alle 43 kommunene, "
                   "karrieresenteret og samarbeidspartnerne. Reisestøtte til kommuner med lang "
                   "reisevei.")
    if not budget_lines(gathering):
        for line, planned in zip(CURRENT_LINES, CURRENT_PLANNED_NOK, strict=True):
            add_line(gathering, host, LineData(line.category, line.description, planned, 0,
                                               line.note))
