"""Deleting the personal data a gathering collected, once its report is approved."""

from sqlalchemy import or_, select

from eventapp.extensions import db
from eventapp.gatherings.models import CALENDAR_LINK, INPUT_LINK, Gathering, MunicipalInput
from eventapp.mail.models import OutboxMessage
from eventapp.mail.transports import remove_files_after_commit
from eventapp.registration.models import MANAGE_LINK, Registration


def purge_personal_data(gathering: Gathering, *, mail_ids=()) -> dict:
    """Delete or anonymise the personal data a gathering collected, keeping every count.

    Registrations keep their organisation, role, days, status, channel and attendance, so every
    report reads the same; names, addresses, phones, dietary and accessibility needs go. The
    personal mail sent about the gathering (confirmations, invitations) is deleted from the
    outbox (with ``mail_ids``: the mail a feature above sent about it, such as the invitations),
    and the file transport's copies of it once this commits; the municipal inputs lose their
    names and addresses. Every link into the gathering closes: the registrations' own pages,
    the input form, the calendar subscription. The grant report workflow decides when this may
    run, and clears the features above registration first.
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
        MANAGE_LINK.close(registration)
    INPUT_LINK.close(gathering)
    CALENDAR_LINK.close(gathering)
    for given in db.session.scalars(
            select(MunicipalInput).where(MunicipalInput.gathering_id == gathering.id)):
        given.name = None
        given.email = None
    db.session.flush()
    for message in messages:
        db.session.delete(message)
    db.session.flush()
    # The file transport's copies hold the same addresses.
    remove_files_after_commit(db.session(), [m.message_id for m in messages])
    return {"registrations": len(registrations), "messages": len(messages)}
