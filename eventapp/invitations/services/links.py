"""The personal link in each invitation: it opens registration with the municipality filled in
(the page is ``views.personal_link``; the place is taken by registration's services)."""

from eventapp.invitations.models import INVITATION_LINK, Invitation


def invitation_by_token(token: str) -> Invitation | None:
    return INVITATION_LINK.find(Invitation, token)
