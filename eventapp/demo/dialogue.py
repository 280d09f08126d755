"""The demo's conversation with the directorate: a few comments on the current gathering's
programme and grant application, the directorate's quality-assured mark on the programme, and
an evaluation meeting after the host's county's latest held gathering. Written as rows, without
mail (the demo's people have no real addresses to tell); safe to run again."""

from datetime import timedelta

from sqlalchemy import select

from eventapp.core.time import utcnow
from eventapp.dialogue.models import DialogueComment, EvaluationMeeting
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering

COMMENTS = (
    ("county", "programme", "Vi har lagt inn et første utkast til programmet. Er det noe dere "
     "savner før vi sender invitasjonene?"),
    ("directorate", "programme", "Fint utkast. Vurder å gi IMDi tid til kompetansekartlegging "
     "og veiledernotatet, og legg inn tid til spørsmål etter innleggene."),
    ("county", "application", "Vi søker for 65 deltakere. Reisestøtte for de minste kommunene "
     "ligger under «Reise»."),
)


def demo_dialogue(host, directorate, gathering: Gathering) -> None:
    if db.session.scalar(select(DialogueComment.id).where(
            DialogueComment.gathering_id == gathering.id).limit(1)) is None:
        start = utcnow() - timedelta(days=len(COMMENTS) + 2)
        for n, (side, topic, body) in enumerate(COMMENTS):
            db.session.add(DialogueComment(
                gathering_id=gathering.id, topic=topic, body=body, side=side,
                author_id=(directorate if side == "directorate" else host).id,
                created_at=start + timedelta(days=n, hours=3)))
    if gathering.quality_assured_at is None and gathering.active_items:
        gathering.quality_assured_at = utcnow() - timedelta(days=1)
        gathering.quality_assured_by_id = directorate.id
    held = db.session.scalars(
        select(Gathering).where(Gathering.county_id == host.county_id,
                                Gathering.status.in_(("held", "reported")))
        .order_by(Gathering.end_date.desc())).first()
    if held is not None and db.session.scalar(select(EvaluationMeeting.id).where(
            EvaluationMeeting.gathering_id == held.id)) is None:
        db.session.add(EvaluationMeeting(
            gathering_id=held.id, held_on=held.end_date + timedelta(days=30),
            notes="Gode tilbakemeldinger på gruppearbeidet og de blandede bordene. Deltakerne "
                  "savnet mer tid til erfaringsdeling mellom små og store kommuner.",
            agreed_actions="Mer tid til erfaringsdeling på dag 2\nInviter NAV og "
                           "voksenopplæringen tidlig i planleggingen\nDel presentasjonene "
                           "med deltakerne innen en uke",
            recorded_by_id=directorate.id))
    db.session.flush()
