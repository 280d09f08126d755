"""Scoring a plan: the full score, the broken rules and unmet wishes in words with ids and a
reason each, and the metrics, for the search's plan or any given one (a hand-made move, a
saved plan). ``evaluate_state`` recomputes everything from the seating alone, never from the
counts the search keeps, so it can check them."""

from __future__ import annotations

from collections import Counter

from eventapp.seating.solver.bounds import check_feasibility, repeat_lower_bound
from eventapp.seating.solver.instance import RULES, SOFT_RULES, InstanceError, parse
from eventapp.seating.solver.state import PART_WEIGHT, PARTS, State


def evaluate_state(state: State, explain: bool = False, infeasible: list | None = None) -> dict:
    inst = state.inst
    ids, tids = inst.ids, inst.table_ids
    violations = []
    by_rule = dict.fromkeys(RULES, 0)
    soft_by_rule = dict.fromkeys(SOFT_RULES, 0)

    def broken(rule, r, t, count, message, **detail):
        soft = rule in soft_by_rule
        (soft_by_rule if soft else by_rule)[rule] += count
        violations.append({"rule": rule, "round": r, "table": tids[t] if t is not None else None,
                           "count": count, "soft": soft, "message": message, **detail})

    moved = 0
    role_spread = []
    role_excess = 0
    regional_split = 0
    k = state.k
    meet_mixed, meet_regional = Counter(), Counter()
    for r in range(state.R):
        per_table = {}
        present = state.present_in(r)
        region_size = Counter(state.region[p] for p in present if state.region[p] >= 0)
        kind_tables = [0] * len(state.kinds)
        for t in range(k):
            members = state.members[r][t]
            size = len(members)
            meet = meet_regional if state.regional[r] else meet_mixed
            for i, p in enumerate(members):
                for q in members[i + 1:]:
                    meet[(p, q) if p < q else (q, p)] += 1
            if size > state.seats[t]:
                broken("capacity", r, t, size - state.seats[t],
                       f"{size} people at {state.seats[t]} seats", have=size,
                       limit=state.seats[t], people=[ids[p] for p in members])
            couns = sum(1 for p in members if state.is_couns[p])
            if state.min_c and couns < state.min_c:
                broken("min_counsellors_per_table", r, t, state.min_c - couns,
                       f"{couns} career counsellors, {state.min_c} needed",
                       have=couns, limit=state.min_c)
            county = [p for p in members if state.is_county[p]]
            if state.max_cs and len(county) > state.max_cs:
                broken("max_county_staff_per_table", r, t, len(county) - state.max_cs,
                       f"{len(county)} county staff, at most {state.max_cs}",
                       have=len(county), limit=state.max_cs, people=[ids[p] for p in county])
            if state.max_o:
                orgs: dict[str, list[int]] = {}
                for p in members:
                    if state.org[p] >= 0:
                        orgs.setdefault(state.org_key[p], []).append(p)
                for org, who in sorted(orgs.items()):
                    if len(who) > state.max_o:
                        broken("max_per_organisation", r, t, len(who) - state.max_o,
                               f"{len(who)} from {org}, at most {state.max_o}", organisation=org,
                               have=len(who), limit=state.max_o, people=[ids[p] for p in who])
            for i, p in enumerate(members):
                for q in members[i + 1:]:
                    if q in state.apart[p]:
                        a, b = sorted((ids[p], ids[q]))
                        broken("apart", r, t, 1, f"{a} and {b} should sit apart", people=[a, b])
                    if q in state.aorg[p]:
                        (a, oa), (b, ob) = sorted(((ids[p], state.org_key[p]),
                                                   (ids[q], state.org_key[q])))
                        broken("apart_organisations", r, t, 1,
                               f"{a} ({oa}) and {b} ({ob}) are of organisations kept apart",
                               organisations=[oa, ob], people=[a, b])
            counts = Counter(state.role[p] for p in members)
            per_table[tids[t]] = {state.role_names[x]: c for x, c in sorted(counts.items())}
            for role in range(len(state.role_names)):
                dev = state._dev(r, role, counts.get(role, 0))
                role_excess += dev
            regions = Counter(state.region[p] for p in members if state.region[p] >= 0)
            if state.regional[r]:
                regional_split -= sum(c * (c - 1) // 2 for c in regions.values())
            for p in members:
                if state.wish_reg[p] and regions[state.region[p]] < 2:
                    broken("wish_regional", r, t, 1,
                           f"{ids[p]} wished a regional table: nobody else from the region",
                           person=ids[p])
                elif state.wish_reg_lost[p]:
                    broken("wish_regional", r, t, 1,
                           f"{ids[p]} wished a regional table but has no region", person=ids[p])
                if state.wish_nb[p]:
                    near = sorted(ids[q] for q in members if q in state.nbr[p])
                    if near:
                        broken("wish_apart_from_neighbours", r, t, 1,
                               f"{ids[p]} wished to sit apart from neighbours, here "
                               f"{', '.join(near)}", person=ids[p], people=near)
            kinds = Counter(state.kind[p] for p in members if state.kind[p] >= 0)
            for ki in kinds:
                kind_tables[ki] += 1
            classes = Counter(state.sclass[p] for p in members if state.sclass[p] >= 0)
            for ci, c in sorted(classes.items()):
                lim = state.class_lim[r][ci]
                if c > lim:
                    name = state.classes[ci]
                    broken("spread_size_classes", r, t, c - lim,
                           f"{c} from {name} municipalities, at most {lim} per table",
                           size_class=name, have=c, limit=lim,
                           people=[ids[p] for p in members if state.sclass[p] == ci])
        if state.regional[r]:
            regional_split += sum(c * (c - 1) // 2 for c in region_size.values())
        for ki, covered in enumerate(kind_tables):
            best = state.kind_best[r][ki]
            if covered < k:
                name = state.kinds[ki]
                broken("spread_partner_kinds", r, None, max(0, best - covered),
                       f"{covered} of {k} tables have someone from {name} "
                       f"({sum(1 for p in present if state.kind[p] == ki)} present)",
                       kind=name, have=covered, limit=best)
        role_spread.append(per_table)
        if state.previous is not None:
            moved += sum(1 for p in present
                         if state.previous[r][p] >= 0 and state.assign[r][p] != state.previous[r][p])
    for (r, p), t in sorted(state.pinned.items()):
        if state.assign[r][p] != t:
            at = state.assign[r][p]
            broken("pinned", r, at if at >= 0 else None, 1, f"{ids[p]} is pinned to {tids[t]}",
                   person=ids[p], pinned_table=tids[t])
    n = state.n
    repeats = penalised = 0
    distinct = [0] * n
    slots = [0] * n
    for pair in set(meet_mixed) | set(meet_regional):
        a, b = meet_mixed.get(pair, 0), meet_regional.get(pair, 0)
        total = a + b
        p, q = pair
        distinct[p] += 1
        distinct[q] += 1
        slots[p] += total
        slots[q] += total
        repeats += total - 1
        penalised += max(0, a + min(1, b) - 1)
    shares = [distinct[p] / slots[p] for p in range(n) if slots[p]]
    hard = sum(by_rule.values())
    soft = sum(soft_by_rule.values())
    score = (hard * 1_000_000 + moved * state.w_move + penalised * state.w_rep
             + soft_by_rule["wish_regional"] * state.w_wreg
             + soft_by_rule["wish_apart_from_neighbours"] * state.w_wnb
             + soft_by_rule["spread_partner_kinds"] * state.w_kind
             + soft_by_rule["spread_size_classes"] * state.w_class
             + regional_split * state.w_region)
    score += sum(state._dev(r, role, c) * (state.w_role_reg if state.regional[r] else state.w_role)
                 for r in range(state.R) for t in range(k)
                 for role, c in enumerate(_role_counts(state, r, t)))
    if explain:
        infeasible_rules = {f["rule"] for f in (infeasible or [])}
        for v in violations:
            v["reason"] = _reason(state, v, infeasible_rules)
    return {
        "score": score,
        "violations": violations,
        "metrics": {
            "hard_violations": hard,
            "hard_violations_by_rule": by_rule,
            "soft_violations": soft,
            "soft_violations_by_rule": soft_by_rule,
            "repeat_pairs": repeats,
            "new_tablemates_share": round(sum(shares) / len(shares), 4) if shares else 1.0,
            "new_tablemates_share_min": round(min(shares), 4) if shares else 1.0,
            "role_spread": role_spread,
            "role_spread_excess": role_excess,
            "regional_split_pairs": regional_split,
            "moved": moved,
        },
        "_penalised": penalised,
    }


def _role_counts(state: State, r: int, t: int) -> list[int]:
    counts = [0] * len(state.role_names)
    for p in state.members[r][t]:
        counts[state.role[p]] += 1
    return counts


# ---- Why a rule is broken or a wish unmet -------------------------------------------------

_MAX_TRIES = 120  # (person, table) pairs tried per violation
_MAX_MENDING = 12  # mending moves looked into: enough to name what blocks them


def _candidates(state: State, v: dict) -> list[tuple[int, int]]:
    """Who could move where to mend violation ``v``: (person, table) in its round."""
    r, rule = v["round"], v["rule"]
    index, k = state.inst.index, state.k
    t = state.inst.table_ids.index(v["table"]) if v.get("table") is not None else None
    members = state.members[r][t] if t is not None else []
    others = [b for b in range(k) if b != t]
    out: list[tuple[int, int]] = []
    if rule == "min_counsellors_per_table":
        out = [(p, t) for p in state.present_in(r) if state.is_couns[p] and state.assign[r][p] != t]
    elif rule == "pinned":
        p = index[v["person"]]
        out = [(p, state.inst.table_ids.index(v["pinned_table"]))]
    elif rule == "spread_partner_kinds":
        ki = state.kinds.index(v["kind"])
        empty = [b for b in range(k) if state.kindc[r][b][ki] == 0]
        out = [(p, b) for p in state.present_in(r) if state.kind[p] == ki
               and state.kindc[r][state.assign[r][p]][ki] > 1 for b in empty]
        out += [(p, b) for b in empty for p in state.present_in(r) if state.kind[p] == ki
                and state.kindc[r][state.assign[r][p]][ki] == 1]
    elif rule in ("wish_regional", "wish_apart_from_neighbours"):
        p = index[v["person"]]
        out = [(p, b) for b in others]
        if rule == "wish_regional":
            out += [(q, t) for q in state.present_in(r) if q != p
                    and state.region[q] == state.region[p] and state.assign[r][q] != t]
        else:
            out += [(index[q], b) for q in v.get("people") or [] for b in others]
    else:
        who = [index[x] for x in v.get("people") or []] or list(members)
        out = [(p, b) for p in who for b in others]
    return out[:_MAX_TRIES]


def _reason(state: State, v: dict, infeasible_rules: set[str]) -> dict:
    rule, r = v["rule"], v["round"]
    if rule in infeasible_rules:
        return {"code": "too_few", "blocked_by": [rule]}
    if rule == "wish_regional":
        p = state.inst.index[v["person"]]
        g = state.region[p]
        if g < 0 or sum(1 for q in state.present_in(r) if state.region[q] == g) < 2:
            return {"code": "too_few", "blocked_by": []}
    if rule == "spread_partner_kinds" and v["count"] == 0:
        return {"code": "too_few", "blocked_by": []}
    own = PART_WEIGHT[rule]
    names = [part for part in PARTS if part != rule]
    blocked: set[str] = set()
    fallback: tuple[int, set[str]] | None = None
    mended = 0
    try:
        for p, b in _candidates(state, v):
            if mended >= _MAX_MENDING:
                break
            a = state.assign[r][p]
            if a < 0 or a == b:
                continue
            trials = []
            if state.size[r][b] < state.seats[b]:
                trials.append(None)
            trials += [q for q in state.members[r][b] if (r, q) not in state.pinned]
            for q in trials:
                def delta(q=q, p=p, a=a, b=b):
                    return (state.move_delta(r, p, b) if q is None
                            else state.swap_delta(r, p, a, q, b))
                state.set_weights(rule)
                if delta() >= 0:
                    continue
                mended += 1
                worse = set()
                for part in names:
                    state.set_weights(part)
                    if delta() > 0:
                        worse.add(part)
                state.set_weights()
                total = delta()
                weighty = {x for x in worse if PART_WEIGHT[x] >= own}
                blocked |= weighty
                if fallback is None or total < fallback[0]:
                    fallback = (total, worse)
    finally:
        state.set_weights()
    if not mended:
        return {"code": "conflict", "blocked_by": []}
    if not blocked and fallback is not None:
        blocked = fallback[1]
    order = list(PARTS)
    return {"code": "conflict", "blocked_by": sorted(blocked, key=order.index)}


def evaluate(data: dict, plan: dict) -> dict:
    """Score a given plan (``{"rounds": [{"tables": {table: [person, ...]}}]}``) by the same
    rules: what a hand-made change breaks. Everyone present in a round must be seated in it
    once, and nobody absent from it."""
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
                if not state.present[r][inst.index[pid]]:
                    raise InstanceError(f"round {r + 1}: {pid} is not there in this round")
                seen.add(pid)
                state.place(r, inst.index[pid], t)
        expected = {inst.ids[p] for p in state.present_in(r)}
        if seen != expected:
            missing = sorted(expected - seen)
            raise InstanceError(f"round {r + 1}: not seated: {', '.join(missing[:5])}")
    infeasible = check_feasibility(inst)
    result = evaluate_state(state, explain=True, infeasible=infeasible)
    result["metrics"]["repeat_pairs_lower_bound"] = repeat_lower_bound_of(inst)
    result.pop("score")
    result.pop("_penalised")
    result["infeasible"] = infeasible
    return result


def repeat_lower_bound_of(inst) -> int:
    """The lower bound on repeats for an instance, over the people present in each round."""
    return repeat_lower_bound(len(inst.people), inst.seats, len(inst.rounds),
                              present=inst.present,
                              mixed=[r.get("mode", "mixed") == "mixed" for r in inst.rounds])
