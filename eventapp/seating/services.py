"""Seating workflows: tables, rounds, pins and keep-apart pairs per gathering, and the plan.

The solver (``solver.py``) works on plain data with string ids; this module maps rows to it and
back. A person is ``r<registration id>``, a table ``t<table id>``, a round its index in position
order. Everything the solver says in English with ids is put into words here, translated, with
names (``describe`` and ``describe_infeasible``).

The stored plan is one ``Seat`` per person and round plus the solver's report (metrics, broken
rules, rules that cannot be met) in ``SeatingSettings.plan_report``. The report carries a
fingerprint of the instance it was computed for: when tables, rounds, rules or people have
changed since, ``current_plan`` scores the stored seats again against what holds now and says
who is no longer or not yet seated, so the page can offer to re-plan.

Mutating services check that the actor is the county's host and flush, never commit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, select

from eventapp.core.access import COUNTY_ROLES, may_manage_county
from eventapp.core.db import lock_row
from eventapp.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering, ProgrammeItem
from eventapp.registration.models import Registration
from eventapp.seating import solver
from eventapp.seating.models import (
    MODES,
    Seat,
    SeatingApart,
    SeatingPin,
    SeatingRound,
    SeatingSettings,
    SeatingTable,
)

MAX_TABLES = 100
MAX_SEATS = 30  # the database's check
MAX_ROUNDS = 20
MAX_SEED = 2_147_483_647  # a PostgreSQL integer
NAME_MAX = 40
SOLVER_ROLES = ("career_counsellor", "county_staff", "partner", "leader", "programme_adviser",
                "speaker", "other")


# --- access ------------------------------------------------------------------------------------

def may_manage(user, gathering: Gathering) -> bool:
    """Tables, rounds, pins and the plan are the county host's to change."""
    return may_manage_county(user, gathering.county_id)


def may_see(user, gathering: Gathering) -> bool:
    """The plan is read by the county's host and career counsellors (they sit at the tables)."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and user.role in COUNTY_ROLES and user.county_id == gathering.county_id)


def _require_host(actor, gathering: Gathering) -> None:
    if not may_manage(actor, gathering):
        raise Forbidden(_("Only the county's host can change the table plan."))


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


def update_settings(gathering: Gathering, actor, *, min_counsellors_per_table: int,
                    max_county_staff_per_table: int, max_per_organisation: int, seed: int,
                    time_limit_s: int) -> SeatingSettings:
    """The rules (0 switches one off), the seed and the solver's time limit in seconds."""
    _require_host(actor, gathering)
    values = {}
    errors = {}
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
    db.session.flush()
    return settings


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
    _require_host(actor, gathering)
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
    _require_host(actor, gathering)
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
    return list(db.session.scalars(
        select(SeatingRound).where(SeatingRound.gathering_id == gathering.id)
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
    _require_host(actor, gathering)
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
    _require_host(actor, gathering)
    modes = {r.programme_item_id: r.mode for r in rounds(gathering)
             if r.programme_item_id is not None}
    items = group_work_items(gathering)
    if not items:
        raise Conflict(_("The programme has no group work yet: add group-work items first, or "
                         "set the rounds by hand."))
    return set_rounds(gathering, actor, [(modes.get(i.id, "mixed"), i.id) for i in items])


# --- people, pins and pairs kept apart ---------------------------------------------------------

def people(gathering: Gathering) -> list[Registration]:
    """Who is seated: the confirmed registrations, by name."""
    return list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.status == "confirmed")
        .order_by(Registration.name, Registration.id)))


def _registration(gathering: Gathering, ident, field_name: str) -> Registration:
    reg = db.session.get(Registration, ident) if isinstance(ident, int) else None
    if reg is None or reg.gathering_id != gathering.id:
        raise ValidationFailed(_("Choose a participant of this gathering."), field=field_name)
    if reg.status != "confirmed":
        raise ValidationFailed(_("Only confirmed participants get a seat."), field=field_name)
    return reg


def _round(gathering: Gathering, ident, field_name: str = "round_id") -> SeatingRound:
    rnd = db.session.get(SeatingRound, ident) if isinstance(ident, int) else None
    if rnd is None or rnd.gathering_id != gathering.id:
        raise ValidationFailed(_("Choose a round of this gathering."), field=field_name)
    return rnd


def _table(gathering: Gathering, ident, field_name: str = "table_id") -> SeatingTable:
    table = db.session.get(SeatingTable, ident) if isinstance(ident, int) else None
    if table is None or table.gathering_id != gathering.id:
        raise ValidationFailed(_("Choose a table of this gathering."), field=field_name)
    return table


def pins(gathering: Gathering) -> list[SeatingPin]:
    return list(db.session.scalars(
        select(SeatingPin).join(SeatingRound, SeatingPin.round_id == SeatingRound.id)
        .join(Registration, SeatingPin.registration_id == Registration.id)
        .where(SeatingRound.gathering_id == gathering.id)
        .order_by(SeatingRound.position, Registration.name, SeatingPin.id)))


def add_pin(gathering: Gathering, actor, *, registration_id: int, round_id: int,
            table_id: int) -> SeatingPin:
    """Seat someone at a table in a round whatever the solver would do; a second pin for the
    same person and round replaces the first."""
    _require_host(actor, gathering)
    reg = _registration(gathering, registration_id, "registration_id")
    rnd = _round(gathering, round_id)
    table = _table(gathering, table_id)
    pin = db.session.scalars(select(SeatingPin).where(
        SeatingPin.round_id == rnd.id, SeatingPin.registration_id == reg.id)).first()
    if pin is None:
        pin = SeatingPin(round_id=rnd.id, registration_id=reg.id)
        db.session.add(pin)
    pin.table_id = table.id
    db.session.flush()
    return pin


def remove_pin(pin: SeatingPin, actor) -> None:
    gathering = db.session.get(Gathering, pin.round.gathering_id)
    _require_host(actor, gathering)
    db.session.delete(pin)
    db.session.flush()


def aparts(gathering: Gathering) -> list[SeatingApart]:
    return list(db.session.scalars(
        select(SeatingApart).where(SeatingApart.gathering_id == gathering.id)
        .order_by(SeatingApart.id)))


def add_apart(gathering: Gathering, actor, *, first_id: int, second_id: int) -> SeatingApart:
    """Two people who must not share a table in any round."""
    _require_host(actor, gathering)
    first = _registration(gathering, first_id, "first_id")
    second = _registration(gathering, second_id, "second_id")
    if first.id == second.id:
        raise ValidationFailed(_("Choose two different people."), field="second_id")
    low, high = sorted((first.id, second.id))
    existing = db.session.scalars(select(SeatingApart).where(
        SeatingApart.first_id == low, SeatingApart.second_id == high)).first()
    if existing is not None:
        raise ValidationFailed(_("%(first)s and %(second)s are already kept apart.",
                                 first=first.name, second=second.name), field="second_id")
    apart = SeatingApart(gathering_id=gathering.id, first_id=low, second_id=high)
    db.session.add(apart)
    db.session.flush()
    return apart


def remove_apart(apart: SeatingApart, actor) -> None:
    gathering = db.session.get(Gathering, apart.gathering_id)
    _require_host(actor, gathering)
    db.session.delete(apart)
    db.session.flush()


# --- the solver's instance ---------------------------------------------------------------------

def person_id(registration_id: int) -> str:
    return f"r{registration_id}"


def table_id(table_id_: int) -> str:
    return f"t{table_id_}"


def _ident(solver_id: str | None) -> int | None:
    if not solver_id or len(solver_id) < 2 or not solver_id[1:].isdigit():
        return None
    return int(solver_id[1:])


def organisation_key(registration: Registration) -> str | None:
    """What the per-organisation rule compares: the municipality's number (an Oslo district
    its own), the county's number, the partner's name."""
    if registration.organisation_kind in ("municipality", "district"):
        return registration.municipality.number if registration.municipality else None
    if registration.organisation_kind == "county":
        return registration.county.number if registration.county else None
    if registration.organisation_kind == "partner":
        return registration.partner_name or None
    return None


def _counsellors(gathering: Gathering) -> list:
    from eventapp.accounts.models import User

    return list(db.session.scalars(
        select(User).where(User.role == "counsellor", User.county_id == gathering.county_id)
        .order_by(User.id)))


def regions(gathering: Gathering, registrations: list[Registration]) -> dict[int, str]:
    """Registration id → region for regional rounds: the career counsellor (a user of the
    county) who serves the person's municipality, or the counsellor themselves (matched by
    email). People no counsellor serves get no region."""
    counsellors = _counsellors(gathering)
    serving: dict[int, int] = {}
    for user in counsellors:
        for unit in user.assigned_municipalities:
            serving.setdefault(unit.id, user.id)
    by_email = {u.email.lower(): u.id for u in counsellors}
    found = {}
    for reg in registrations:
        user_id = None
        if reg.role == "career_counsellor":
            user_id = by_email.get((reg.email or "").lower())
        if user_id is None and reg.municipality is not None:
            user_id = serving.get(reg.municipality.id)
            if user_id is None and reg.municipality.parent_id is not None:
                user_id = serving.get(reg.municipality.parent_id)
        if user_id is not None:
            found[reg.id] = f"u{user_id}"
    return found


def _confirmed_by_id(gathering: Gathering) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.status == "confirmed")
        .order_by(Registration.id)))


def _seats(gathering: Gathering) -> list[Seat]:
    return list(db.session.scalars(
        select(Seat).join(SeatingRound, Seat.round_id == SeatingRound.id)
        .where(SeatingRound.gathering_id == gathering.id)
        .order_by(SeatingRound.position, Seat.id)))


def _plan_dict(round_list: list[SeatingRound], table_list: list[SeatingTable],
               assignment: dict[tuple[int, int], int], people_ids: list[int]) -> dict:
    """The solver's plan shape from (round id, registration id) → table id."""
    out = []
    for rnd in round_list:
        seated = {table_id(t.id): [] for t in table_list}
        for reg_id in people_ids:
            t = assignment.get((rnd.id, reg_id))
            if t is not None and table_id(t) in seated:
                seated[table_id(t)].append(person_id(reg_id))
        out.append({"mode": rnd.mode, "tables": seated})
    return {"rounds": out}


def _instance(gathering: Gathering, regs: list[Registration], table_list, round_list,
              settings: SeatingSettings) -> dict:
    ids = {r.id for r in regs}
    region_of = regions(gathering, regs)
    round_index = {r.id: i for i, r in enumerate(round_list)}
    table_ids = {t.id for t in table_list}
    apart = [[person_id(a.first_id), person_id(a.second_id)] for a in aparts(gathering)
             if a.first_id in ids and a.second_id in ids]
    pinned = [{"person": person_id(p.registration_id), "round": round_index[p.round_id],
               "table": table_id(p.table_id)}
              for p in pins(gathering)
              if p.registration_id in ids and p.round_id in round_index and p.table_id in table_ids]
    pinned.sort(key=lambda p: (p["round"], p["person"]))
    return {
        "people": [{"id": person_id(r.id),
                    "role": r.role if r.role in SOLVER_ROLES else "other",
                    "organisation": organisation_key(r),
                    "region": region_of.get(r.id)} for r in regs],
        "tables": [{"id": table_id(t.id), "seats": t.seats} for t in table_list],
        "rounds": [{"mode": r.mode} for r in round_list],
        "rules": {
            "min_counsellors_per_table": settings.min_counsellors_per_table,
            "max_county_staff_per_table": settings.max_county_staff_per_table,
            "max_per_organisation": settings.max_per_organisation,
            "apart": apart,
            "pinned": pinned,
        },
        "seed": settings.seed,
        "time_limit_s": settings.time_limit_s,
    }


def build_instance(gathering: Gathering, *, previous: bool = False) -> dict:
    """The solver's instance for the gathering as it stands: confirmed people, tables and rounds
    in position order, the rules, pins and keep-apart pairs. With ``previous`` the stored plan
    goes along, so re-planning moves as few people as possible."""
    regs = _confirmed_by_id(gathering)
    table_list, round_list = tables(gathering), rounds(gathering)
    instance = _instance(gathering, regs, table_list, round_list, settings_for(gathering))
    if previous:
        assignment = {(s.round_id, s.registration_id): s.table_id for s in _seats(gathering)}
        if assignment:
            plan = _plan_dict(round_list, table_list, assignment, [r.id for r in regs])
            instance["previous"] = {"rounds": [{"tables": r["tables"]} for r in plan["rounds"]]}
    return instance


def fingerprint(instance: dict) -> str:
    """What a report was computed for: people, tables, rounds and rules (not seed or time)."""
    key = {k: instance.get(k) for k in ("people", "tables", "rounds", "rules")}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]


# --- putting the solver's words into the user's ------------------------------------------------

def _round_no(violation: dict) -> int | None:
    rnd = violation.get("round")
    return rnd + 1 if isinstance(rnd, int) else None


def describe(violation: dict, names: dict) -> str:
    """A broken rule from the solver (``violations``) in words, with names. ``names`` maps the
    solver's ids (people ``r…``, tables ``t…``, organisation keys) to what the reader knows."""
    def name(key):
        return names.get(str(key), str(key)) if key is not None else ""

    rule = violation.get("rule")
    table = name(violation.get("table"))
    number = _round_no(violation)
    have, limit = violation.get("have"), violation.get("limit")
    if rule == "capacity":
        return _("%(table)s has %(people)s people at %(seats)s seats in round %(round)s",
                 table=table, people=have, seats=limit, round=number)
    if rule == "min_counsellors_per_table":
        if not have:
            return _("%(table)s has no career counsellor in round %(round)s", table=table,
                     round=number)
        return ngettext("%(table)s has %(num)s career counsellor in round %(round)s, "
                        "%(need)s needed",
                        "%(table)s has %(num)s career counsellors in round %(round)s, "
                        "%(need)s needed", have, table=table, need=limit, round=number)
    if rule == "max_county_staff_per_table":
        return _("%(table)s has %(have)s county staff in round %(round)s (at most %(most)s)",
                 table=table, have=have, most=limit, round=number)
    if rule == "max_per_organisation":
        return _("%(table)s has %(have)s people from %(organisation)s in round %(round)s "
                 "(at most %(most)s)", table=table, have=have,
                 organisation=name(violation.get("organisation")), most=limit, round=number)
    if rule == "apart":
        first, second = sorted(name(p) for p in (violation.get("people") or ["", ""])[:2])
        return _("%(first)s and %(second)s should not sit together (%(table)s, round "
                 "%(round)s)", first=first, second=second, table=table, round=number)
    if rule == "pinned":
        return _("%(person)s is pinned to %(pinned)s in round %(round)s but sits at %(table)s",
                 person=name(violation.get("person")),
                 pinned=name(violation.get("pinned_table")), round=number, table=table)
    return violation.get("message") or ""


def describe_infeasible(item: dict, names: dict) -> str:
    """A rule no plan can meet (the solver's ``infeasible``), in words."""
    def name(key):
        return names.get(str(key), str(key)) if key is not None else ""

    rule = item.get("rule")
    number = _round_no(item)
    if rule == "capacity" and "people" in item:
        return _("%(people)s people but only %(seats)s seats at the tables.",
                 people=item["people"], seats=item["seats"])
    if rule == "capacity":
        return _("More people are pinned to %(table)s in round %(round)s than it has seats.",
                 table=name(item.get("table")), round=number)
    if rule == "min_counsellors_per_table" and "tables" in item:
        return _("These tables have fewer seats than the career counsellors each should have: "
                 "%(tables)s.", tables=", ".join(name(t) for t in item["tables"]))
    if rule == "min_counsellors_per_table":
        return _("Every table should have a career counsellor, but %(have)s career counsellors "
                 "cannot cover the tables (%(need)s needed).", have=item.get("have"),
                 need=item.get("need"))
    if rule == "max_county_staff_per_table" and "room" in item:
        return _("%(have)s county staff (counsellors included) do not fit at the tables with the "
                 "limit per table (room for %(room)s).", have=item.get("have"),
                 room=item.get("room"))
    if rule == "max_county_staff_per_table" and "table" in item:
        return _("More county staff are pinned to %(table)s in round %(round)s than the limit "
                 "per table.", table=name(item.get("table")), round=number)
    if rule == "max_county_staff_per_table":
        return _("The career counsellors each table needs are more than the county staff a "
                 "table may have (counsellors are county staff).")
    if rule == "max_per_organisation":
        return _("%(organisation)s has %(have)s people, but the tables have room for only "
                 "%(room)s from one organisation.", organisation=name(item.get("organisation")),
                 have=item.get("have"), room=item.get("room"))
    if rule == "pinned":
        return _("%(person)s is pinned to two tables in round %(round)s.",
                 person=name(item.get("person")), round=number)
    if rule == "apart":
        pair = item.get("people") or ["", ""]
        return _("%(first)s and %(second)s should sit apart but are pinned to the same table in "
                 "round %(round)s.", first=name(pair[0]), second=name(pair[1]), round=number)
    return item.get("message") or ""


def rule_label(rule: str) -> str:
    return {
        "capacity": _("Seats per table"),
        "min_counsellors_per_table": _("Career counsellors per table"),
        "max_county_staff_per_table": _("County staff per table"),
        "max_per_organisation": _("People from one organisation per table"),
        "apart": _("Kept apart"),
        "pinned": _("Pinned seats"),
    }.get(rule, rule)


# --- the plan as the pages show it -------------------------------------------------------------

@dataclass
class Problem:
    rule: str
    round: SeatingRound | None
    table: SeatingTable | None
    text: str
    people: list[Registration] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.rule, self.round.id if self.round else None,
                self.table.id if self.table else None, self.text)


@dataclass
class TableView:
    table: SeatingTable
    people: list[Registration]
    problems: list[Problem] = field(default_factory=list)

    @property
    def roles(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for reg in self.people:
            counts[reg.role] = counts.get(reg.role, 0) + 1
        return counts

    @property
    def full(self) -> bool:
        return len(self.people) >= self.table.seats


@dataclass
class RoundView:
    round: SeatingRound
    number: int  # 1, 2, ... in position order
    tables: list[TableView]


@dataclass
class Stale:
    """What changed since the plan was made: people no longer confirmed who still have seats,
    confirmed people without a seat in some round, and whether tables, rounds or rules changed."""

    dropped: list[Registration] = field(default_factory=list)
    unseated: list[Registration] = field(default_factory=list)
    changed: bool = False

    def __bool__(self) -> bool:
        return bool(self.dropped or self.unseated or self.changed)

    @property
    def count(self) -> int:
        return len(self.dropped) + len(self.unseated)

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.dropped + self.unseated]


@dataclass
class Move:
    registration: Registration
    round: SeatingRound
    from_table: SeatingTable | None
    to_table: SeatingTable


@dataclass
class PlanView:
    rounds: list[RoundView]
    metrics: dict
    problems: list[Problem]
    infeasible: list[str]
    by_person: list[tuple[Registration, list[tuple[SeatingRound, SeatingTable]]]]
    stale: Stale = field(default_factory=Stale)
    planned_at: datetime | None = None
    # (registration id, round id) of seats the host moved by hand.
    moved_by_hand: set[tuple[int, int]] = field(default_factory=set)
    # For a hand move: the move, and the problems it adds to those the plan had before.
    move: Move | None = None
    new_problems: list[Problem] = field(default_factory=list)
    preview: bool = False
    # The solver's violations and infeasible rules as it returned them (ids, English).
    violations: list[dict] = field(default_factory=list)
    infeasible_raw: list[dict] = field(default_factory=list)
    # Solver ids (r…, t…, organisation keys) → names, for ``describe``.
    names: dict = field(default_factory=dict)

    @property
    def problems_by_round(self) -> dict[int, list[Problem]]:
        out: dict[int, list[Problem]] = {}
        for p in self.problems:
            out.setdefault(p.round.id if p.round else 0, []).append(p)
        return out


def names_for(gathering: Gathering, regs, table_list) -> dict:
    """Solver ids → names for ``describe``: people, tables and organisations."""
    names: dict[str, str] = {}
    for reg in regs:
        names[person_id(reg.id)] = reg.name
        key = organisation_key(reg)
        if key is not None:
            names.setdefault(key, reg.organisation_name or key)
    for table in table_list:
        names[table_id(table.id)] = table.name
    return names


def _problems(violations: list[dict], names: dict, round_list, table_by_sid, reg_by_sid):
    out = []
    for v in violations:
        rnd = v.get("round")
        people_ids = v.get("people") or ([v["person"]] if v.get("person") else [])
        out.append(Problem(
            rule=v.get("rule"),
            round=round_list[rnd] if isinstance(rnd, int) and 0 <= rnd < len(round_list) else None,
            table=table_by_sid.get(v.get("table")),
            text=describe(v, names),
            people=[reg_by_sid[p] for p in people_ids if p in reg_by_sid]))
    return out


@dataclass
class _Stored:
    """The stored plan read into memory, with everything needed to view or score it."""

    gathering: Gathering
    regs: list[Registration]  # confirmed, by id
    tables: list[SeatingTable]
    rounds: list[SeatingRound]
    seats: list[Seat]
    assignment: dict[tuple[int, int], int]  # (round id, registration id) → table id
    settings: SeatingSettings


def _load(gathering: Gathering) -> _Stored:
    seats = _seats(gathering)
    return _Stored(gathering=gathering, regs=_confirmed_by_id(gathering),
                   tables=tables(gathering), rounds=rounds(gathering), seats=seats,
                   assignment={(s.round_id, s.registration_id): s.table_id for s in seats},
                   settings=settings_for(gathering))


def _report(settings: SeatingSettings) -> dict | None:
    if not settings.plan_report:
        return None
    try:
        report = json.loads(settings.plan_report)
    except ValueError:
        return None
    return report if isinstance(report, dict) else None


def _score(stored: _Stored, assignment: dict[tuple[int, int], int]):
    """Score ``assignment`` against what holds now: the people seated in every round are
    scored; the others are stale. Returns (report, stale, seated registrations, fingerprint)."""
    table_ids = {t.id for t in stored.tables}
    confirmed = {r.id for r in stored.regs}
    seated = [r for r in stored.regs
              if all(assignment.get((rnd.id, r.id)) in table_ids for rnd in stored.rounds)]
    seated_ids = {r.id for r in seated}
    unseated = [r for r in stored.regs if r.id not in seated_ids]
    dropped_ids = sorted({reg_id for (_rid, reg_id) in assignment if reg_id not in confirmed})
    dropped = [db.session.get(Registration, i) for i in dropped_ids]
    instance = _instance(stored.gathering, seated, stored.tables, stored.rounds, stored.settings)
    plan = _plan_dict(stored.rounds, stored.tables, assignment, [r.id for r in seated])
    report = solver.evaluate(instance, plan)
    stale = Stale(dropped=sorted((d for d in dropped if d is not None), key=lambda r: r.name),
                  unseated=sorted(unseated, key=lambda r: r.name))
    return report, stale, seated, fingerprint(instance)


def _view(stored: _Stored, assignment, report: dict, stale: Stale, seated) -> PlanView:
    table_by_id = {t.id: t for t in stored.tables}
    table_by_sid = {table_id(t.id): t for t in stored.tables}
    reg_by_sid = {person_id(r.id): r for r in stored.regs}
    names = names_for(stored.gathering, stored.regs, stored.tables)
    problems = _problems(report.get("violations") or [], names, stored.rounds, table_by_sid,
                         reg_by_sid)
    position = {t.id: i for i, t in enumerate(stored.tables)}
    problems.sort(key=lambda p: (stored.rounds.index(p.round) if p.round in stored.rounds else -1,
                                 position.get(p.table.id, -1) if p.table else -1, p.rule, p.text))
    by_name = sorted(stored.regs, key=lambda r: (r.name, r.id))
    round_views = []
    for number, rnd in enumerate(stored.rounds, start=1):
        views = []
        for table in stored.tables:
            members = [r for r in by_name if assignment.get((rnd.id, r.id)) == table.id]
            views.append(TableView(table=table, people=members, problems=[
                p for p in problems if p.round is rnd and p.table is table]))
        round_views.append(RoundView(round=rnd, number=number, tables=views))
    by_person = []
    for reg in by_name:
        places = [(rnd, table_by_id[assignment[(rnd.id, reg.id)]]) for rnd in stored.rounds
                  if assignment.get((rnd.id, reg.id)) in table_by_id]
        by_person.append((reg, places))
    return PlanView(
        rounds=round_views, metrics=report.get("metrics") or {}, problems=problems,
        infeasible=[describe_infeasible(i, names) for i in report.get("infeasible") or []],
        by_person=by_person, stale=stale, planned_at=stored.settings.planned_at,
        moved_by_hand={(s.registration_id, s.round_id) for s in stored.seats if s.moved_by_hand},
        violations=report.get("violations") or [],
        infeasible_raw=report.get("infeasible") or [], names=names)


def _current(stored: _Stored) -> PlanView:
    report, stale, seated, print_ = _score(stored, stored.assignment)
    saved = _report(stored.settings)
    if saved is not None and saved.get("fingerprint") == print_ and not stale:
        # Unchanged since the solve: its own report (with seconds, iterations and seed).
        report = saved
    elif saved is not None and saved.get("fingerprint") != print_ and not stale:
        # Someone cancelling or walking in changes the fingerprint too; then the people are
        # the news, not the tables, rounds or rules.
        stale.changed = True
    return _view(stored, stored.assignment, report, stale, seated)


def current_plan(gathering: Gathering) -> PlanView | None:
    """The stored plan, or None before the first. When people, tables, rounds or rules changed
    since, the seats are scored against what holds now and ``stale`` says what changed."""
    if not _seats(gathering):  # reading creates nothing, not even the settings row
        return None
    return _current(_load(gathering))


def _check_plannable(gathering: Gathering, regs, table_list, round_list) -> None:
    if not table_list:
        raise Conflict(_("Set up the tables first."))
    if not round_list:
        raise Conflict(_("Set up the rounds of group work first."))
    if not regs:
        raise Conflict(_("Nobody to seat yet: the plan needs confirmed participants."))


def plan(gathering: Gathering, actor, *, replan: bool = False) -> PlanView:
    """Solve and store the plan: one seat per confirmed person and round, and the solver's
    report. ``replan`` starts from the stored plan and moves as few people as possible, so a
    cancellation or a walk-in changes little; people no longer confirmed lose their seats."""
    _require_host(actor, gathering)
    lock_row(Gathering, gathering.id)
    regs = _confirmed_by_id(gathering)
    table_list, round_list = tables(gathering), rounds(gathering)
    _check_plannable(gathering, regs, table_list, round_list)
    instance = build_instance(gathering, previous=replan)
    try:
        result = solver.solve(instance)
    except solver.InstanceError as exc:  # the instance is built here: a bug, said plainly
        raise Conflict(_("The plan could not be made: %(reason)s", reason=str(exc))) from exc
    _store(gathering, result, instance, round_list, keep_hand_moves=replan)
    return current_plan(gathering)


def _store(gathering: Gathering, result: dict, instance: dict, round_list, *,
           keep_hand_moves: bool) -> None:
    existing = {(s.round_id, s.registration_id): s for s in _seats(gathering)}
    now = utcnow()
    wanted: dict[tuple[int, int], int] = {}
    for rnd, rplan in zip(round_list, result["rounds"], strict=True):
        for tid, members in rplan["tables"].items():
            for pid in members:
                wanted[(rnd.id, _ident(pid))] = _ident(tid)
    for key, seat in existing.items():
        if key not in wanted:
            db.session.delete(seat)
    for (round_id, reg_id), tid in wanted.items():
        seat = existing.get((round_id, reg_id))
        if seat is None:
            db.session.add(Seat(round_id=round_id, registration_id=reg_id, table_id=tid,
                                created_at=now))
        elif seat.table_id != tid:
            seat.table_id = tid
            seat.created_at = now
            seat.moved_by_hand = False
        elif not keep_hand_moves:
            seat.moved_by_hand = False
    settings = settings_for(gathering)
    settings.plan_report = json.dumps({
        "metrics": result.get("metrics") or {},
        "violations": result.get("violations") or [],
        "infeasible": result.get("infeasible") or [],
        "fingerprint": fingerprint(instance),
    }, ensure_ascii=False)
    settings.planned_at = now
    db.session.flush()


def seats_for(registration: Registration) -> list[tuple[SeatingRound, SeatingTable]]:
    """Where the person sits, round by round (rounds without a seat left out)."""
    rows = db.session.execute(
        select(SeatingRound, SeatingTable).select_from(Seat)
        .join(SeatingRound, Seat.round_id == SeatingRound.id)
        .join(SeatingTable, Seat.table_id == SeatingTable.id)
        .where(Seat.registration_id == registration.id)
        .order_by(SeatingRound.position, SeatingRound.id)).all()
    return [(rnd, table) for rnd, table in rows]


def round_numbers(gathering_id: int) -> dict[int, int]:
    """Round id → its number as people read it (1, 2, ... in position order)."""
    ids = db.session.scalars(select(SeatingRound.id).where(
        SeatingRound.gathering_id == gathering_id)
        .order_by(SeatingRound.position, SeatingRound.id)).all()
    return {rid: i for i, rid in enumerate(ids, start=1)}


def person_summary(registration: Registration) -> list[str]:
    """The person's tables in words: ["Round 1: Table 4", "Round 2: Table 9"]. Empty when
    they have no seat (not confirmed, or no plan yet)."""
    if registration.status != "confirmed":
        return []
    numbers = round_numbers(registration.gathering_id)
    return [_("Round %(number)s: %(table)s", number=numbers[rnd.id], table=table.name)
            for rnd, table in seats_for(registration)]


# --- moving one person by hand -----------------------------------------------------------------

def _moved(gathering: Gathering, registration_id, round_id, table_id_):
    stored = _load(gathering)
    if not stored.seats:
        raise Conflict(_("There is no table plan yet: make one first."))
    reg = _registration(gathering, registration_id, "registration_id")
    rnd = _round(gathering, round_id)
    table = _table(gathering, table_id_)
    assignment = dict(stored.assignment)
    before = assignment.get((rnd.id, reg.id))
    assignment[(rnd.id, reg.id)] = table.id
    return stored, reg, rnd, table, before, assignment


def _after_move(stored: _Stored, reg, rnd, table, before, assignment, *, preview: bool):
    old = _current(stored)
    report, stale, seated, print_ = _score(stored, assignment)
    view = _view(stored, assignment, report, stale, seated)
    view.stale.changed = old.stale.changed
    view.preview = preview
    view.move = Move(registration=reg, round=rnd, from_table=db.session.get(SeatingTable, before)
                     if before is not None else None, to_table=table)
    had = {p.key for p in old.problems}
    view.new_problems = [p for p in view.problems if p.key not in had]
    return view, report, print_


def preview_move(gathering: Gathering, *, registration_id: int, round_id: int,
                 table_id: int) -> PlanView:
    """The plan as it would be with one person moved, and what that breaks. Nothing is saved.
    Moving into a full table is allowed; the view then shows the capacity problem."""
    stored, reg, rnd, table, before, assignment = _moved(gathering, registration_id, round_id,
                                                         table_id)
    view, _report_, _print = _after_move(stored, reg, rnd, table, before, assignment,
                                         preview=True)
    return view


def move(gathering: Gathering, actor, *, registration_id: int, round_id: int,
         table_id: int) -> PlanView:
    """Move one person in one round to another table and save it (marked as moved by hand),
    with the plan's report scored again."""
    _require_host(actor, gathering)
    lock_row(Gathering, gathering.id)
    stored, reg, rnd, table, before, assignment = _moved(gathering, registration_id, round_id,
                                                         table_id)
    view, report, print_ = _after_move(stored, reg, rnd, table, before, assignment,
                                       preview=False)
    seat = next((s for s in stored.seats
                 if s.round_id == rnd.id and s.registration_id == reg.id), None)
    if seat is None:
        seat = Seat(round_id=rnd.id, registration_id=reg.id, table_id=table.id,
                    created_at=utcnow(), moved_by_hand=True)
        db.session.add(seat)
        stored.seats.append(seat)
    elif seat.table_id != table.id:
        seat.table_id = table.id
        seat.created_at = utcnow()
        seat.moved_by_hand = True
    saved = _report(stored.settings) or {}
    metrics = dict(report.get("metrics") or {})
    for key in ("seed", "seconds", "iterations"):
        if key in (saved.get("metrics") or {}):
            metrics.setdefault(key, saved["metrics"][key])
    stored.settings.plan_report = json.dumps({
        "metrics": metrics, "violations": report.get("violations") or [],
        "infeasible": report.get("infeasible") or [], "fingerprint": print_,
        "moved_by_hand": True}, ensure_ascii=False)
    db.session.flush()
    view.preview = False
    view.moved_by_hand = {(s.registration_id, s.round_id) for s in stored.seats
                          if s.moved_by_hand}
    view.metrics = metrics
    return view


# --- loading for views and the API -------------------------------------------------------------

def get_table(gathering: Gathering, ident: int) -> SeatingTable:
    table = db.session.get(SeatingTable, ident)
    if table is None or table.gathering_id != gathering.id:
        raise NotFound(_("No such table."))
    return table


def get_pin(gathering: Gathering, ident: int) -> SeatingPin:
    pin = db.session.get(SeatingPin, ident)
    if pin is None or pin.round.gathering_id != gathering.id:
        raise NotFound(_("No such pin."))
    return pin


def get_apart(gathering: Gathering, ident: int) -> SeatingApart:
    apart = db.session.get(SeatingApart, ident)
    if apart is None or apart.gathering_id != gathering.id:
        raise NotFound(_("No such pair."))
    return apart


# --- removing one round (added by H7b for the setup page) --------------------------------------

def remove_round(rnd: SeatingRound, actor) -> list[SeatingRound]:
    """Remove one round with its seats and pins; the rounds after it move up one place and keep
    their own seats and pins (``set_rounds`` keeps ids by position, which would hand a removed
    round's seats to the next one)."""
    gathering = db.session.get(Gathering, rnd.gathering_id)
    _require_host(actor, gathering)
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
