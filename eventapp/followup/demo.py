"""The demo's follow-up logs: what participants raised at each 2026 gathering and what the
county did about it, with the answers mailed to all participants three weeks after."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from eventapp.core.time import OSLO
from eventapp.extensions import db

# kind, raised, raised by, answer, action, owner, status
ITEMS = (
    ("question", "Hvordan skal en andre veiledningssamtale finansieres når deltakeren har "
     "begynt i arbeid?", "Gruppearbeid dag 1",
     "Karrieresenteret dekker også den andre samtalen innenfor dagens avtale. Kommunen trenger "
     "ikke søke om egne midler.", None, "Karrieresenteret", "done"),
    ("question", "Kan deltakerne få veiledning med tolk på eget språk?", "Plenum",
     "Ja. Kommunen sier fra om tolkebehov når timen bestilles, så bestiller karrieresenteret "
     "tolk.", None, "Karrieresenteret", "done"),
    ("question", "Hvem sender kompetansekartleggingen til karriereveilederen før timen?",
     "Bord 3",
     "Programrådgiveren i kommunen sender kartleggingen senest en uke før timen. Rutinen står i "
     "samarbeidsavtalen.", None, "Fylkeskommunen", "done"),
    ("input", "Kommunene ønsker en enkel måte å bestille veiledningstimer på.",
     "Flere kommuner", None,
     "Bookingsystem for veiledningstimer tas i bruk fra august.", "Karrieresenteret",
     "in_progress"),
    ("input", "Faste møter mellom programrådgivere og karriereveiledere gjennom året.",
     "Gruppearbeid dag 2", None,
     "Digitale møter hver sjette uke; det første holdes i mai.", "Fylkeskommunen", "done"),
    ("input", "Informasjon om karriereveiledning på flere språk til deltakerne i programmet.",
     "Plenum", None,
     "Brosjyre på norsk, engelsk, ukrainsk, arabisk og tigrinja.", "Karrieresenteret",
     "in_progress"),
    ("input", "Små kommuner langt fra karrieresenteret vil ha veiledning digitalt.",
     "En liten kommune", None, None, "Karrieresenteret", "open"),
)


def demo_follow_up(gathering, host) -> None:
    """The log, once, and the answers mailed; a gathering with a log is left as it is."""
    from eventapp.followup.models import FollowUpItem
    from eventapp.followup.services import ItemData, add_item, mail_answers

    if db.session.scalars(select(FollowUpItem.id)
                          .where(FollowUpItem.gathering_id == gathering.id)).first():
        return
    raised = datetime.combine(gathering.end_date, time(16, 0), tzinfo=OSLO)
    items = []
    for kind, text, by, answer, action, owner, status in ITEMS:
        item = add_item(gathering, host, ItemData(kind=kind, raised=text, raised_by=by,
                                                  answer=answer, action=action, owner=owner,
                                                  status=status))
        item.created_at = item.updated_at = raised
        items.append(item)
    mail_answers(gathering, host)
    mailed = raised + timedelta(days=21)
    for item in items:
        if item.mailed_at is not None:
            item.mailed_at = item.updated_at = mailed
    db.session.flush()
