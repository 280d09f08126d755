"""Cancelling frees a place, and the first on that municipality's (or the pool's) waitlist
takes it. Whoever is cancelled is told so by mail, in the same transaction."""

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from eventapp.core import policy
from eventapp.core.errors import Conflict, NotFound
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import Registration
from eventapp.registration.services.registering import (
    cap_row,
    count_confirmed,
    ensure_unreported,
    has_place,
    hold_places,
    queue_confirmation,
    unit_has_place,
    venue_has_place,
)

# Who cancelled, as the mail tells it: the person themselves (by their private link), the
# county's host, or their municipality's contact.
CANCELLED_BY = ("self", "host", "municipal")


def _same_queue(like: Registration):
    """The waitlist ``like`` stands in: its municipality's, or the pool's."""
    return (Registration.organisation_kind.in_(("county", "partner")) if like.in_pool
            else Registration.municipality_id == like.municipality_id)


def waitlist_position(registration: Registration) -> int | None:
    """The registration's place in its waitlist (1 is next in line), or None when it is not
    waiting. The order is the promotion order of ``promote_waitlist``."""
    if registration.status != "waitlisted":
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.gathering_id == registration.gathering_id,
            Registration.status == "waitlisted", _same_queue(registration),
            or_(Registration.created_at < registration.created_at,
                and_(Registration.created_at == registration.created_at,
                     Registration.id < registration.id))))
    return (ahead or 0) + 1


def waitlist_positions(registrations) -> dict[int, int]:
    """Each waitlisted registration's place in its queue, from a gathering's live registrations
    already loaded (one queue per municipality, one for the pool): no query per person."""
    queues: dict = {}
    for r in sorted((r for r in registrations if r.status == "waitlisted"),
                    key=lambda r: (r.created_at, r.id)):
        queue = queues.setdefault("pool" if r.in_pool else r.municipality_id, [])
        queue.append(r.id)
    return {ident: n for queue in queues.values() for n, ident in enumerate(queue, start=1)}


def promote_waitlist(gathering: Gathering, like: Registration, actor=None) -> list[Registration]:
    """Confirm the first on the waitlist of ``like``'s municipality (or the pool) while places
    are free, and mail them. The caller holds the locks."""
    promoted = []
    while True:
        first = db.session.scalars(
            select(Registration).where(Registration.gathering_id == gathering.id,
                                       Registration.status == "waitlisted", _same_queue(like))
            .order_by(Registration.created_at, Registration.id).limit(1)
        ).first()
        row = cap_row(gathering, first.municipality) if first and not first.in_pool else None
        if first is None or not has_place(gathering, first, row):
            return promoted
        first.status = "confirmed"
        db.session.flush()
        queue_confirmation(gathering, first, actor)
        promoted.append(first)


def promote_by_hand(registration: Registration, actor) -> Registration:
    """The host gives a waiting person a place out of turn, within the same limits as any
    promotion: a free place under the municipality's (or the pool's) cap and the venue's
    capacity, checked under the locks of ``cancel``. The person gets the confirmation mail.
    A refusal (Conflict) says which limit is reached and changes nothing."""
    gathering = db.session.get(Gathering, registration.gathering_id)
    if not policy.can(actor, "registration.manage", gathering):
        raise NotFound(_("No such registration."))
    ensure_unreported(gathering)
    row = hold_places(gathering, registration.municipality)
    ensure_unreported(gathering)
    # Another may have promoted or cancelled it while this waited.
    db.session.refresh(registration)
    if registration.status != "waitlisted":
        raise Conflict(_("%(name)s is no longer on the waitlist.", name=registration.name))
    if not unit_has_place(gathering, registration, row):
        if registration.in_pool:
            taken = count_confirmed(
                gathering, Registration.organisation_kind.in_(("county", "partner")))
            raise Conflict(_("The pool for county staff and partners has no free place: "
                             "%(taken)d of %(cap)d are taken.", taken=taken,
                             cap=gathering.pool_cap))
        taken = count_confirmed(gathering,
                                Registration.municipality_id == registration.municipality_id)
        raise Conflict(_("%(unit)s has no free place: %(taken)d of %(cap)d are taken.",
                         unit=registration.organisation_name, taken=taken,
                         cap=row.effective_cap(gathering.municipal_cap)))
    if not venue_has_place(gathering):
        raise Conflict(_("The venue has no free place: %(taken)d of %(cap)d are taken.",
                         taken=count_confirmed(gathering), cap=gathering.capacity))
    registration.status = "confirmed"
    db.session.flush()
    queue_confirmation(gathering, registration, actor)
    return registration


def cancel(registration: Registration, actor=None, *, by: str | None = None) -> list[Registration]:
    """Free the place and promote the first on that waitlist. Returns who was promoted.

    ``by`` says who cancelled, for the mail the cancelled person gets: "self" (by their own
    link), "host" or "municipal"; without it, no actor is the person themselves and an actor
    is the host if they may manage the gathering's registrations, else their municipality."""
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
    _queue_cancelled(gathering, registration, actor, by or _who(gathering, actor), was_confirmed)
    return promote_waitlist(gathering, registration, actor) if was_confirmed else []


def _who(gathering: Gathering, actor) -> str:
    if actor is None:
        return "self"
    return "host" if policy.can(actor, "registration.manage", gathering, record=False) \
        else "municipal"


def _queue_cancelled(gathering: Gathering, registration: Registration, actor, by: str,
                     had_place: bool) -> None:
    """Tell the person their registration is cancelled, and by whom. No calendar file: there is
    nothing for them to add (a calendar that has the event keeps it until they remove it)."""
    from eventapp.mail.services import queue_template

    if by not in CANCELLED_BY:
        raise ValueError(by)
    queue_template(f"registration.cancelled_{by}", "mail/registration_cancelled",
                   to=registration.email, to_name=registration.name, created_by=actor,
                   county_id=gathering.county_id, gathering_id=gathering.id,
                   registration=registration, gathering=gathering, by=by, had_place=had_place)
