"""The demo's current gathering: Vestland's 2027 gathering, open for registration, with its
committee, a two-day programme, municipal input and a clashing event elsewhere."""

from datetime import date

from sqlalchemy import select

from eventapp.demo.places import county, unit
from eventapp.extensions import db


def demo_gathering(host, counsellor, municipal):
    """Vestland's first gathering, or a new one opened for registration; then its committee,
    programme, input and other events, each once. Returns the gathering."""
    from eventapp.gatherings.models import Gathering
    from eventapp.gatherings.services import change_status, create_gathering

    vestland = county("46")
    gathering = db.session.scalars(
        select(Gathering).where(Gathering.county_id == vestland.id).order_by(Gathering.id)
    ).first()
    if gathering is None:
        gathering = create_gathering(
            county=vestland, actor=host,
            title="Fylkessamling om karriereveiledning for flyktninger 2027",
            start_date=date(2027, 3, 10), end_date=date(2027, 3, 11),
            venue="Scandic Ørnen", address="Lars Hilles gate 18, 5008 Bergen",
            registration_opens=date(2026, 11, 1), registration_closes=date(2027, 2, 24),
            capacity=90,
        )
        # Mid-campaign: registration is open, so invitations and the public link work.
        change_status(gathering, host, "open")
    _demo_committee(gathering, host, [counsellor, municipal])
    items = _demo_programme(gathering, host)
    _demo_inputs(gathering, host, municipal, items)
    _demo_other_events(gathering, host)
    return gathering


def _demo_other_events(gathering, host) -> None:
    """IMDi's regional conference a week before: the gathering page warns of the clash."""
    from eventapp.gatherings.models import OtherEvent
    from eventapp.gatherings.services import add_other_event

    if db.session.scalars(select(OtherEvent).where(OtherEvent.gathering_id == gathering.id)).first():
        return
    add_other_event(gathering, host, title="IMDis regionale konferanse om kvalifisering",
                    start_date=date(2027, 3, 3), end_date=date(2027, 3, 3),
                    organiser="IMDi Vest", location="Bergen")


# The demo programme: a realistic two-day gathering after the learning points in DOMAIN.md,
# added through the real services (so the change log shows it). It passes every programme
# check but one: nobody with refugee background speaks, so a new user sees that warning and
# how to fix it. (day, start, end, kind, title, room, question minutes, speakers, description)
MAIN_ROOM = "Plenumssalen"
RESTAURANT = "Restauranten"
DEMO_PROGRAMME = [
    (1, "10:00", "10:15", "other", "Velkommen til samlingen", MAIN_ROOM, 0,
     [("Ragnhild Aase", "Vestland fylkeskommune", "county")],
     "Fylkeskommunen ønsker velkommen og forteller hvorfor vi er samlet."),
    (1, "10:15", "10:35", "icebreaker", "Bli kjent ved bordene", MAIN_ROOM, 0, [],
     "Hvem sitter ved bordet, og hva ønsker du å ta med deg hjem fra samlingen?"),
    (1, "10:35", "11:20", "talk", "HK-dirs rolle og rammene for karriereveiledning "
     "(integreringsloven § 11)", MAIN_ROOM, 10,
     [("Eirik Haugen", "HK-dir, avdeling for karriereveiledning", "directorate")],
     "Retten og plikten til karriereveiledning i introduksjonsprogrammet, og hvem som gjør hva."),
    (1, "11:20", "11:35", "break", "Pause", MAIN_ROOM, 0, [], ""),
    (1, "11:35", "12:15", "talk", "Bosetting og integrering i Vestland", MAIN_ROOM, 10,
     [("Solveig Rønneberg", "Vestland fylkeskommune, integreringsavdelingen", "county")], ""),
    (1, "12:15", "13:00", "meal", "Lunsj", RESTAURANT, 0, [], ""),
    (1, "13:00", "13:40", "talk", "Karrieresenteret: veiledning for flyktninger og samarbeidet "
     "med kommunene", MAIN_ROOM, 10, [("Aslak Moe", "Karriere Vestland", "career_centre")], ""),
    (1, "13:40", "14:40", "group_work", "Gruppearbeid 1: Hvordan samarbeider vi om "
     "karriereveiledning i dag?", MAIN_ROOM, 0, [],
     "Blandede bord med kommuner og fylkeskommune. Hva fungerer, og hva stopper samarbeidet?"),
    (1, "14:40", "15:00", "break", "Pause", MAIN_ROOM, 0, [], ""),
    (1, "15:00", "15:35", "talk", "Hva virker? Funn fra forskning på karriereveiledning i "
     "introduksjonsprogrammet", MAIN_ROOM, 0, [("Hilde Nygård", "NORCE", "research")], ""),
    (1, "15:35", "16:00", "plenary_discussion", "Spørsmål og samtale i plenum", MAIN_ROOM, 0,
     [], "Spørsmål til forskerne og erfaringer fra salen."),
    (1, "16:00", "16:40", "experience_sharing", "Erfaringsdeling: Slik samarbeider Bergen med "
     "karrieresenteret", MAIN_ROOM, 0,
     [("Linn Haugland", "Bergen kommune, Introduksjonssenteret", "municipality")], ""),
    (1, "19:00", "22:00", "social_dinner", "Middag med kulturelt innslag", RESTAURANT, 0, [],
     "Vestlandsmat og musikk fra Vestland og Ukraina."),
    (2, "09:00", "09:45", "talk", "Kompetansekartlegging og veilederens notat: slik flyter "
     "informasjonen", MAIN_ROOM, 10, [("Tor Erik Lunde", "IMDi Vest", "imdi")], ""),
    (2, "09:45", "10:30", "talk", "Ukrainske flyktninger: hvem er de, og hva trenger de?",
     MAIN_ROOM, 10, [("Kristin Berg", "Fafo", "research")], ""),
    (2, "10:30", "10:45", "break", "Pause", MAIN_ROOM, 0, [], ""),
    (2, "10:45", "11:15", "experience_sharing", "Erfaringsdeling fra en liten kommune: Solund",
     MAIN_ROOM, 0, [("Marit Hatlevik", "Solund kommune", "municipality")],
     "Digital veiledning og samarbeid med nabokommunene når karrieresenteret er langt unna."),
    (2, "11:15", "12:00", "panel", "Tiltak og kurs: NAV, voksenopplæringen og karrieresenteret",
     MAIN_ROOM, 0, [("Jon Sæle", "NAV Vestland", "nav"),
                    ("Guri Tveit", "Bergen voksenopplæring", "adult_education"),
                    ("Aslak Moe", "Karriere Vestland", "career_centre")], ""),
    (2, "12:00", "12:45", "meal", "Lunsj", RESTAURANT, 0, [], ""),
    (2, "12:45", "13:45", "group_work", "Gruppearbeid 2: Fra kartlegging til veiledning – hva "
     "avtaler vi?", MAIN_ROOM, 0, [],
     "Regionale bord: kommunene og karriereveilederen som betjener dem."),
    (2, "13:45", "14:30", "plenary_discussion", "Oppsummering fra gruppene, veien videre og "
     "avslutning", MAIN_ROOM, 0, [("Ragnhild Aase", "Vestland fylkeskommune", "county")], ""),
]


def _demo_committee(gathering, host, users) -> None:
    from eventapp.gatherings.services import add_committee_member, is_committee_member

    for user in users:
        if not is_committee_member(user, gathering):
            add_committee_member(gathering, host, email=user.email)


def _demo_programme(gathering, host) -> dict:
    """The programme, once: a gathering that has had any item is left as it is. Returns the
    items by title."""
    from datetime import time

    from eventapp.gatherings.services import ItemData, SpeakerData, add_item

    if not gathering.items:
        for day, start, end, kind, title, room, minutes, speakers, description in DEMO_PROGRAMME:
            add_item(gathering, host, ItemData(
                day=day, start=time.fromisoformat(start), end=time.fromisoformat(end), kind=kind,
                title=title, room=room, question_minutes=minutes, description=description,
                speakers=[SpeakerData(n, o, k) for n, o, k in speakers]))
    return {item.title: item for item in gathering.active_items}


def _demo_inputs(gathering, host, municipal, items: dict) -> None:
    """Programme input from three municipalities (Solund says it is small), once; the committee
    adopted two and linked them to the items that take them up."""
    from eventapp.gatherings.models import MunicipalInput
    from eventapp.gatherings.services import review_input, submit_input

    if db.session.scalars(select(MunicipalInput.id)
                          .where(MunicipalInput.gathering_id == gathering.id)).first():
        return
    solund = submit_input(
        gathering, municipality=unit("4636"), name="Marit Hatlevik", email="marit@solund.example",
        topics="Karriereveiledning når karrieresenteret er langt unna.",
        experience="Vi kan fortelle om digital veiledning og samarbeid med nabokommunene.",
        small=True)
    bergen = submit_input(
        gathering, municipality=unit("4601"), name=municipal.name, email=municipal.email,
        topics="Hvordan deler vi kartleggingen før veiledningstimen?",
        questions="Hvem følger opp veilederens notat, og når?",
        experience="Introduksjonssenteret kan dele sin samarbeidsavtale med karrieresenteret.",
        small=False, submitted_by=municipal)
    submit_input(
        gathering, municipality=unit("4627"), name="Anders Fjeld",
        topics="Ukrainske flyktninger og godkjenning av utdanning.",
        questions="Kan deltakerne få en ny veiledningstime etter ett år?", small=None)
    linked = {solund: "Erfaringsdeling fra en liten kommune: Solund",
              bergen: "Erfaringsdeling: Slik samarbeider Bergen med karrieresenteret"}
    for given, title in linked.items():
        review_input(given, host, "adopted", "Tatt inn i programmet.",
                     [items[title]] if title in items else [])


WEBINAR = "Oppfølgingswebinar om karriereveiledning for flyktninger, Vestland 2027"


def demo_webinar(host):
    """A digital follow-up to the 2027 gathering: its own short gathering with a meeting link
    and no venue, still a draft the host will open. Made once."""
    from eventapp.gatherings.models import Gathering
    from eventapp.gatherings.services import create_gathering

    webinar = db.session.scalars(select(Gathering).where(Gathering.title == WEBINAR)).first()
    if webinar is None:
        webinar = create_gathering(
            county=county("46"), actor=host, title=WEBINAR,
            start_date=date(2027, 5, 4), end_date=date(2027, 5, 4), venue=None,
            mode="digital", meeting_url="https://moete.example.no/vestland-oppfolging",
            registration_opens=date(2027, 3, 15), registration_closes=date(2027, 5, 3))
    return webinar
