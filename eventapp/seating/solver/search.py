"""The search and ``solve``, which runs it all and reports the plan.

Two engines: a conflict-directed tabu search (``tabu``) for instances that are only about
repeats (the social golfers' kind), and otherwise simulated annealing over moves and swaps,
aimed at the people who are part of a problem. Both are anytime: they improve until the time
limit, the best possible plan (no broken rule or unmet wish, repeats at the lower bound), or
``should_stop``; when they stall they shake the best plan or start afresh. With ``iterations``
in the instance the search is bounded by steps instead, and one seed gives one plan."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

from eventapp.seating.solver.bounds import check_feasibility
from eventapp.seating.solver.construct import construct
from eventapp.seating.solver.instance import Instance, parse
from eventapp.seating.solver.scoring import evaluate_state, repeat_lower_bound_of
from eventapp.seating.solver.state import W_MOVE, W_REPEAT, State, swap, swap_everywhere

# Temperatures: a start without repeats (the grid) is only polished; any other start is
# annealed from hot enough to trade a repeat for a better neighbourhood.
T_POLISH, T_WARM, T_HOT, T_END = 150.0, 400.0, 0.3 * W_REPEAT, 2.0
POLISH_PER_SEAT, POLISH_PATIENCE = 80, 15_000
SETTLED_PATIENCE = 500  # steps to even out roles once nothing else is left
STEPS_PER_SEAT = 300
EVERYWHERE = 0.3  # share of steps that swap two people in every mixed round
TROUBLE_EVERY = 64  # steps between rebuilds of the list of people part of a problem
AIM = 0.8  # share of steps that move someone from that list
CANDIDATES = 3  # moves tried per step, the best one taken
HOT_STEPS, HOT_PER_SEAT = 400_000, 4_000
TIGHT = 0.6  # the density above which a start is annealed hot
PATIENCE = 10_000  # steps without a better plan before a run ends
FRUITLESS = 3  # shakes in a row that find nothing better: the bound is likely out of reach
INFEASIBLE_STEPS = 20_000  # rules no plan meets: improve what can be, briefly
INFEASIBLE_PATIENCE = 3_000
PROGRESS_EVERY = 0.5  # seconds between progress reports
STOP_EVERY = 0.05  # seconds between polls of should_stop


class _Watch:
    """Polls ``should_stop`` and reports progress with the best plan so far."""

    def __init__(self, inst: Instance, started: float, lower: int,
                 progress: Callable[[dict], None] | None,
                 should_stop: Callable[[], bool] | None):
        self.inst, self.started, self.lower = inst, started, lower
        self.progress, self.should_stop = progress, should_stop
        self.stopped = False
        self.steps = 0  # steps of the runs already over
        self.last_stop = self.last_report = -math.inf
        self.reported = None
        self.view = State(inst) if progress else None
        self.done = False  # a plan that leaves only the spread of roles to improve

    def poll(self, steps: int, best: int, assign: Callable[[], list[list[int]]]) -> bool:
        now = time.perf_counter()
        if self.should_stop is not None and now - self.last_stop >= STOP_EVERY:
            self.last_stop = now
            if self.should_stop():
                self.stopped = True
                return True
        if (self.progress is not None and (self.reported is None or best < self.reported)
                and now - self.last_report >= PROGRESS_EVERY):
            self.report(self.steps + steps, best, assign())
        return False

    def report(self, steps: int, best: int, assign: list[list[int]]) -> None:
        self.last_report, self.reported = time.perf_counter(), best
        self.view.load(assign)
        result = evaluate_state(self.view)
        metrics = result["metrics"]
        self.progress({
            "seconds": round(time.perf_counter() - self.started, 3),
            "iterations": steps,
            "best": {"score": result["score"], "hard_violations": metrics["hard_violations"],
                     "soft_violations": metrics["soft_violations"],
                     "repeat_pairs": metrics["repeat_pairs"]},
            "lower_bound": self.lower,
            "plan": {"rounds": _rounds(self.inst, self.view)},
        })


def _rounds(inst: Instance, state: State) -> list[dict]:
    return [{"mode": r.get("mode", "mixed"), "tables": tables}
            for r, tables in zip(inst.rounds, state.plan(), strict=False)]


def _score(state: State) -> int:
    """The full score, computed from scratch."""
    return evaluate_state(state)["score"]


def _anneal(state: State, rng: random.Random, steps: int, deadline: float, target: int,
            t_start: float, patience: int, watch: _Watch) -> tuple[int, list[list[int]], int]:
    """Simulated annealing over swaps and moves within a round, aimed at the people who are
    part of a problem (a repeated table-mate, a broken rule, an unmet wish), each candidate
    scored without making it. The temperature falls with the step count, never the clock."""
    k, R = state.k, state.R
    movable = [[p for p in state.present_in(r) if (r, p) not in state.pinned] for r in range(R)]
    rounds = [r for r in range(R) if movable[r]]
    mixed = [r for r in rounds if not state.regional[r]]
    # Swapping in every mixed round at once needs both present in all of them.
    steady = [p for p in range(state.n)
              if all(state.present[r][p] and (r, p) not in state.pinned for r in mixed)]
    current = _score(state)
    best, best_assign = current, state.snapshot()
    settled = state.clean(watch.lower)
    watch.done = watch.done or settled
    if not rounds or k < 2:
        return best, best_assign, 0
    step = improved = 0
    trouble: list[tuple[int, int]] = []
    rebuild = 0
    for step in range(1, steps + 1):
        if step % 64 == 0:
            # Once no rule is broken, no wish unmet, nobody moved and repeats are at the
            # bound, only the spread of roles is left to improve: give that a short while.
            wait = min(patience, SETTLED_PATIENCE) if settled else patience
            if (best <= target or step - improved > wait or time.perf_counter() > deadline
                    or watch.poll(step, best, lambda kept=best_assign: kept)):
                break
        temp = t_start * (T_END / t_start) ** (step / steps)
        r = rounds[rng.randrange(len(rounds))]
        members = movable[r]
        if len(mixed) > 1 and not state.regional[r] and rng.random() < EVERYWHERE:
            # Two people change places in every mixed round at once: on a grid start this
            # keeps every pair's meetings as they were, so roles can even out without repeats.
            if len(steady) < 2:
                continue
            p = steady[rng.randrange(len(steady))]
            q = steady[rng.randrange(len(steady))]
            if p == q:
                continue
            # Scored round by round as if each swap were alone (exact but for pairs that
            # meet in two of the rounds); made, and scored exactly, only if that passes.
            guess = 0
            for rr in mixed:
                a, b = state.assign[rr][p], state.assign[rr][q]
                if a != b:
                    guess += state.swap_delta(rr, p, a, q, b)
            if guess <= 0 or rng.random() < math.exp(-guess / temp):
                delta = swap_everywhere(state, mixed, p, q, False)
                current += delta
                if current < best:
                    best, best_assign = current, state.snapshot()
                    improved = step
                    if not settled and best < target + W_MOVE and state.clean(watch.lower):
                        settled = watch.done = True
            continue
        # Aim at someone who is part of a problem: the list of them is rebuilt every few
        # steps (a stale entry costs one wasted step).
        if step >= rebuild:
            trouble = [(rr, x) for rr in rounds for x in movable[rr] if state.troubled(rr, x)]
            rebuild = step + max(TROUBLE_EVERY, len(trouble), state.n * R // 16)
        aimed = ()
        if trouble and rng.random() < AIM:
            r, p = trouble[rng.randrange(len(trouble))]
            if state.assign[r][p] < 0 or (r, p) in state.pinned:
                continue
            aimed = state.aim(r, p)
        else:
            p = members[rng.randrange(len(members))]
        a = state.assign[r][p]
        # The best of a few candidate swaps or moves for p, at tables where p would mend
        # what p is part of if there are such.
        delta, b, q = None, -1, -1
        for _c in range(CANDIDATES):
            if aimed:
                cb = aimed[rng.randrange(len(aimed))]
            else:
                cb = rng.randrange(k - 1)
                if cb >= a:
                    cb += 1
            cq = -1
            if state.size[r][cb] >= state.seats[cb] or rng.random() < 0.7:
                at_b = state.members[r][cb]
                if at_b:
                    cq = at_b[rng.randrange(len(at_b))]
                    if (r, cq) in state.pinned:
                        continue
                elif state.size[r][cb] >= state.seats[cb]:
                    continue
            if cq >= 0:
                cd = state.swap_delta(r, p, a, cq, cb)
            else:
                cd = state.delta_leave(r, p, a) + state.delta_join(r, p, cb)
            if delta is None or cd < delta:
                delta, b, q = cd, cb, cq
        if delta is None:
            continue
        if delta <= 0 or rng.random() < math.exp(-delta / temp):
            if q >= 0:
                swap(state, r, p, a, q, b)
            else:
                state.move(r, p, b)
            current += delta
            if current < best:
                best, best_assign = current, state.snapshot()
                improved = step
                if not settled and best < target + W_MOVE and state.clean(watch.lower):
                    settled = watch.done = True
    return best, best_assign, step


def _shake(state: State, rng: random.Random, count: int) -> None:
    """A few random swaps within rounds (pinned people stay)."""
    for _ in range(count):
        r = rng.randrange(state.R)
        here = [p for p in state.present_in(r) if (r, p) not in state.pinned]
        if len(here) < 2:
            continue
        p, q = rng.sample(here, 2)
        a, b = state.assign[r][p], state.assign[r][q]
        if a != b:
            swap(state, r, p, a, q, b)


def default_iterations(inst: Instance) -> int:
    return max(50_000, STEPS_PER_SEAT * len(inst.people) * len(inst.rounds))


def _density(state: State) -> float:
    """The share of the others each person meets over all rounds if tables are even: near 1
    (the social golfers' tight instances) the search needs a long hot anneal."""
    if state.n < 2:
        return 0.0
    return state.R * (state.n / state.k - 1) / (state.n - 1)


def _only_repeats(state: State) -> bool:
    """Whether nothing but repeats can change with a swap and no move is needed: every table
    as big as the others and full, everyone in every round, all rounds mixed, no rule,
    wish or earlier plan, one role."""
    rules = state.inst.rules
    if any(rules.get(key) for key in (
            "min_counsellors_per_table", "max_county_staff_per_table", "max_per_organisation",
            "apart", "pinned", "apart_organisations", "spread_partner_kinds",
            "spread_size_classes")):
        return False
    return (state.previous is None and not any(state.regional) and state.k >= 2
            and len(set(state.seats)) == 1 and state.n == sum(state.seats)
            and all(all(row) for row in state.present) and len(state.role_names) == 1
            and not any(state.wish_reg) and not any(state.wish_reg_lost)
            and not any(state.wish_nb))


def _solve_tabu(state: State, inst: Instance, lower: int, deadline: float,
                watch: _Watch) -> tuple[int, int]:
    from eventapp.seating.solver.tabu import Tabu

    tabu = Tabu(state.n, state.k, state.seats[0], state.R, inst.seed)
    # The affine plane's rounds where they serve (up to one more round than tables: the
    # greedy completes the rest), else the greedy alone.
    first = tabu.affine() if state.k + 1 >= state.R else None
    start = tabu.greedy(first)

    def poll(step, best, best_g):
        return watch.poll(step, best * W_REPEAT, lambda: best_g.tolist())

    _best, best_g, steps, restarts = tabu.run(start, lower, inst.iterations, deadline, poll)
    for r, row in enumerate(best_g.tolist()):
        for p, t in enumerate(row):
            state.place(r, p, t)
    return steps, restarts


def solve(data: dict, *, progress: Callable[[dict], None] | None = None,
          should_stop: Callable[[], bool] | None = None) -> dict:
    """The best plan for an instance, with its metrics, its broken rules and unmet wishes (each
    with a reason) and, where rules cannot be met at all, which and why.

    ``progress(report)`` is called when a better plan is found (at most every half second)
    and once at the end; ``should_stop()`` is polled often, and when it says True the best
    plan so far is returned with ``metrics["stopped"]``."""
    started = time.perf_counter()
    inst = parse(data)
    infeasible = check_feasibility(inst)
    state = State(inst)
    rng = random.Random(inst.seed)
    lower = repeat_lower_bound_of(inst)
    watch = _Watch(inst, started, lower, progress, should_stop)
    deadline = started + max(0.0, inst.time_limit_s)
    restarts = 0
    if _only_repeats(state) and _numpy():
        done, restarts = _solve_tabu(state, inst, lower, deadline, watch)
    else:
        done, restarts = _solve_anneal(state, inst, rng, lower, infeasible, deadline, watch)
    result = evaluate_state(state, explain=True, infeasible=infeasible)
    metrics = result["metrics"]
    metrics["repeat_pairs_lower_bound"] = lower
    metrics["iterations"] = done
    metrics["restarts"] = restarts
    metrics["stopped"] = watch.stopped
    metrics["seed"] = inst.seed
    if progress is not None:
        watch.reported = None
        watch.report(done, result["score"], state.snapshot())
    metrics["seconds"] = round(time.perf_counter() - started, 3)
    return {"rounds": _rounds(inst, state), "metrics": metrics,
            "violations": result["violations"], "infeasible": infeasible}


def _numpy() -> bool:
    try:
        import numpy  # noqa: F401
    except ImportError:  # the annealing does without it
        return False
    return True


def _solve_anneal(state: State, inst: Instance, rng: random.Random, lower: int,
                  infeasible: list, deadline: float, watch: _Watch) -> tuple[int, int]:
    on_grid = construct(state, rng)
    # Nothing can improve once no rule is broken, no wish unmet, nobody moved and repeats are
    # at the bound; only the spread of roles (and a regional round's split) may be left.
    target = lower * W_REPEAT
    given = inst.iterations
    budget = int(given or default_iterations(inst))
    if infeasible:
        budget = min(budget, INFEASIBLE_STEPS)
    start = evaluate_state(state)
    tight = False
    if on_grid and start["_penalised"] <= lower and not start["metrics"]["soft_violations"]:
        budget = min(budget, POLISH_PER_SEAT * state.n * state.R)
        t_start, patience = T_POLISH, POLISH_PATIENCE
    elif inst.previous or (on_grid and (any(state.regional) or _density(state) < TIGHT)):
        # Re-planning keeps most seats; a grid start with some people seated off it, in a
        # gathering where each meets a fraction of the others: warm it up, do not melt it.
        t_start, patience = T_WARM, PATIENCE
    else:
        tight = _density(state) >= TIGHT
        if not infeasible and not given:
            budget = max(budget, min(HOT_STEPS, HOT_PER_SEAT * state.n * state.R))
        t_start, patience = T_HOT, budget
    if infeasible:
        patience = min(patience, INFEASIBLE_PATIENCE)
    overall, overall_assign = None, None
    total = restarts = fruitless = 0
    steps = budget
    while True:
        best, best_assign, done = _anneal(state, rng, steps, deadline, target, t_start,
                                          patience, watch)
        total += done
        watch.steps = total
        if overall is None or best < overall:
            overall, overall_assign = best, best_assign
            fruitless = 0
        else:
            fruitless += 1
        # A re-plan is not shaken: shaking moves people the plan should keep in place.
        if (watch.stopped or overall <= target or watch.done or infeasible or inst.previous
                or time.perf_counter() > deadline or (given and total >= given)
                or fruitless >= FRUITLESS):
            break
        # Stalled: shake the best plan (or, every third time, the plan as it ended) and go on.
        restarts += 1
        state.load(overall_assign if restarts % 3 else best_assign)
        _shake(state, rng, max(2, state.n * state.R // 20))
        t_start = T_HOT if tight else T_WARM
        patience, steps = PATIENCE, (budget if not given else min(budget, given - total))
    state.load(overall_assign)
    return total, restarts
