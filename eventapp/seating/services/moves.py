"""Moving one person by hand: a preview of what it breaks, and the move saved."""

from __future__ import annotations

import json

from flask_babel import gettext as _

from eventapp.core import policy
from eventapp.core.db import lock_row
from eventapp.core.errors import Conflict
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.seating.models import Seat, SeatingTable
from eventapp.seating.services.constraints import _registration, _round, _table, check_attends
from eventapp.seating.services.plan_view import (
    Move,
    PlanView,
    _current,
    _load,
    _report,
    _score,
    _Stored,
    _view,
)


def _moved(gathering: Gathering, registration_id, round_id, table_id_):
    stored = _load(gathering)
    if not stored.seats:
        raise Conflict(_("There is no table plan yet: make one first."))
    reg = _registration(gathering, registration_id, "registration_id")
    rnd = _round(gathering, round_id)
    table = _table(gathering, table_id_)
    check_attends(gathering, reg, rnd)
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
    policy.authorize(actor, "seating.manage", gathering)
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
