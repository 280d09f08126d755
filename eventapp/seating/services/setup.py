"""What the host sets up: the rules (settings), the tables and the rounds of group work."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from eventapp.core import policy
from eventapp.core.db import lock_row
from eventapp.core.errors import Conflict, NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering, ProgrammeItem
from eventapp.seating.models import (
    MODES,
    Seat,
    SeatingPin,
    SeatingRound,
    SeatingSettings,
    SeatingTable,
)
from eventapp.seating.services.rules import region_counsellors, set_apart_regions

MAX_TABLES = 100
MAX_SEATS = 30  # the database's check
MAX_ROUNDS = 20
MAX_SEED = 2_147_483_647  # a PostgreSQL integer
NAME_MAX = 40


def _whole(value, field_name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(_("Give a whole number from %(low)s to %(high)s.", low=low,
                                 high=high), field=field_name)
    return value


# --- settings ----------------------------------------------------------------------------------

def settings_for(gathering: Gathering) -> SeatingSettings:
    """The gathering's seating rules, created with the defaults if it has none yet."""
    settings = db.session.get(SeatingSettings, gathering.id)
    if settings is None:
        settings = SeatingSettings(gathering_id=gathering.id)
        db.session.add(settings)
        db.session.flush()
    return settings


SWITCHES = ("spread_partner_kinds", "apart_neighbours", "spread_large", "follow_attendance")


def update_settings(gathering: Gathering, actor, *, min_counsellors_per_table: int,
                    max_county_staff_per_table: int, max_per_organisation: int, seed: int,
                    time_limit_s: int, apart_regions=None, **switches) -> SeatingSettings:
    """The rules (0 switches one off), the seed and the solver's time limit in seconds; the
    switches (``SWITCHES``: True or False, left out: unchanged) and the regions whose
    municipalities sit apart (counsellors' user ids; None: unchanged). Nothing is saved unless
    all of it is valid."""
    policy.authorize(actor, "seating.manage", gathering)
    values = {}
    errors = _more_rules_errors(gathering, apart_regions, switches)
    for name, value, low, high in (
            ("min_counsellors_per_table", min_counsellors_per_table, 0, 10),
            ("max_county_staff_per_table", max_county_staff_per_table, 0, 30),
            ("max_per_organisation", max_per_organisation, 0, 30),
            ("seed", seed, 0, MAX_SEED),
            ("time_limit_s", time_limit_s, 1, 60)):
        try:
            values[name] = _whole(value, name, low, high)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(_("Some settings are not valid."), fields=errors)
    settings = settings_for(gathering)
    for name, value in values.items():
        setattr(settings, name, value)
    _apply_more_rules(gathering, actor, settings, apart_regions, switches)
    return settings


def update_more_rules(gathering: Gathering, actor, *, apart_regions=None,
                      **switches) -> SeatingSettings:
    """Only the switches (``SWITCHES``: True or False; left out: unchanged) and the regions
    kept apart (counsellors' user ids; None: unchanged), all or nothing."""
    policy.authorize(actor, "seating.manage", gathering)
    errors = _more_rules_errors(gathering, apart_regions, switches)
    if errors:
        raise ValidationFailed(_("Some settings are not valid."), fields=errors)
    settings = settings_for(gathering)
    _apply_more_rules(gathering, actor, settings, apart_regions, switches)
    return settings


def _more_rules_errors(gathering: Gathering, apart_regions, switches: dict) -> dict:
    errors = {}
    for name, value in switches.items():
        if name not in SWITCHES:
            raise TypeError(f"unknown setting {name}")
        if not isinstance(value, bool):
            errors[name] = _("Choose on or off.")
    if apart_regions is not None:
        known = {u.id for u in region_counsellors(gathering)}
        if not isinstance(apart_regions, list | tuple) or any(
                isinstance(i, bool) or not isinstance(i, int) or i not in known
                for i in apart_regions):
            errors["apart_regions"] = _("Choose regions of this county's career counsellors.")
    return errors


def _apply_more_rules(gathering: Gathering, actor, settings: SeatingSettings, apart_regions,
                      switches: dict) -> None:
    for name, value in switches.items():
        setattr(settings, name, value)
    if apart_regions is not None:
        set_apart_regions(gathering, actor, list(apart_regions))
    db.session.flush()


# --- tables ------------------------------------------------------------------------------------

def tables(gathering: Gathering) -> list[SeatingTable]:
    return list(db.session.scalars(
        select(SeatingTable).where(SeatingTable.gathering_id == gathering.id)
        .order_by(SeatingTable.position, SeatingTable.id)))


def default_table_name(number: int) -> str:
    return _("Table %(number)s", number=number)


def _clean_name(name, field_name: str) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise ValidationFailed(_("Give the table a name."), field=field_name)
    if len(cleaned) > NAME_MAX:
        raise ValidationFailed(_("A table's name has at most %(max)s characters.", max=NAME_MAX),
                               field=field_name)
    return cleaned


def _drop_tables(ids: list[int]) -> None:
    """Remove tables with their seats and pins (SQLite does not cascade by itself)."""
    if not ids:
        return
    db.session.execute(delete(Seat).where(Seat.table_id.in_(ids)))
    db.session.execute(delete(SeatingPin).where(SeatingPin.table_id.in_(ids)))
    db.session.execute(delete(SeatingTable).where(SeatingTable.id.in_(ids)))


def _rename(pairs: list[tuple[SeatingTable, str]]) -> None:
    """Give tables new names without tripping the unique name on the way (names may swap)."""
    changing = [(t, name) for t, name in pairs if t.name != name]
    if not changing:
        return
    for table, _name in changing:
        if table.id is not None:
            table.name = f"~{table.id}~"
    db.session.flush()
    for table, name in changing:
        table.name = name
    db.session.flush()


def set_tables(gathering: Gathering, actor, *, count: int, seats: int,
               names: list[str] | None = None) -> list[SeatingTable]:
    """``count`` tables of ``seats`` seats each. Tables beyond ``count`` go (with their seats
    in the plan and their pins); the first keep their names unless ``names`` gives new ones;
    new tables are named "Table N"."""
    policy.authorize(actor, "seating.manage", gathering)
    errors = {}
    for name, value, high in (("count", count, MAX_TABLES), ("seats", seats, MAX_SEATS)):
        try:
            _whole(value, name, 1, high)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(_("The tables could not be set."), fields=errors)
    cleaned: list[str] | None = None
    if names is not None:
        if len(names) != count:
            raise ValidationFailed(_("Give one name per table (%(count)s names).", count=count),
                                   field="names")
        cleaned = [_clean_name(n, "names") for n in names]
        if len({n.casefold() for n in cleaned}) != len(cleaned):
            raise ValidationFailed(_("Two tables cannot have the same name."), field="names")
    lock_row(Gathering, gathering.id)
    existing = tables(gathering)
    keep, drop = existing[:count], existing[count:]
    _drop_tables([t.id for t in drop])
    wanted = list(cleaned) if cleaned is not None else [t.name for t in keep]
    taken = {n.casefold() for n in wanted}
    while len(wanted) < count:
        number = len(wanted) + 1
        while default_table_name(number).casefold() in taken:
            number += 1
        wanted.append(default_table_name(number))
        taken.add(wanted[-1].casefold())
    made = []
    for i in range(len(keep), count):
        table = SeatingTable(gathering_id=gathering.id, name=f"~new{i}~", seats=seats, position=i)
        db.session.add(table)
        made.append(table)
    for i, table in enumerate(keep):
        table.seats = seats
        table.position = i
    db.session.flush()
    _rename(list(zip(keep + made, wanted, strict=True)))
    return tables(gathering)


def update_table(table: SeatingTable, actor, *, name: str, seats: int) -> SeatingTable:
    gathering = db.session.get(Gathering, table.gathering_id)
    policy.authorize(actor, "seating.manage", gathering)
    cleaned = _clean_name(name, "name")
    _whole(seats, "seats", 1, MAX_SEATS)
    clash = [t for t in tables(gathering)
             if t.id != table.id and t.name.casefold() == cleaned.casefold()]
    if clash:
        raise ValidationFailed(_("Another table already has this name."), field="name")
    table.seats = seats
    _rename([(table, cleaned)])
    db.session.flush()
    return table


# --- rounds ------------------------------------------------------------------------------------

def rounds(gathering: Gathering) -> list[SeatingRound]:
    # With their group-work items (each round's day and heading), not the items' speakers and
    # topics.
    return list(db.session.scalars(
        select(SeatingRound).where(SeatingRound.gathering_id == gathering.id)
        .options(joinedload(SeatingRound.programme_item).lazyload("*"))
        .order_by(SeatingRound.position, SeatingRound.id)))


def group_work_items(gathering: Gathering) -> list[ProgrammeItem]:
    """The programme's live group-work items, in time order."""
    return list(db.session.scalars(
        select(ProgrammeItem).where(ProgrammeItem.gathering_id == gathering.id,
                                    ProgrammeItem.kind == "group_work",
                                    ProgrammeItem.cancelled_at.is_(None))
        .order_by(ProgrammeItem.starts_at, ProgrammeItem.id)))


def mode_label(mode: str) -> str:
    return {"mixed": _("Mixed"), "regional": _("Regional")}.get(mode, mode)


def set_rounds(gathering: Gathering, actor,
               wanted: list[tuple[str, int | None]]) -> list[SeatingRound]:
    """The rounds in order, each (mode, group-work item id or None). Rounds keep their ids by
    position, so a plan survives a change of mode or item; rounds beyond the list go with their
    seats and pins."""
    policy.authorize(actor, "seating.manage", gathering)
    if not isinstance(wanted, list | tuple) or len(wanted) > MAX_ROUNDS:
        raise ValidationFailed(_("Give at most %(max)s rounds.", max=MAX_ROUNDS), field="rounds")
    items = {i.id: i for i in group_work_items(gathering)}
    errors = {}
    seen: set[int] = set()
    for i, entry in enumerate(wanted):
        if not isinstance(entry, list | tuple) or len(entry) != 2:
            raise ValidationFailed(_("Give each round a mode and, if any, a group-work item."),
                                   field=f"rounds.{i}")
        mode, item_id = entry
        if mode not in MODES:
            errors[f"rounds.{i}.mode"] = _("Choose mixed or regional.")
        if item_id is not None:
            if isinstance(item_id, bool) or not isinstance(item_id, int) or item_id not in items:
                errors[f"rounds.{i}.programme_item_id"] = _(
                    "Choose a group-work item of this gathering's programme.")
            elif item_id in seen:
                errors[f"rounds.{i}.programme_item_id"] = _(
                    "Each group-work item can have one round only.")
            else:
                seen.add(item_id)
    if errors:
        raise ValidationFailed(_("The rounds could not be set."), fields=errors)
    lock_row(Gathering, gathering.id)
    existing = rounds(gathering)
    keep, drop = existing[:len(wanted)], existing[len(wanted):]
    if drop:
        ids = [r.id for r in drop]
        db.session.execute(delete(Seat).where(Seat.round_id.in_(ids)))
        db.session.execute(delete(SeatingPin).where(SeatingPin.round_id.in_(ids)))
        db.session.execute(delete(SeatingRound).where(SeatingRound.id.in_(ids)))
        db.session.flush()
    # Positions are kept 0..n-1, so rewriting them in place never collides.
    for i, (mode, item_id) in enumerate(wanted):
        if i < len(keep):
            rnd = keep[i]
        else:
            rnd = SeatingRound(gathering_id=gathering.id)
            db.session.add(rnd)
        rnd.position = i
        rnd.mode = mode
        rnd.programme_item_id = item_id
    db.session.flush()
    return rounds(gathering)


def rounds_from_programme(gathering: Gathering, actor) -> list[SeatingRound]:
    """One round per group-work item, in time order; a round already tied to an item keeps its
    mode, the others are mixed."""
    policy.authorize(actor, "seating.manage", gathering)
    modes = {r.programme_item_id: r.mode for r in rounds(gathering)
             if r.programme_item_id is not None}
    items = group_work_items(gathering)
    if not items:
        raise Conflict(_("The programme has no group work yet: add group-work items first, or "
                         "set the rounds by hand."))
    return set_rounds(gathering, actor, [(modes.get(i.id, "mixed"), i.id) for i in items])


def get_table(gathering: Gathering, ident: int) -> SeatingTable:
    table = db.session.get(SeatingTable, ident)
    if table is None or table.gathering_id != gathering.id:
        raise NotFound(_("No such table."))
    return table


# --- removing one round (for the setup page) ---------------------------------------------------

def remove_round(rnd: SeatingRound, actor) -> list[SeatingRound]:
    """Remove one round with its seats and pins; the rounds after it move up one place and keep
    their own seats and pins (``set_rounds`` keeps ids by position, which would hand a removed
    round's seats to the next one)."""
    gathering = db.session.get(Gathering, rnd.gathering_id)
    policy.authorize(actor, "seating.manage", gathering)
    lock_row(Gathering, gathering.id)
    db.session.execute(delete(Seat).where(Seat.round_id == rnd.id))
    db.session.execute(delete(SeatingPin).where(SeatingPin.round_id == rnd.id))
    db.session.execute(delete(SeatingRound).where(SeatingRound.id == rnd.id))
    db.session.expire_all()
    # One position at a time, upwards, so no two rounds ever hold the same position.
    for i, later in enumerate(rounds(gathering)):
        if later.position != i:
            later.position = i
            db.session.flush()
    return rounds(gathering)
