"""What cancelling a registration would do, for the confirmation page that asks first: who
would move up from the waitlist. Reads only; ``waitlist.cancel`` decides under the locks."""

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.registration.models import GatheringMunicipality, Registration
from eventapp.registration.services.registering import count_confirmed


def next_in_line(registration: Registration) -> Registration | None:
    """The first on ``registration``'s waitlist (its municipality's, or the pool's) who would
    take the freed place were it cancelled now; None when nobody would."""
    if registration.status != "confirmed":
        return None
    gathering = registration.gathering
    same_queue = (Registration.organisation_kind.in_(("county", "partner")) if registration.in_pool
                  else Registration.municipality_id == registration.municipality_id)
    first = db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.status == "waitlisted", same_queue)
        .order_by(Registration.created_at, Registration.id).limit(1)).first()
    if first is None:
        return None
    # The counts below still hold the registration being cancelled: one place less.
    if registration.in_pool:
        unit_free = count_confirmed(
            gathering, Registration.organisation_kind.in_(("county", "partner"))) - 1 \
            < gathering.pool_cap
    else:
        row = db.session.scalars(select(GatheringMunicipality).where(
            GatheringMunicipality.gathering_id == gathering.id,
            GatheringMunicipality.municipality_id == registration.municipality_id)).first()
        cap = row.effective_cap(gathering.municipal_cap) if row else gathering.municipal_cap
        unit_free = count_confirmed(
            gathering, Registration.municipality_id == registration.municipality_id) - 1 < cap
    venue_free = gathering.capacity is None or count_confirmed(gathering) - 1 < gathering.capacity
    return first if unit_free and venue_free else None
