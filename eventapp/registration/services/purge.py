"""Deleting the personal data a gathering collected, once its report is approved."""

from sqlalchemy import or_, select

from eventapp.extensions import db
from eventapp.gatherings.models import Gathering, MunicipalInput
from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import Registration, new_manage_token


def purge_personal_data(gathering: Gathering, *, mail_ids=()) -> dict:
    """Delete or anonymise the personal data a gathering collected, keeping every count.

    Registrations keep their organisation, role, days, status, channel and attendance, so every
    report reads the same; names, addresses, phones, dietary and accessibility needs go. The
    personal mail sent about the gathering (confirmations, invitations) is deleted from the
    outbox (with ``mail_ids``: the mail a feature above sent about it, such as the invitations),
    and the municipal inputs lose their names and addresses. The grant report workflow decides
    when this may run, and clears the features above registration first.
    """
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
    return {"registrations": len(registrations), "messages": len(messages)}
