"""Host and municipal registration: the county host registers anyone (also after the
deadline) and sees the preferred mix and the county delegation; a municipal contact registers
their own municipality's people. Caps are read in ``caps`` and taken in ``register``."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from eventapp.core import policy
from eventapp.core.errors import Forbidden, NotFound, ValidationFailed
from eventapp.core.listing import Sort, matches
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.places.models import Municipality
from eventapp.registration.models import Registration
from eventapp.registration.services.registering import (
    LIVE,
    RegistrationData,
    register,
    registration_units,
)
from eventapp.registration.services.waitlist import cancel, promote_by_hand

COUNTY_STAFF_ROLES = ("county_staff", "career_counsellor")


def own_unit(gathering: Gathering, user) -> Municipality | None:
    """The registration unit (municipality or Oslo district) a municipal contact acts for, or
    None when ``user`` does not register for a municipality of this gathering's county."""
    if not policy.can(user, "registration.municipal", gathering):
        return None
    return next((u for u in registration_units(gathering) if u.id == user.municipality_id), None)


def municipal_register(gathering: Gathering, actor, data: RegistrationData) -> Registration:
    """A municipal contact registers a colleague for their own municipality only."""
    unit = own_unit(gathering, actor)
    if unit is None:
        raise Forbidden(_("Only a municipal contact in %(county)s may register people here.",
                          county=gathering.county.name))
    if data.organisation_kind not in ("municipality", "district") or (
            data.municipality_number and data.municipality_number != unit.number):
        raise Forbidden(_("You may register people only for %(unit)s.", unit=unit.name),
                        field="municipality")
    data.organisation_kind = unit.kind
    data.municipality_number = unit.number
    return register(gathering, data, channel="municipal_contact", actor=actor)


def host_register(gathering: Gathering, actor, data: RegistrationData) -> Registration:
    """The county host registers anyone, also after the deadline."""
    policy.authorize(actor, "registration.manage", gathering)
    return register(gathering, data, channel="host", actor=actor)


def unit_registrations(gathering: Gathering, unit: Municipality) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.municipality_id == unit.id)
        .order_by(Registration.created_at, Registration.id)))


@dataclass
class Delegation:
    leaders: int
    staff: int

    @property
    def ok(self) -> bool:
        return self.leaders >= 1 and self.staff >= 2


def delegation_check(gathering: Gathering) -> Delegation:
    """The county attends with its leader and at least two staff (confirmed registrations)."""
    rows = db.session.execute(
        select(Registration.role, func.count()).where(
            Registration.gathering_id == gathering.id, Registration.status == "confirmed",
            Registration.organisation_kind == "county",
            Registration.county_id == gathering.county_id)
        .group_by(Registration.role)).all()
    by_role = dict(rows)
    return Delegation(by_role.get("leader", 0),
                      sum(by_role.get(r, 0) for r in COUNTY_STAFF_ROLES))


def mix_hints(gathering: Gathering) -> dict[int, list[str]]:
    """Guidance, never enforced: each municipality with someone registered should preferably
    send a leader and a programme adviser. Municipality id → hints."""
    rows = db.session.execute(
        select(Registration.municipality_id, Registration.role).where(
            Registration.gathering_id == gathering.id, Registration.status.in_(LIVE),
            Registration.municipality_id.is_not(None))).all()
    roles: dict[int, set] = {}
    for municipality_id, role in rows:
        roles.setdefault(municipality_id, set()).add(role)
    hints = {}
    no_leader, no_adviser = _("No leader yet"), _("No programme adviser yet")
    for municipality_id, present in roles.items():
        found = []
        if "leader" not in present:
            found.append(no_leader)
        if "programme_adviser" not in present:
            found.append(no_adviser)
        if found:
            hints[municipality_id] = found
    return hints


# The columns the host's list sorts by, each a key on a registration (ties by time, then id).
REGISTRATION_SORTS = {
    "name": lambda r: r.name.casefold(),
    "organisation": lambda r: r.organisation_name.casefold(),
    "status": lambda r: r.status,
    "created": lambda r: r.created_at,
}


def host_registrations(gathering: Gathering, *, status: str | None = None,
                       municipality_id: int | None = None, q: str = "", day: int | None = None,
                       sort: Sort | None = None) -> list[Registration]:
    """The host's list, filtered and sorted; one statement whatever its length. The search
    (name, email, organisation) and the sort run in Python so letters fold alike everywhere."""
    stmt = (select(Registration).where(Registration.gathering_id == gathering.id)
            .options(joinedload(Registration.municipality), joinedload(Registration.county))
            .order_by(Registration.created_at, Registration.id))
    if status:
        stmt = stmt.where(Registration.status == status)
    if municipality_id:
        stmt = stmt.where(Registration.municipality_id == municipality_id)
    if day in (1, 2):
        stmt = stmt.where(Registration.day1.is_(True) if day == 1 else Registration.day2.is_(True))
    rows = list(db.session.scalars(stmt).unique())
    if q:
        rows = [r for r in rows if matches(q, r.name, r.email, r.organisation_name)]
    if sort is not None and sort.key in REGISTRATION_SORTS:
        rows.sort(key=REGISTRATION_SORTS[sort.key], reverse=sort.desc)  # stable: time breaks ties
    return rows


def chosen_registrations(gathering: Gathering, ids: set[int]) -> list[Registration]:
    """The registrations ``ids`` of this gathering (others are left out, for the caller to
    notice), in one statement, ordered by municipality then id: bulk actions take the
    municipalities' cap locks in that order."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.id.in_(ids))
        .options(joinedload(Registration.municipality), joinedload(Registration.county))
    ).unique().all()
    return sorted(rows, key=lambda r: (r.municipality_id or 0, r.id))


def registration_for_host(gathering: Gathering, registration_id: int, actor) -> Registration:
    """A registration of this gathering, for its county host; 404 for anyone else."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.gathering_id != gathering.id \
            or not policy.can(actor, "registration.cancel", gathering):
        raise NotFound(_("No such registration."))
    return registration


def host_cancel(registration: Registration, actor) -> list[Registration]:
    """The host cancels a registration; the person is told, and the first on that waitlist is
    promoted and mailed."""
    gathering = db.session.get(Gathering, registration.gathering_id)
    if not policy.can(actor, "registration.cancel", gathering):
        raise NotFound(_("No such registration."))
    if registration.status == "cancelled":
        raise ValidationFailed(_("This registration is already cancelled."))
    return cancel(registration, actor, by="host")


def municipal_registration(gathering: Gathering, registration_id: int, actor) -> Registration:
    """A registration of the municipal contact's own municipality; 404 for any other."""
    unit = own_unit(gathering, actor)
    registration = db.session.get(Registration, registration_id)
    if unit is None or registration is None or registration.gathering_id != gathering.id \
            or registration.municipality_id != unit.id:
        raise NotFound(_("No such registration."))
    return registration


def municipal_cancel(registration: Registration, actor) -> list[Registration]:
    """A municipal contact withdraws one of their own municipality's people: the person is
    told (cancelled by the municipality) and the first on that waitlist is promoted."""
    gathering = db.session.get(Gathering, registration.gathering_id)
    unit = own_unit(gathering, actor)
    if unit is None or registration.municipality_id != unit.id:
        raise NotFound(_("No such registration."))
    if registration.status == "cancelled":
        raise ValidationFailed(_("This registration is already cancelled."))
    return cancel(registration, actor, by="municipal")


def host_promote(registration: Registration, actor) -> Registration:
    """The host gives a waiting person a place by hand, within the caps (``promote_by_hand``)."""
    return promote_by_hand(registration, actor)
