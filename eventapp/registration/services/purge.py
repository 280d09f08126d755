"""Deleting the personal data a gathering collected, once its report is approved."""

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from eventapp.extensions import db
from eventapp.gatherings.models import Gathering, MunicipalInput
from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import Registration, new_manage_token


@dataclass
class Purged:
    """What a feature above registration cleared of a gathering: counts by name, and the ids
    of the outbox mail it sent about the gathering, which goes with the gathering's own mail."""

    counts: dict[str, int] = field(default_factory=dict)
    mail_ids: list[int] = field(default_factory=list)


# Features above registration keep personal data about a gathering too (the invitations' names
# and addresses). Each adds its purge here, so the one purge the grant report runs reaches it
# without registration importing the features above it.
_PURGES: list[Callable[[Gathering], Purged]] = []


def purges_personal_data(purge: Callable[[Gathering], Purged]):
    """Run ``purge(gathering)`` with every ``purge_personal_data``; use as a decorator."""
    if purge not in _PURGES:
        _PURGES.append(purge)
    return purge


def purge_personal_data(gathering: Gathering) -> dict:
    """Delete or anonymise the personal data a gathering collected, keeping every count.

    Registrations keep their organisation, role, days, status, channel and attendance, so every
    report reads the same; names, addresses, phones, dietary and accessibility needs go. The
    personal mail sent about the gathering (confirmations, invitations) is deleted from the
    outbox, and the invitations and municipal inputs lose their names and addresses. The grant
    report workflow decides when this may run.
    """
    counts: dict[str, int] = {}
    mail_ids: list[int] = []
    for purge in _PURGES:
        purged = purge(gathering)
        counts.update(purged.counts)
        mail_ids += purged.mail_ids
    registrations = db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id)).all()
    # By the gathering, never by address: the same person's mail about another gathering stays.
    messages = db.session.scalars(select(OutboxMessage).where(or_(
        OutboxMessage.gathering_id == gathering.id, OutboxMessage.id.in_(mail_ids)))).all()
    for registration in registrations:
        registration.name = f"Slettet deltaker {registration.id}"
        registration.email = f"slettet-{registration.id}@purged.invalid"
        registration.phone = None
        registration.dietary_needs = None
        registration.dietary_consent = False
        registration.accessibility_needs = None
        registration.list_consent = False
        registration.manage_token = new_manage_token()
    for given in db.session.scalars(
            select(MunicipalInput).where(MunicipalInput.gathering_id == gathering.id)):
        given.name = None
        given.email = None
    db.session.flush()
    for message in messages:
        db.session.delete(message)
    db.session.flush()
    return {"registrations": len(registrations), **counts, "messages": len(messages)}
