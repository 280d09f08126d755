"""The personal link in each invitation: it opens registration with the municipality filled in
(the page is ``views.personal_link``; the place is taken by registration's services)."""

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.invitations.models import Invitation


def invitation_by_token(token: str) -> Invitation | None:
    return db.session.scalars(select(Invitation).where(Invitation.token == token)).first()
