"""Cancelling frees a place, and the first on that municipality's (or the pool's) waitlist
takes it."""

from sqlalchemy import select

from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import Registration
from eventapp.registration.services.registering import (
    cap_row,
    count_confirmed,
    ensure_unreported,
    lock_gathering,
    queue_confirmation,
)


def _has_place(gathering: Gathering, registration: Registration) -> bool:
    if registration.in_pool:
        free = count_confirmed(gathering, Registration.organisation_kind.in_(("county", "partner"))) \
            < gathering.pool_cap
    else:
        row = cap_row(gathering, registration.municipality)
        free = count_confirmed(gathering, Registration.municipality_id == registration.municipality_id) \
            < row.effective_cap(gathering.municipal_cap)
    return free and (gathering.capacity is None or count_confirmed(gathering) < gathering.capacity)


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
        if first is None or not _has_place(gathering, first):
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
    if registration.in_pool or gathering.capacity is not None:
        lock_gathering(gathering)
    if registration.municipality is not None:
        cap_row(gathering, registration.municipality, lock=True)
    was_confirmed = registration.status == "confirmed"
    registration.status = "cancelled"
    registration.cancelled_at = utcnow()
    db.session.flush()
    return promote_waitlist(gathering, registration, actor) if was_confirmed else []
