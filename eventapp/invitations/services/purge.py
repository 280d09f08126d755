"""What deleting a gathering's personal data clears of its invitations; the grant report's purge
runs it before registration's."""

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.invitations.models import INVITATION_LINK, Invitation


def purge_invitations(gathering) -> tuple[int, list[int]]:
    """The invitations keep their campaign, municipality and whether they were opened (the
    board's figures); names, addresses and the personal links go. Returns how many, and the
    ids of their mail for the outbox purge to delete."""
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.gathering_id == gathering.id)).all()
    mail_ids = [i.outbox_message_id for i in invitations if i.outbox_message_id]
    for invitation in invitations:
        invitation.name = ""
        invitation.email = f"slettet-{invitation.id}@purged.invalid"
        invitation.outbox_message_id = None
        INVITATION_LINK.close(invitation)
    return len(invitations), mail_ids
