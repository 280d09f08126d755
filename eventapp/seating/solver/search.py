"""The search: simulated annealing from the start plan, aimed at the people who are part of a
problem, and ``solve``, which runs it all and reports the plan."""

from __future__ import annotations

import math
import random
import time

from eventapp.seating.solver.bounds import check_feasibility, repeat_lower_bound
from eventapp.seating.solver.construct import construct
from eventapp.seating.solver.instance import Instance, parse
from eventapp.seating.solver.scoring import evaluate_state
from eventapp.seating.solver.state import W_REPEAT, State, swap, swap_everywhere

# Temperatures: a start without repeats (the grid) is only polished; any other start is
# annealed from hot enough to trade a repeat for a better neighbourhood.
T_POLISH, T_WARM, T_HOT, T_END = 150.0, 400.0, 0.3 * W_REPEAT, 2.0
POLISH_PER_SEAT, POLISH_PATIENCE = 80, 15_000
STEPS_PER_SEAT = 300
CANDIDATES = 1
EVERYWHERE = 0.3  # share of steps that swap two people in every mixed round
HOT_STEPS, HOT_PER_SEAT = 400_000, 4_000
TIGHT = 0.6  # the density above which a start is annealed hot
PATIENCE = 10_000  # steps without a better plan before the search gives up


def _score(state: State) -> int:
    """The full score, computed from scratch (used to start and to check the increments)."""
    return evaluate_state(state)["score"]


def _anneal(state: State, rng: random.Random, steps: int, deadline: float,
            target: int, t_start: float, patience: int) -> tuple[int, list[list[int]], int]:
    """Simulated annealing over swaps and moves within a round, aimed at the people who are
    part of a problem (a repeated table-mate, a broken rule), each candidate scored without
    making it. The temperature falls with the step count, never with the clock."""
    n, k, R = state.n, state.k, state.R
    movable = [[p for p in range(n) if (r, p) not in state.pinned] for r in range(R)]
    rounds = [r for r in range(R) if movable[r]]
    mixed = [r for r in rounds if not state.regional[r]]
    current = _score(state)
    best, best_assign = current, [row[:] for row in state.assign]
    if not rounds or k < 2:
        return best, best_assign, 0
    step = improved = 0
    for step in range(1, steps + 1):
        if step % 1024 == 0:
            # Once no rule is broken and repeats are at the bound, only the spread is left
            # to improve: give that a short while, not the whole patience.
            settled = best < target + W_REPEAT
            wait = min(patience, POLISH_PATIENCE) if settled else patience
            if best <= target or step - improved > wait or time.perf_counter() > deadline:
                break
        temp = t_start * (T_END / t_start) ** (step / steps)
        r = rounds[rng.randrange(len(rounds))]
        members = movable[r]
        if len(mixed) > 1 and not state.regional[r] and rng.random() < EVERYWHERE:
            # Two people change places in every mixed round at once: on a grid start this
            # keeps every pair's meetings as they were, so roles can even out without repeats.
            p = members[rng.randrange(len(members))]
            q = members[rng.randrange(len(members))]
            if p == q or any((rr, x) in state.pinned for rr in mixed for x in (p, q)):
                continue
            delta = swap_everywhere(state, mixed, p, q, False)
            if delta <= 0 or rng.random() < math.exp(-delta / temp):
                current += delta
                if current < best:
                    best, best_assign = current, [row[:] for row in state.assign]
                    improved = step
            else:
                swap_everywhere(state, mixed, q, p, False)
            continue
        for _try in range(8):
            p = members[rng.randrange(len(members))]
            if state.troubled(r, p):
                break
        a = state.assign[r][p]
        # The best of a few candidate swaps or moves for p.
        delta, b, q = None, -1, -1
        for _c in range(CANDIDATES):
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
                state.remove(r, p)
                state.place(r, p, b)
            current += delta
            if current < best:
                best, best_assign = current, [row[:] for row in state.assign]
                improved = step
    return best, best_assign, step



def _load(state: State, assign: list[list[int]]) -> None:
    for r in range(state.R):
        for p in range(state.n):
            if state.assign[r][p] >= 0:
                state.remove(r, p)
    for r in range(state.R):
        for p in range(state.n):
            state.place(r, p, assign[r][p])


def default_iterations(inst: Instance) -> int:
    return max(50_000, STEPS_PER_SEAT * len(inst.people) * len(inst.rounds))


def _density(state: State) -> float:
    """The share of the others each person meets over all rounds if tables are even: near 1
    (the social golfers' tight instances) the search needs a long hot anneal."""
    if state.n < 2:
        return 0.0
    return state.R * (state.n / state.k - 1) / (state.n - 1)


def solve(data: dict) -> dict:
    """The best plan for an instance, with its metrics, its broken rules and, where rules
    cannot be met at all, which and why."""
    started = time.perf_counter()
    inst = parse(data)
    infeasible = check_feasibility(inst)
    state = State(inst)
    rng = random.Random(inst.seed)
    on_grid = construct(state, rng)
    lower = repeat_lower_bound(state.n, inst.seats, state.R)
    # Stop early only when nothing can improve: no broken rule, moves or spread, repeats at
    # the bound. With rules that cannot be met there is no such point, but the search still
    # improves what it can within a short budget.
    target = 0 if infeasible else lower * W_REPEAT
    iterations = int(inst.iterations or default_iterations(inst))
    if infeasible:
        iterations = min(iterations, 20_000)
    deadline = started + max(0.0, inst.time_limit_s)
    # A grid start without repeats is only polished (roles, rules), briefly; a grid start that
    # had to seat some people off the grid is annealed warm; any other start hot, through the
    # whole budget.
    start = evaluate_state(state)["metrics"]
    if on_grid and start["repeat_pairs"] <= lower:
        iterations = min(iterations, POLISH_PER_SEAT * state.n * state.R)
        t_start, patience = T_POLISH, POLISH_PATIENCE
    elif inst.previous or (on_grid and (any(state.regional) or _density(state) < TIGHT)):
        # Re-planning keeps most seats; a grid start with some people seated off it, in a
        # gathering where each meets a fraction of the others: warm it up, do not melt it.
        t_start, patience = T_WARM, PATIENCE
    else:
        if not infeasible and not inst.iterations:
            # Tight instances need a long anneal; small ones do not need 400 000 steps.
            iterations = max(iterations, min(HOT_STEPS, HOT_PER_SEAT * state.n * state.R))
        t_start, patience = T_HOT, iterations
    best, best_assign, done = _anneal(state, rng, iterations, deadline, target, t_start,
                                      patience)
    _load(state, best_assign)
    result = evaluate_state(state)
    metrics = result["metrics"]
    metrics["repeat_pairs_lower_bound"] = lower
    metrics["iterations"] = done
    metrics["seed"] = inst.seed
    metrics["seconds"] = round(time.perf_counter() - started, 3)
    return {"rounds": [{"mode": r.get("mode", "mixed"), "tables": tables}
                       for r, tables in zip(inst.rounds, state.plan(), strict=False)],
            "metrics": metrics, "violations": result["violations"], "infeasible": infeasible}
