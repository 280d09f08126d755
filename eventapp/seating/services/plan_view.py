"""The plan as the pages show it: the stored seats read, scored again against what holds now
(``current_plan``), with who is no longer or not yet seated."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import Registration
from eventapp.seating import solver
from eventapp.seating.models import SeatingRound, SeatingSettings, SeatingTable
from eventapp.seating.services.instance import (
    _confirmed_by_id,
    _instance,
    _plan_dict,
    _seat_rows,
    _seats,
    fingerprint,
    organisation_key,
    partner_kind,
    person_id,
    presence,
    table_id,
)
from eventapp.seating.services.setup import rounds, settings_for, tables
from eventapp.seating.services.words import (
    SOFT_RULES,
    describe,
    describe_infeasible,
    describe_reason,
)


@dataclass
class Problem:
    rule: str
    round: SeatingRound | None
    table: SeatingTable | None
    text: str
    people: list[Registration] = field(default_factory=list)
    # A soft rule or a wish (kept as far as the rules allow), and why it is not met, in words.
    soft: bool = False
    reason: str = ""

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
    # People with a seat in a round on a day they do not come (their days changed, or check-in
    # showed they did not come): the seat is not shown, and re-planning frees it.
    absent: list[Registration] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.dropped or self.unseated or self.changed or self.absent)

    @property
    def count(self) -> int:
        return len(self.dropped) + len(self.unseated) + len(self.absent)

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.dropped + self.unseated + self.absent]


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
    # Soft rules met as well as the counts allow, with why not more (not problems).
    notes: list[Problem] = field(default_factory=list)
    # The tables in position order and the rules the plan was read with, so the page need not
    # read them again.
    tables: list[SeatingTable] = field(default_factory=list)
    settings: SeatingSettings | None = None

    @property
    def broken(self) -> list[Problem]:
        """The hard rules the plan breaks."""
        return [p for p in self.problems if not p.soft]

    @property
    def unmet(self) -> list[Problem]:
        """The soft rules and wishes the plan does not meet in full."""
        return [p for p in self.problems if p.soft]

    def by_rule(self, soft: bool) -> dict[str, list[Problem]]:
        out: dict[str, list[Problem]] = {}
        for p in self.problems:
            if p.soft == soft:
                out.setdefault(p.rule, []).append(p)
        return out

    @property
    def by_round(self) -> list[tuple[Registration, list[tuple[int, SeatingTable | None]]]]:
        """Person by person (as ``by_person``), each round's id with the person's table in it
        (None: no seat shown there)."""
        round_ids = [rv.round.id for rv in self.rounds]
        rows = []
        for reg, places in self.by_person:
            at = {rnd.id: table for rnd, table in places}
            rows.append((reg, [(round_id, at.get(round_id)) for round_id in round_ids]))
        return rows

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


def _problems(violations: list[dict], names: dict, round_list, table_by_sid, reg_by_sid, *,
              settings=None, counts=None):
    out = []
    for v in violations:
        rnd = v.get("round")
        people_ids = list(v.get("people") or [])
        if v.get("person") and v["person"] not in people_ids:
            people_ids.insert(0, v["person"])
        out.append(Problem(
            rule=v.get("rule"),
            round=round_list[rnd] if isinstance(rnd, int) and 0 <= rnd < len(round_list) else None,
            table=table_by_sid.get(v.get("table")),
            text=describe(v, names),
            people=[reg_by_sid[p] for p in people_ids if p in reg_by_sid],
            soft=bool(v.get("soft", v.get("rule") in SOFT_RULES)),
            reason=describe_reason(v, names, settings=settings, counts=counts)))
    return out


def _split(violations: list[dict]) -> tuple[list[dict], list[dict]]:
    """The broken rules and unmet wishes, apart from the solver's notes on a soft rule met as
    far as the counts allow (count 0: «only 1 from NAV for 3 tables»). A note on a kind nobody
    present has says nothing and is left out."""
    broken, notes = [], []
    for v in violations:
        if v.get("soft") and not v.get("count"):
            if v.get("limit"):
                notes.append(v)
        else:
            broken.append(v)
    return broken, notes


def _counts(stored: _Stored) -> dict:
    """What the reasons' sentences need: the tables, and per round the people present of each
    partner kind."""
    partners = [(reg.id, kind) for reg in stored.regs if (kind := partner_kind(reg)) is not None]
    kinds: dict[int, dict[str, int]] = {}
    for index, rnd in enumerate(stored.rounds):
        per = kinds.setdefault(index, {})
        for reg_id, kind in partners:
            if stored.shown(reg_id, rnd):
                per[kind] = per.get(kind, 0) + 1
    return {"tables": len(stored.tables), "kinds": kinds}


@dataclass
class _Stored:
    """The stored plan read into memory, with everything needed to view or score it."""

    gathering: Gathering
    regs: list[Registration]  # confirmed, by id
    tables: list[SeatingTable]
    rounds: list[SeatingRound]
    # Seats (``Seat``, or for reading only ``_seat_rows``: the same attributes).
    seats: list
    assignment: dict[tuple[int, int], int]  # (round id, registration id) → table id
    settings: SeatingSettings
    # Registration id → indices of the rounds the person is there for (the days they come).
    present: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Round id → index: ``shown`` runs for every person in every round.
        self._index = {rnd.id: i for i, rnd in enumerate(self.rounds)}

    def shown(self, reg_id: int, rnd: SeatingRound) -> bool:
        """Whether a seat of the person in the round is part of the plan: only on their days."""
        present = self.present.get(reg_id)
        return present is None or self._index[rnd.id] in present


def _load(gathering: Gathering, seats: list | None = None) -> _Stored:
    seats = _seats(gathering) if seats is None else seats
    regs, round_list, settings = _confirmed_by_id(gathering), rounds(gathering), \
        settings_for(gathering)
    return _Stored(gathering=gathering, regs=regs, tables=tables(gathering), rounds=round_list,
                   seats=seats,
                   assignment={(s.round_id, s.registration_id): s.table_id for s in seats},
                   settings=settings, present=presence(gathering, regs, round_list, settings))


def _report(settings: SeatingSettings) -> dict | None:
    if not settings.plan_report:
        return None
    try:
        report = json.loads(settings.plan_report)
    except ValueError:
        return None
    return report if isinstance(report, dict) else None


def _seated(stored: _Stored, assignment: dict[tuple[int, int], int]):
    """Who ``assignment`` seats against what holds now: the people seated in every round of
    their days, and what is stale. Returns (seated registrations, stale)."""
    table_ids = {t.id for t in stored.tables}
    confirmed = {r.id for r in stored.regs}
    # Seated: a seat in every round of the days they come; seats on other days do not count.
    seated = [r for r in stored.regs
              if all(assignment.get((rnd.id, r.id)) in table_ids for rnd in stored.rounds
                     if stored.shown(r.id, rnd))]
    seated_ids = {r.id for r in seated}
    unseated = [r for r in stored.regs if r.id not in seated_ids]
    absent = [r for r in stored.regs
              if any(assignment.get((rnd.id, r.id)) in table_ids and not stored.shown(r.id, rnd)
                     for rnd in stored.rounds)]
    dropped_ids = {reg_id for (_rid, reg_id) in assignment if reg_id not in confirmed}
    dropped = list(db.session.scalars(
        select(Registration).where(Registration.id.in_(dropped_ids)))) if dropped_ids else []
    stale = Stale(dropped=sorted(dropped, key=lambda r: r.name),
                  unseated=sorted(unseated, key=lambda r: r.name),
                  absent=sorted(absent, key=lambda r: r.name))
    return seated, stale


def _scored_instance(stored: _Stored, seated) -> dict:
    """The solver's instance of the people seated: what the plan is scored and fingerprinted
    against."""
    return _instance(stored.gathering, seated, stored.tables, stored.rounds, stored.settings,
                     stored.present)


def _evaluate(stored: _Stored, instance: dict, assignment, seated) -> dict:
    plan = _plan_dict(stored.rounds, stored.tables, assignment, [r.id for r in seated],
                      stored.present)
    return solver.evaluate(instance, plan)


def _score(stored: _Stored, assignment: dict[tuple[int, int], int]):
    """Score ``assignment`` against what holds now: the people seated in every round are
    scored; the others are stale. Returns (report, stale, seated registrations, fingerprint)."""
    seated, stale = _seated(stored, assignment)
    instance = _scored_instance(stored, seated)
    return _evaluate(stored, instance, assignment, seated), stale, seated, fingerprint(instance)


def _view(stored: _Stored, assignment, report: dict, stale: Stale, seated) -> PlanView:
    table_by_id = {t.id: t for t in stored.tables}
    table_by_sid = {table_id(t.id): t for t in stored.tables}
    reg_by_sid = {person_id(r.id): r for r in stored.regs}
    names = names_for(stored.gathering, stored.regs, stored.tables)
    violations, noted = _split(report.get("violations") or [])
    counts = _counts(stored)
    problems = _problems(violations, names, stored.rounds, table_by_sid, reg_by_sid,
                         settings=stored.settings, counts=counts)
    notes = _problems(noted, names, stored.rounds, table_by_sid, reg_by_sid,
                      settings=stored.settings, counts=counts)
    position = {t.id: i for i, t in enumerate(stored.tables)}
    problems.sort(key=lambda p: (stored.rounds.index(p.round) if p.round in stored.rounds else -1,
                                 position.get(p.table.id, -1) if p.table else -1, p.rule, p.text))
    by_name = sorted(stored.regs, key=lambda r: (r.name, r.id))
    # Each person's seats shown, gone through once: (round id, table id) → the people there by
    # name, and each person's places in round order.
    at_table: dict[tuple[int, int], list[Registration]] = {}
    by_person = []
    for reg in by_name:
        places = []
        for rnd in stored.rounds:
            table = table_by_id.get(assignment.get((rnd.id, reg.id)))
            if table is not None and stored.shown(reg.id, rnd):
                at_table.setdefault((rnd.id, table.id), []).append(reg)
                places.append((rnd, table))
        by_person.append((reg, places))
    table_problems: dict[tuple[int, int], list[Problem]] = {}
    for p in problems:
        if p.round is not None and p.table is not None:
            table_problems.setdefault((p.round.id, p.table.id), []).append(p)
    round_views = [
        RoundView(round=rnd, number=number, tables=[
            TableView(table=table, people=at_table.get((rnd.id, table.id), []),
                      problems=table_problems.get((rnd.id, table.id), []))
            for table in stored.tables])
        for number, rnd in enumerate(stored.rounds, start=1)]
    return PlanView(
        rounds=round_views, metrics=report.get("metrics") or {}, problems=problems,
        infeasible=[describe_infeasible(i, names) for i in report.get("infeasible") or []],
        by_person=by_person, stale=stale, planned_at=stored.settings.planned_at,
        moved_by_hand={(s.registration_id, s.round_id) for s in stored.seats if s.moved_by_hand},
        violations=violations, notes=notes,
        infeasible_raw=report.get("infeasible") or [], names=names,
        tables=stored.tables, settings=stored.settings)


def _current(stored: _Stored) -> PlanView:
    seated, stale = _seated(stored, stored.assignment)
    instance = _scored_instance(stored, seated)
    print_ = fingerprint(instance)
    saved = _report(stored.settings)
    if saved is not None and saved.get("fingerprint") == print_ and not stale:
        # Unchanged since the solve: its own report (with seconds, iterations and seed), so
        # nothing to score again.
        report = saved
    else:
        report = _evaluate(stored, instance, stored.assignment, seated)
        if saved is not None and not stale:
            # The fingerprint differs. Someone cancelling or walking in changes it too; then
            # the people are the news, not the tables, rounds or rules.
            stale.changed = True
    return _view(stored, stored.assignment, report, stale, seated)


def current_plan(gathering: Gathering) -> PlanView | None:
    """The stored plan, or None before the first. When people, tables, rounds or rules changed
    since, the seats are scored against what holds now and ``stale`` says what changed."""
    seats = _seat_rows(gathering)
    if not seats:  # reading creates nothing, not even the settings row
        return None
    return _current(_load(gathering, seats))
