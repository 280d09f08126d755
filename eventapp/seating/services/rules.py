"""The rules between municipalities: neighbours the host marks (per county, so the next
gathering keeps them) and regions whose municipalities sit at different tables (per gathering).
A region is the municipalities one of the county's career counsellors serves, the same regions
as in regional rounds."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from eventapp.core import policy
from eventapp.core.errors import NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.places.models import Municipality
from eventapp.seating.models import SeatingApartRegion, SeatingNeighbour

# --- neighbours -------------------------------------------------------------------------------

def neighbours(county_id: int) -> list[SeatingNeighbour]:
    """The county's marked pairs, by the first municipality's name."""
    first = aliased(Municipality)
    return list(db.session.scalars(
        select(SeatingNeighbour).join(first, SeatingNeighbour.first_id == first.id)
        .where(SeatingNeighbour.county_id == county_id)
        .options(contains_eager(SeatingNeighbour.first.of_type(first)),
                 joinedload(SeatingNeighbour.second))
        .order_by(first.name, SeatingNeighbour.id)))


def neighbour_choices(gathering: Gathering) -> list[Municipality]:
    """The municipalities a pair may name: the county's own, live ones."""
    return list(db.session.scalars(
        select(Municipality).where(Municipality.county_id == gathering.county_id,
                                   Municipality.kind == "municipality",
                                   Municipality.active.is_(True))
        .order_by(Municipality.name)))


def _unit(gathering: Gathering, ident, field_name: str) -> Municipality:
    unit = db.session.get(Municipality, ident) if isinstance(ident, int) \
        and not isinstance(ident, bool) else None
    if unit is None or unit.county_id != gathering.county_id or unit.kind != "municipality":
        raise ValidationFailed(_("Choose a municipality of %(county)s.",
                                 county=gathering.county.name), field=field_name)
    return unit


def add_neighbour(gathering: Gathering, actor, *, municipality_id: int,
                  neighbour_id: int) -> SeatingNeighbour:
    """Mark two municipalities of the gathering's county as neighbours."""
    policy.authorize(actor, "seating.manage", gathering)
    errors = {}
    units = {}
    for name, ident in (("municipality_id", municipality_id), ("neighbour_id", neighbour_id)):
        try:
            units[name] = _unit(gathering, ident, name)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(_("The pair could not be marked."), fields=errors)
    first, second = units["municipality_id"], units["neighbour_id"]
    if first.id == second.id:
        raise ValidationFailed(_("Choose two different municipalities."), field="neighbour_id")
    low, high = sorted((first.id, second.id))
    if db.session.scalars(select(SeatingNeighbour).where(
            SeatingNeighbour.first_id == low, SeatingNeighbour.second_id == high)).first():
        raise ValidationFailed(_("%(first)s and %(second)s are already marked as neighbours.",
                                 first=first.name, second=second.name), field="neighbour_id")
    pair = SeatingNeighbour(county_id=gathering.county_id, first_id=low, second_id=high)
    db.session.add(pair)
    db.session.flush()
    return pair


def get_neighbour(gathering: Gathering, ident: int) -> SeatingNeighbour:
    pair = db.session.get(SeatingNeighbour, ident)
    if pair is None or pair.county_id != gathering.county_id:
        raise NotFound(_("No such pair."))
    return pair


def remove_neighbour(gathering: Gathering, pair: SeatingNeighbour, actor) -> None:
    policy.authorize(actor, "seating.manage", gathering)
    if pair.county_id != gathering.county_id:
        raise NotFound(_("No such pair."))
    db.session.delete(pair)
    db.session.flush()


# --- regions kept apart -----------------------------------------------------------------------

def region_counsellors(gathering: Gathering) -> list:
    """The county's career counsellors who serve municipalities: one region each."""
    from eventapp.accounts.models import User

    users = db.session.scalars(
        select(User).where(User.role == "counsellor", User.county_id == gathering.county_id)
        .order_by(User.name, User.id))
    return [u for u in users if u.assigned_municipalities]


def apart_regions(gathering: Gathering) -> list[SeatingApartRegion]:
    return list(db.session.scalars(
        select(SeatingApartRegion).where(SeatingApartRegion.gathering_id == gathering.id)
        .order_by(SeatingApartRegion.id)))


def set_apart_regions(gathering: Gathering, actor, counsellor_ids) -> list[SeatingApartRegion]:
    """The regions whose municipalities sit at different tables: all of them at once, by their
    counsellor's user id."""
    policy.authorize(actor, "seating.manage", gathering)
    known = {u.id for u in region_counsellors(gathering)}
    if not isinstance(counsellor_ids, list | tuple | set) or any(
            isinstance(i, bool) or not isinstance(i, int) or i not in known
            for i in counsellor_ids):
        raise ValidationFailed(_("Choose regions of this county's career counsellors."),
                               field="apart_regions")
    wanted = set(counsellor_ids)
    have = {r.counsellor_id: r for r in apart_regions(gathering)}
    gone = [r.id for cid, r in have.items() if cid not in wanted]
    if gone:
        db.session.execute(delete(SeatingApartRegion).where(SeatingApartRegion.id.in_(gone)))
    for cid in sorted(wanted - set(have)):
        db.session.add(SeatingApartRegion(gathering_id=gathering.id, counsellor_id=cid))
    db.session.flush()
    db.session.expire_all()
    return apart_regions(gathering)
