"""One municipality's page on the board: everything about it for this gathering."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventapp.accounts.models import User
from eventapp.core.access import Role
from eventapp.extensions import db
from eventapp.invitations.models import Contact, Invitation
from eventapp.invitations.services.board import board_offers
from eventapp.invitations.services.outreach import follow_up_row, outreach_log
from eventapp.invitations.services.states import municipality_states
from eventapp.registration.models import Registration


def municipality_detail(gathering, municipality) -> dict:
    """Everything about one municipality for this gathering."""
    contacts = db.session.scalars(
        select(Contact).where(Contact.municipality_id == municipality.id,
                              Contact.county_id == gathering.county_id)
        .order_by(Contact.active.desc(), Contact.name)
    ).all()
    counsellors = [u for u in db.session.scalars(
        select(User).where(User.county_id == gathering.county_id, User.role == Role.COUNSELLOR,
                           User.active.is_(True),
                           User.assigned_municipalities.any(id=municipality.id))
        .order_by(User.name))]
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.gathering_id == gathering.id,
                                 Invitation.municipality_id == municipality.id)
        .options(joinedload(Invitation.campaign), joinedload(Invitation.outbox_message))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()
    registrations = db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.municipality_id == municipality.id)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    follow_up = follow_up_row(gathering, municipality)
    cap = follow_up.effective_cap(gathering.municipal_cap) if follow_up else gathering.municipal_cap
    return {
        "state": municipality_states(gathering).get(municipality.id, "not_reached"),
        "contacts": contacts,
        "counsellors": counsellors,
        "invitations": invitations,
        "outreach": outreach_log(gathering, municipality),
        "registrations": registrations,
        "follow_up": follow_up,
        "offers": board_offers(follow_up) if follow_up else [],
        "cap": cap,
        "confirmed": sum(1 for r in registrations if r.status == "confirmed"),
        "waitlisted": sum(1 for r in registrations if r.status == "waitlisted"),
    }
