"""Planning and re-planning: solve, and store one seat per person and round with the
solver's report."""

from __future__ import annotations

import json

from flask_babel import gettext as _

from eventapp.core import policy
from eventapp.core.db import lock_row
from eventapp.core.errors import Conflict
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.seating import solver
from eventapp.seating.models import Seat
from eventapp.seating.services.instance import _confirmed_by_id, _ident, _seats, build_instance, fingerprint
from eventapp.seating.services.plan_view import PlanView, current_plan
from eventapp.seating.services.setup import rounds, settings_for, tables


def _check_plannable(gathering: Gathering, regs, table_list, round_list) -> None:
    if not table_list:
        raise Conflict(_("Set up the tables first."))
    if not round_list:
        raise Conflict(_("Set up the rounds of group work first."))
    if not regs:
        raise Conflict(_("Nobody to seat yet: the plan needs confirmed participants."))


def plan(gathering: Gathering, actor, *, replan: bool = False,
         time_limit_s: float | None = None) -> PlanView:
    """Solve and store the plan: one seat per confirmed person and round, and the solver's
    report. ``replan`` starts from the stored plan and moves as few people as possible, so a
    cancellation or a walk-in changes little; people no longer confirmed lose their seats.

    The solver runs holding no lock (it may take a minute; registrations, cancellations and
    hand moves go on meanwhile). The plan is written under the gathering's lock, and only if
    what it was solved from (people, tables, rounds, rules, the stored plan) is still so: else
    nothing is written and the host is asked to plan again. ``time_limit_s`` cuts the
    gathering's own limit short (a small plan made in the request: ``services.jobs``); a large
    one is made in the background (``services.jobs.start``)."""
    policy.authorize(actor, "seating.manage", gathering)
    instance = _plannable_instance(gathering, replan)
    solve_input = instance
    if time_limit_s is not None and time_limit_s < instance.get("time_limit_s", time_limit_s):
        solve_input = {**instance, "time_limit_s": time_limit_s}
    try:
        result = solver.solve(solve_input)
    except solver.InstanceError as exc:  # the instance is built here: a bug, said plainly
        raise Conflict(_("The plan could not be made: %(reason)s", reason=str(exc))) from exc

    lock_row(Gathering, gathering.id)
    db.session.flush()
    db.session.expire_all()  # read again what others changed while the solver ran
    if _plannable_instance(gathering, replan) != instance:
        raise Conflict(_("Registrations, tables or rules changed while the plan was being "
                         "made, so it was not saved. Make the plan again."))
    _store(gathering, result, instance, rounds(gathering), keep_hand_moves=replan)
    return current_plan(gathering)


def _plannable_instance(gathering: Gathering, replan: bool) -> dict:
    _check_plannable(gathering, _confirmed_by_id(gathering), tables(gathering), rounds(gathering))
    return build_instance(gathering, previous=replan)


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
