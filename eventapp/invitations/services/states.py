"""Where each municipality stands on the way to the gathering, for the campaigns, the
reminder and the municipality board: registered, reached, or not reached yet."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from eventapp.extensions import db
from eventapp.gatherings.services import answering_units
from eventapp.invitations.models import Invitation, Outreach
from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import Registration

NOT_REACHED = "not_reached"
REACHED = "reached"
REGISTERED = "registered"
MUNICIPALITY_STATES = (NOT_REACHED, REACHED, REGISTERED)
LIVE_REGISTRATION = ("confirmed", "waitlisted")


def municipality_states(gathering, units=None) -> dict[int, str]:
    """Every municipality (and Oslo district) of the gathering's county, by id: ``registered``
    (at least one live registration), ``reached`` (an invitation whose mail has not failed, or
    outreach by another channel, but no live registration) or ``not_reached``. ``units``: the
    county's (``answering_units``) when the caller has them already."""
    ids = [unit.id for unit in (answering_units(gathering) if units is None else units)]
    registered = set(db.session.scalars(
        select(Registration.municipality_id).where(
            Registration.gathering_id == gathering.id,
            Registration.status.in_(LIVE_REGISTRATION),
            Registration.municipality_id.is_not(None)).distinct()
    ))
    invited = set(db.session.scalars(
        select(Invitation.municipality_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == Invitation.outbox_message_id)
        .where(Invitation.gathering_id == gathering.id,
               or_(OutboxMessage.id.is_(None), OutboxMessage.status != "failed"))
        .distinct()
    ))
    visited = set(db.session.scalars(
        select(Outreach.municipality_id).where(Outreach.gathering_id == gathering.id,
                                              Outreach.current()).distinct()
    ))
    return {
        ident: REGISTERED if ident in registered
        else REACHED if ident in invited or ident in visited else NOT_REACHED
        for ident in ids
    }


# Lazy: a call translates only the state asked for (the board asks once per row).
STATE_LABELS = {NOT_REACHED: _l("Not reached yet"), REACHED: _l("Reached, not registered"),
                REGISTERED: _l("Registered")}


def municipality_state_label(state: str) -> str:
    label = STATE_LABELS.get(state)
    return state if label is None else str(label)
