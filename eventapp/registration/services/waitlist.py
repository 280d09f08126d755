"""Cancelling frees a place, and the first on that municipality's (or the pool's) waitlist
takes it."""

from sqlalchemy import select

from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import Registration
from eventapp.registration.services.registering import (
    cap_row,
    ensure_unreported,
    has_place,
    hold_places,
    queue_confirmation,
)


def promote_waitlist(gathering: Gathering, like: Registration, actor=None) -> list[Registration]:
    """Confirm the first on the waitlist of ``like``'s municipality (or the pool) while places
    are free, and mail them. The caller holds the locks."""
    promoted = []
    same_queue = (Registration.organisation_kind.in_(("county", "partner")) if like.in_pool
                  else Registration.municipality_id == like.municipality_id)
    while True:
        first = db.session.scalars(
            select(Registration).where(Registration.gathering_id == gathering.id,
                                       Registration.status == "waitlisted", same_queue)
            .order_by(Registration.created_at, Registration.id).limit(1)
        ).first()
        row = cap_row(gathering, first.municipality) if first and not first.in_pool else None
        if first is None or not has_place(gathering, first, row):
            return promoted
        first.status = "confirmed"
        db.session.flush()
        queue_confirmation(gathering, first, actor)
        promoted.append(first)


def cancel(registration: Registration, actor=None) -> list[Registration]:
    """Free the place and promote the first on that waitlist. Returns who was promoted."""
    if registration.status == "cancelled":
        return []
    gathering = db.session.get(Gathering, registration.gathering_id)
    ensure_unreported(gathering)
    hold_places(gathering, registration.municipality)
    ensure_unreported(gathering)
    # Another may have cancelled it while this waited.
    db.session.refresh(registration)
    if registration.status == "cancelled":
        return []
    was_confirmed = registration.status == "confirmed"
    registration.status = "cancelled"
    registration.cancelled_at = utcnow()
    db.session.flush()
    return promote_waitlist(gathering, registration, actor) if was_confirmed else []
