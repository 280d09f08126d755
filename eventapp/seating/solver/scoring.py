"""Scoring a plan: the full score, the broken rules in words with ids, and the metrics, for
the search's plan or any given one (a hand-made move, a saved plan)."""

from __future__ import annotations

from eventapp.seating.solver.bounds import check_feasibility, repeat_lower_bound
from eventapp.seating.solver.instance import RULES, InstanceError, parse
from eventapp.seating.solver.state import (
    W_HARD,
    W_MOVE,
    W_REGION,
    W_REPEAT,
    W_SPREAD,
    W_SPREAD_REGIONAL,
    State,
)


def evaluate_state(state: State) -> dict:
    inst = state.inst
    ids, tids = inst.ids, inst.table_ids
    violations = []
    by_rule = dict.fromkeys(RULES, 0)

    def broken(rule, r, t, count, message, **detail):
        by_rule[rule] += count
        violations.append({"rule": rule, "round": r, "table": tids[t] if t is not None else None,
                           "count": count, "message": message, **detail})

    spread = 0
    regional_split = 0
    moved = 0
    role_spread = []
    for r in range(state.R):
        per_table = {}
        for t in range(state.k):
            members = state.members[r][t]
            size = len(members)
            if size > state.seats[t]:
                broken("capacity", r, t, size - state.seats[t],
                       f"{size} people at {state.seats[t]} seats", have=size,
                       limit=state.seats[t])
            if state.min_c and state.couns[r][t] < state.min_c:
                broken("min_counsellors_per_table", r, t, state.min_c - state.couns[r][t],
                       f"{state.couns[r][t]} career counsellors, {state.min_c} needed",
                       have=state.couns[r][t], limit=state.min_c)
            if state.max_cs and state.county[r][t] > state.max_cs:
                broken("max_county_staff_per_table", r, t, state.county[r][t] - state.max_cs,
                       f"{state.county[r][t]} county staff, at most {state.max_cs}",
                       have=state.county[r][t], limit=state.max_cs)
            if state.max_o:
                orgs: dict[str, int] = {}
                for p in members:
                    if state.org[p] >= 0:
                        key = str(inst.people[p].get("organisation"))
                        orgs[key] = orgs.get(key, 0) + 1
                for org, count in sorted(orgs.items()):
                    if count > state.max_o:
                        broken("max_per_organisation", r, t, count - state.max_o,
                               f"{count} from {org}, at most {state.max_o}", organisation=org,
                               have=count, limit=state.max_o)
            for i, p in enumerate(members):
                for q in members[i + 1:]:
                    if q in state.apart[p]:
                        a, b = sorted((ids[p], ids[q]))
                        broken("apart", r, t, 1, f"{a} and {b} should sit apart", people=[a, b])
            counts = {}
            for role, count in enumerate(state.rolec[r][t]):
                if count:
                    counts[state.role_names[role]] = count
                spread += state._dev(role, count) * (W_SPREAD_REGIONAL if state.regional[r]
                                                     else W_SPREAD)
            per_table[tids[t]] = counts
        role_spread.append(per_table)
        if state.regional[r]:
            sizes: dict[int, int] = {}
            for p in range(state.n):
                if state.region[p] >= 0:
                    sizes[state.region[p]] = sizes.get(state.region[p], 0) + 1
            together = sum(c * (c - 1) // 2 for t in range(state.k)
                           for c in state.regc[r][t].values())
            regional_split += sum(c * (c - 1) // 2 for c in sizes.values()) - together
        if state.previous is not None:
            moved += sum(1 for p in range(state.n)
                         if state.previous[r][p] >= 0 and state.assign[r][p] != state.previous[r][p])
    for (r, p), t in sorted(state.pinned.items()):
        if state.assign[r][p] != t:
            broken("pinned", r, state.assign[r][p], 1, f"{ids[p]} is pinned to {tids[t]}",
                   person=ids[p], pinned_table=tids[t])
    n = state.n
    repeats = 0
    penalised = 0
    distinct = [0] * n
    slots = [0] * n
    for p in range(n):
        base = p * n
        for q in range(n):
            if q == p:
                continue
            total = state.mm[base + q] + state.mr[base + q]
            if total:
                distinct[p] += 1
                slots[p] += total
                if q > p:
                    repeats += total - 1
                    penalised += max(0, state.mm[base + q] + min(1, state.mr[base + q]) - 1)
    shares = [distinct[p] / slots[p] for p in range(n) if slots[p]]
    hard = sum(by_rule.values())
    score = (hard * W_HARD + moved * W_MOVE + penalised * W_REPEAT + spread
             + regional_split * W_REGION)
    return {
        "score": score,
        "violations": violations,
        "metrics": {
            "hard_violations": hard,
            "hard_violations_by_rule": by_rule,
            "repeat_pairs": repeats,
            "new_tablemates_share": round(sum(shares) / len(shares), 4) if shares else 1.0,
            "new_tablemates_share_min": round(min(shares), 4) if shares else 1.0,
            "role_spread": role_spread,
            "role_spread_excess": sum(
                state._dev(role, state.rolec[r][t][role])
                for r in range(state.R) for t in range(state.k)
                for role in range(len(state.role_names))),
            "regional_split_pairs": regional_split,
            "moved": moved,
        },
    }


def evaluate(data: dict, plan: dict) -> dict:
    """Score a given plan (``{"rounds": [{"tables": {table: [person, ...]}}]}``) by the same
    rules: what a hand-made change breaks. Everyone must be seated once per round."""
    inst = parse(data)
    state = State(inst)
    rounds = plan.get("rounds") or []
    if len(rounds) != state.R:
        raise InstanceError(f"the plan has {len(rounds)} rounds, the instance {state.R}")
    for r, rnd in enumerate(rounds):
        seen = set()
        for table, members in (rnd.get("tables") or {}).items():
            if table not in inst.table_ids:
                raise InstanceError(f"round {r + 1}: unknown table {table}")
            t = inst.table_ids.index(table)
            for pid in members:
                if pid not in inst.index or pid in seen:
                    raise InstanceError(f"round {r + 1}: {pid} is unknown or seated twice")
                seen.add(pid)
                state.place(r, inst.index[pid], t)
        if len(seen) != state.n:
            missing = sorted(set(inst.ids) - seen)
            raise InstanceError(f"round {r + 1}: not seated: {', '.join(missing[:5])}")
    result = evaluate_state(state)
    result["metrics"]["repeat_pairs_lower_bound"] = repeat_lower_bound(state.n, inst.seats,
                                                                       state.R)
    result.pop("score")
    result["infeasible"] = check_feasibility(inst)
    return result
