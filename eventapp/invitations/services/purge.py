"""What deleting a gathering's personal data clears of its invitations. Registration runs the
purge (for the grant report) and calls this through ``purges_personal_data``."""

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.invitations.models import Invitation
from eventapp.registration.services import Purged, purges_personal_data


@purges_personal_data
def purge_invitations(gathering) -> Purged:
    """The invitations keep their campaign, municipality and whether they were opened (the
    board's figures); names and addresses go, and so does their mail."""
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.gathering_id == gathering.id)).all()
    mail_ids = [i.outbox_message_id for i in invitations if i.outbox_message_id]
    for invitation in invitations:
        invitation.name = ""
        invitation.email = f"slettet-{invitation.id}@purged.invalid"
        invitation.outbox_message_id = None
    return Purged(counts={"invitations": len(invitations)}, mail_ids=mail_ids)
