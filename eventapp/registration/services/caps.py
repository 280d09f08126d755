"""Each municipality's places and the pool: read for the host's list and getCapStatus, and
changed by the host (setOrganisationCap, the municipality board)."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from eventapp.core import policy
from eventapp.core.db import lock_row
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.services import MAX_MUNICIPAL_CAP, answering_units
from eventapp.places.models import Municipality
from eventapp.registration.models import GatheringMunicipality, Registration
from eventapp.registration.services.registering import (
    LIVE,
    cap_row,
    ensure_unreported,
    registration_units,
)
from eventapp.registration.services.waitlist import promote_waitlist


@dataclass
class CapLine:
    municipality: Municipality | None
    cap: int
    confirmed: int
    waitlisted: int
    overridden: bool = False

    @property
    def free(self) -> int:
        return max(self.cap - self.confirmed, 0)

    @property
    def over(self) -> bool:
        """More confirmed than the cap: the host lowered it after they registered."""
        return self.confirmed > self.cap


def _counts(gathering: Gathering) -> dict:
    rows = db.session.execute(
        select(Registration.municipality_id, Registration.organisation_kind, Registration.status,
               func.count()).where(Registration.gathering_id == gathering.id,
                                   Registration.status.in_(LIVE))
        .group_by(Registration.municipality_id, Registration.organisation_kind,
                  Registration.status)).all()
    counts: dict = {}
    for municipality_id, kind, status, n in rows:
        key = "pool" if kind in ("county", "partner") else municipality_id
        counts.setdefault(key, {"confirmed": 0, "waitlisted": 0})[status] += n
    return counts


def _lines(gathering: Gathering, units: list[Municipality], counts: dict) -> list[CapLine]:
    overrides = {r.municipality_id: r.cap for r in db.session.scalars(
        select(GatheringMunicipality).where(GatheringMunicipality.gathering_id == gathering.id,
                                            GatheringMunicipality.cap.is_not(None)))}
    return [CapLine(u, overrides.get(u.id, gathering.municipal_cap),
                    counts.get(u.id, {}).get("confirmed", 0),
                    counts.get(u.id, {}).get("waitlisted", 0), u.id in overrides)
            for u in units]


def _pool(gathering: Gathering, counts: dict) -> CapLine:
    pool = counts.get("pool", {})
    return CapLine(None, gathering.pool_cap, pool.get("confirmed", 0), pool.get("waitlisted", 0))


def cap_lines(gathering: Gathering, unit: Municipality | None = None) -> list[CapLine]:
    """Each municipality's (or district's) places: cap, confirmed, waitlisted."""
    units = [unit] if unit is not None else registration_units(gathering)
    return _lines(gathering, units, _counts(gathering))


def cap_overview(gathering: Gathering,
                 units: list[Municipality] | None = None) -> tuple[list[CapLine], CapLine]:
    """Every municipality's places and the pool's, counted once; ``units``: the registering
    units when the caller has them (``registration_units``)."""
    counts = _counts(gathering)
    units = registration_units(gathering) if units is None else units
    return _lines(gathering, units, counts), _pool(gathering, counts)


def cap_status(gathering: Gathering) -> dict:
    """getCapStatus: every municipality's places, and the pool."""
    lines, pool = cap_overview(gathering)
    return {
        "organisations": [
            {"organisation_number": c.municipality.number, "name": c.municipality.name,
             "kind": c.municipality.kind, "cap": c.cap, "confirmed": c.confirmed,
             "waitlisted": c.waitlisted}
            for c in lines],
        "pool": {"cap": pool.cap, "confirmed": pool.confirmed, "waitlisted": pool.waitlisted},
    }


def over_cap_note(gathering: Gathering, municipality: Municipality) -> str | None:
    """What to tell a host whose new cap is below the places already confirmed (nobody is
    removed, see ``set_municipality_cap``); None when the cap covers them."""
    line = cap_lines(gathering, municipality)[0]
    if not line.over:
        return None
    return _("%(name)s has %(confirmed)d confirmed, more than the %(cap)d places it has now. "
             "Nobody is removed: those confirmed keep their places, and nobody new gets one "
             "until fewer than %(cap)d are confirmed.", name=municipality.name,
             confirmed=line.confirmed, cap=line.cap)


def unit_by_number(gathering: Gathering, number: str) -> Municipality | None:
    return next((u for u in registration_units(gathering) if u.number == number), None)


def set_municipality_cap(gathering: Gathering, actor, municipality: Municipality,
                         cap: int | None) -> list[Registration]:
    """Raise or lower one municipality's places (None: the gathering's cap applies).

    The gathering is held exclusively (the lock order in ``eventapp.core.db``): the change waits
    for the places being taken to be done, and those taken after it meet the new cap. A
    cap below the number already confirmed is allowed and removes nobody: those confirmed keep
    their places, and nobody new gets one until the count is below the cap again. A raised cap
    confirms the first on the municipality's waitlist. Returns the promoted registrations."""
    policy.authorize(actor, "caps.set", gathering)
    if all(u.id != municipality.id for u in answering_units(gathering)):
        raise ValidationFailed(_("Choose a municipality in %(county)s.",
                                 county=gathering.county.name), field="cap")
    if cap is not None and not 0 <= cap <= MAX_MUNICIPAL_CAP:
        raise ValidationFailed(_("Choose between 0 and %(n)d places.", n=MAX_MUNICIPAL_CAP),
                               field="cap")
    lock_row(Gathering, gathering.id)
    ensure_unreported(gathering)
    row = cap_row(gathering, municipality, lock=True)
    row.cap = cap
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    db.session.flush()
    first_waiting = db.session.scalars(
        select(Registration).where(
            Registration.gathering_id == gathering.id,
            Registration.municipality_id == municipality.id,
            Registration.status == "waitlisted")
        .order_by(Registration.created_at, Registration.id).limit(1)
    ).first()
    return promote_waitlist(gathering, first_waiting, actor) if first_waiting else []
