"""Invitations: views, by what they do. Importing this package registers every route."""

from eventapp.invitations.views import (  # noqa: F401 - each module adds its routes
    board,
    campaigns,
    contacts,
    personal_link,
    public_link,
)
