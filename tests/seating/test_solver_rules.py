"""The solver's rules of issue 19: attendance, organisations kept apart, partner kinds and size
classes spread, wishes, the reasons given for what is not met, the anytime search (progress,
stop, determinism) and the increments it scores by, checked against a full recount."""

import itertools
import random
from collections import Counter

import pytest

from eventapp.seating import examples
from eventapp.seating.solver import (
    InstanceError,
    check_feasibility,
    evaluate,
    evaluate_state,
    parse,
    repeat_lower_bound,
    solve,
)
from eventapp.seating.solver.construct import construct
from eventapp.seating.solver.state import State, swap, swap_everywhere


def person(pid, role="leader", organisation=None, region=None, **extra):
    return {"id": pid, "role": role, "organisation": organisation or pid, "region": region,
            **extra}


def instance(people, tables, rounds=1, rules=None, **extra):
    return {"people": people,
            "tables": [{"id": f"T{i + 1}", "seats": s} for i, s in enumerate(tables)],
            "rounds": [{"mode": "mixed"} for _ in range(rounds)] if isinstance(rounds, int)
            else rounds,
            "rules": rules or {}, "seed": 1, "time_limit_s": 3, **extra}


def table_of(plan, r, pid):
    return next((t for t, members in plan["rounds"][r]["tables"].items() if pid in members),
                None)


def repeats(plan):
    met = Counter()
    for rnd in plan["rounds"]:
        for members in rnd["tables"].values():
            met.update(itertools.combinations(sorted(members), 2))
    return sum(c - 1 for c in met.values() if c > 1)


def found(plan, rule):
    return [v for v in plan["violations"] if v["rule"] == rule]


# ---- attendance ----------------------------------------------------------------------------

def test_a_one_day_person_is_seated_only_in_that_days_rounds():
    people = [person(f"p{i}") for i in range(11)] + [person("day1", rounds=[0, 1]),
                                                     person("day2", rounds=[2, 3])]
    plan = solve(instance(people, [4, 4, 4], rounds=4))
    for r in range(4):
        seated = [p for members in plan["rounds"][r]["tables"].values() for p in members]
        assert sorted(seated) == sorted(p["id"] for p in people
                                        if "rounds" not in p or r in p["rounds"])
    assert table_of(plan, 2, "day1") is None and table_of(plan, 3, "day1") is None
    assert table_of(plan, 0, "day2") is None and table_of(plan, 1, "day2") is None
    assert plan["metrics"]["hard_violations"] == 0
    assert plan["metrics"]["repeat_pairs"] == repeats(plan)


def test_someone_coming_to_no_round_is_never_seated():
    people = [person(f"p{i}") for i in range(6)] + [person("away", rounds=[])]
    plan = solve(instance(people, [3, 3], rounds=2))
    assert all(table_of(plan, r, "away") is None for r in range(2))
    assert plan["metrics"]["hard_violations"] == 0


def test_absent_people_change_no_metric():
    # The same plan scored with and without a person who is there in round 1 only and sits
    # alone: no pair, no repeat, no broken rule comes from them in round 2.
    people = [person(f"p{i}") for i in range(4)]
    plan = {"rounds": [{"tables": {"T1": ["p0", "p1"], "T2": ["p2", "p3"], "T3": []}},
                       {"tables": {"T1": ["p0", "p2"], "T2": ["p1", "p3"], "T3": []}}]}
    base = evaluate(instance(people, [2, 2, 1], rounds=2), plan)
    plan["rounds"][0]["tables"]["T3"] = ["guest"]
    more = evaluate(instance(people + [person("guest", rounds=[0])], [2, 2, 1], rounds=2), plan)
    for key in ("hard_violations", "repeat_pairs", "soft_violations", "repeat_pairs_lower_bound"):
        assert base["metrics"][key] == more["metrics"][key]


def test_evaluate_refuses_a_plan_that_seats_someone_absent():
    people = [person("a"), person("b", rounds=[0])]
    data = instance(people, [2], rounds=2)
    with pytest.raises(InstanceError, match="not there"):
        evaluate(data, {"rounds": [{"tables": {"T1": ["a", "b"]}},
                                   {"tables": {"T1": ["a", "b"]}}]})


def test_counts_and_bounds_are_per_round_over_those_present():
    # Round 2 has 6 counsellors for 6 tables; round 1 only 5 (one comes on day 2): only
    # round 1 is named, and only there does a table lack one.
    people = ([person(f"c{i}", "career_counsellor", "county") for i in range(5)]
              + [person("c5", "career_counsellor", "county", rounds=[1])]
              + [person(f"m{i}") for i in range(12)])
    plan = solve(instance(people, [4] * 6, rounds=2, rules={"min_counsellors_per_table": 1}))
    named = [f for f in plan["infeasible"] if f["rule"] == "min_counsellors_per_table"]
    assert len(named) == 1 and named[0]["rounds"] == [0]
    assert "in round 1" in named[0]["message"]
    broken = found(plan, "min_counsellors_per_table")
    assert [v["round"] for v in broken] == [0]
    assert broken[0]["reason"]["code"] == "too_few"
    # Four people at two tables of two for four rounds repeat 2 pairs; with one of them there
    # only in the first round, the others cannot help meeting again, but fewer can be forced.
    assert repeat_lower_bound(4, [2, 2], 4) == 2
    present = [[True] * 4] + [[True, True, True, False] for _ in range(3)]
    assert repeat_lower_bound(4, [2, 2], 4, present=present) <= 2


def test_a_pin_in_a_round_someone_misses_is_reported_not_refused():
    people = [person(f"p{i}") for i in range(4)] + [person("x", rounds=[0])]
    pins = [{"person": "x", "round": 1, "table": "T1"}]
    plan = solve(instance(people, [3, 3], rounds=2, rules={"pinned": pins}))
    named = [f for f in plan["infeasible"] if f["rule"] == "pinned"]
    assert named and named[0]["reason"] == "absent" and named[0]["person"] == "x"
    assert table_of(plan, 1, "x") is None
    assert plan["metrics"]["hard_violations"] == 0


# ---- organisations kept apart ----------------------------------------------------------------

def test_organisations_kept_apart_never_share_a_table():
    people = [person(f"{org}{i}", organisation=org) for org in "ABC" for i in range(2)]
    people += [person(f"x{i}") for i in range(6)]
    rules = {"apart_organisations": [["A", "B", "C"]]}
    plan = solve(instance(people, [4, 4, 4], rounds=3, rules=rules))
    for r in range(3):
        for members in plan["rounds"][r]["tables"].values():
            assert len({p[0] for p in members if p[0] in "ABC"}) <= 1
    assert plan["metrics"]["hard_violations_by_rule"]["apart_organisations"] == 0


def test_more_organisations_to_keep_apart_than_tables_is_named():
    people = [person(f"{org}1", organisation=org) for org in "ABC"] + [person("x")]
    plan = solve(instance(people, [2, 2], rules={"apart_organisations": [["A", "B", "C"]]}))
    named = [f for f in plan["infeasible"] if f["rule"] == "apart_organisations"]
    assert named and named[0]["organisations"] == ["A", "B", "C"]
    assert named[0]["have"] == 3 and named[0]["limit"] == 2
    broken = found(plan, "apart_organisations")
    assert len(broken) == plan["metrics"]["hard_violations_by_rule"]["apart_organisations"] == 1
    v = broken[0]
    assert v["soft"] is False and v["count"] == 1 and len(v["people"]) == 2
    assert v["reason"] == {"code": "too_few", "blocked_by": ["apart_organisations"]}


def test_bad_apart_organisations_are_refused():
    with pytest.raises(InstanceError, match="apart_organisations"):
        solve(instance([person("a")], [2], rules={"apart_organisations": "A,B"}))
    with pytest.raises(InstanceError, match="partner_kind"):
        solve(instance([person("a", partner_kind="bank")], [2]))
    with pytest.raises(InstanceError, match="rounds"):
        solve(instance([person("a", rounds=[5])], [2]))


# ---- partner kinds and size classes ----------------------------------------------------------

def test_partner_kinds_are_spread_over_the_tables():
    people = ([person(f"nav{i}", "partner", f"NAV{i}", partner_kind="nav") for i in range(3)]
              + [person(f"vo{i}", "partner", f"VO{i}", partner_kind="adult_education")
                 for i in range(3)]
              + [person(f"m{i}") for i in range(6)])
    # Roles would not spread them: everyone is a partner or a leader, 6 of each.
    plan = solve(instance(people, [4, 4, 4], rounds=2,
                          rules={"spread_partner_kinds": ["nav", "adult_education"]}))
    for r in range(2):
        for members in plan["rounds"][r]["tables"].values():
            assert sum(p.startswith("nav") for p in members) == 1
            assert sum(p.startswith("vo") for p in members) == 1
    assert plan["metrics"]["soft_violations_by_rule"]["spread_partner_kinds"] == 0


def test_too_few_of_a_partner_kind_for_the_tables_is_said_so():
    people = ([person(f"nav{i}", "partner", f"NAV{i}", partner_kind="nav") for i in range(2)]
              + [person(f"m{i}") for i in range(16)])
    plan = solve(instance(people, [3] * 6, rules={"spread_partner_kinds": ["nav"]}))
    # The best possible: the two at two tables; four tables without, which no plan mends.
    assert len({table_of(plan, 0, "nav0"), table_of(plan, 0, "nav1")}) == 2
    v = found(plan, "spread_partner_kinds")[0]
    assert v["soft"] is True and v["count"] == 0 and v["table"] is None
    assert v["kind"] == "nav" and v["have"] == 2 and v["limit"] == 2
    assert v["reason"]["code"] == "too_few"
    assert plan["metrics"]["soft_violations"] == 0 and plan["metrics"]["hard_violations"] == 0


def test_large_municipalities_staff_are_spread():
    people = ([person(f"big{i}", organisation=f"B{i}", size_class="large") for i in range(6)]
              + [person(f"s{i}", organisation=f"S{i}", size_class="small") for i in range(6)])
    plan = solve(instance(people, [4, 4, 4], rounds=3, rules={"spread_size_classes": ["large"]}))
    for r in range(3):
        for members in plan["rounds"][r]["tables"].values():
            assert sum(p.startswith("big") for p in members) == 2
    assert plan["metrics"]["soft_violations_by_rule"]["spread_size_classes"] == 0


def test_size_class_excess_is_counted_soft():
    people = [person(f"big{i}", size_class="large") for i in range(4)] + [person("s")]
    data = instance(people, [3, 3], rules={"spread_size_classes": ["large"]})
    result = evaluate(data, {"rounds": [{"tables": {"T1": ["big0", "big1", "big2"],
                                                    "T2": ["big3", "s"]}}]})
    v = found(result, "spread_size_classes")[0]
    assert (v["count"], v["have"], v["limit"], v["table"]) == (1, 3, 2, "T1")
    assert v["soft"] is True and result["metrics"]["hard_violations"] == 0
    assert result["metrics"]["soft_violations"] == 1
    assert v["reason"]["code"] == "conflict"


# ---- wishes ---------------------------------------------------------------------------------

def test_a_regional_wish_is_met():
    people = ([person("w", region="Sogn", wish="regional")]
              + [person(f"s{i}", region="Sogn") for i in range(2)]
              + [person(f"h{i}", region="Hardanger") for i in range(9)])
    plan = solve(instance(people, [4, 4, 4], rounds=3))
    for r in range(3):
        t = table_of(plan, r, "w")
        assert any(p.startswith("s") for p in plan["rounds"][r]["tables"][t])
    assert plan["metrics"]["soft_violations_by_rule"]["wish_regional"] == 0


def test_a_regional_wish_nobody_can_meet_is_too_few():
    people = [person("w", region="Sogn", wish="regional")] + [
        person(f"h{i}", region="Hardanger") for i in range(5)]
    plan = solve(instance(people, [3, 3]))
    v = found(plan, "wish_regional")[0]
    assert v["person"] == "w" and v["soft"] is True and v["count"] == 1
    assert v["reason"] == {"code": "too_few", "blocked_by": []}
    assert plan["metrics"]["soft_violations_by_rule"]["wish_regional"] == 1
    assert plan["metrics"]["hard_violations"] == 0


def test_a_wish_blocked_by_organisations_kept_apart_says_so():
    # w's only region-mate is of an organisation kept apart from w's.
    people = ([person("w", organisation="A", region="Sogn", wish="regional"),
               person("v", organisation="B", region="Sogn")]
              + [person(f"h{i}", region="Hardanger") for i in range(4)])
    plan = solve(instance(people, [3, 3], rules={"apart_organisations": [["A", "B"]]}))
    assert plan["metrics"]["hard_violations"] == 0
    v = found(plan, "wish_regional")[0]
    assert v["reason"]["code"] == "conflict"
    assert "apart_organisations" in v["reason"]["blocked_by"]


def test_the_wish_to_sit_apart_from_neighbours_is_met():
    people = ([person("w", organisation="A", wish="apart_from_neighbours")]
              + [person(f"b{i}", organisation="B") for i in range(3)]
              + [person(f"x{i}") for i in range(5)])
    rules = {"neighbours": [["A", "B"]]}
    plan = solve(instance(people, [3, 3, 3], rounds=2, rules=rules))
    for r in range(2):
        t = table_of(plan, r, "w")
        assert not any(p.startswith("b") for p in plan["rounds"][r]["tables"][t])
    assert plan["metrics"]["soft_violations_by_rule"]["wish_apart_from_neighbours"] == 0
    # A hand-made plan that seats a neighbour with w names them.
    data = instance(people, [3, 3, 3], rules=rules)
    result = evaluate(data, {"rounds": [{"tables": {"T1": ["w", "b0", "x0"],
                                                    "T2": ["b1", "x1", "x2"],
                                                    "T3": ["b2", "x3", "x4"]}}]})
    v = found(result, "wish_apart_from_neighbours")[0]
    assert v["person"] == "w" and v["people"] == ["b0"] and v["table"] == "T1"
    assert v["reason"]["code"] == "conflict"


def test_soft_rules_never_count_as_hard():
    data = examples.realistic(48, rounds=2, seed=3)
    plan = solve(dict(data, time_limit_s=3))
    metrics = plan["metrics"]
    assert metrics["hard_violations"] == sum(v["count"] for v in plan["violations"]
                                             if not v["soft"])
    assert metrics["soft_violations"] == sum(v["count"] for v in plan["violations"]
                                             if v["soft"])
    assert all(v["reason"]["code"] in ("too_few", "conflict") for v in plan["violations"])


# ---- the anytime search -----------------------------------------------------------------------

def test_should_stop_returns_the_best_plan_so_far():
    data = dict(examples.social_golfer(8, 4, 10), time_limit_s=30)
    polls = []

    def should_stop():
        polls.append(1)
        return len(polls) > 3

    plan = solve(data, should_stop=should_stop)
    assert plan["metrics"]["stopped"] is True
    assert plan["metrics"]["seconds"] < 5
    assert repeats(plan) == plan["metrics"]["repeat_pairs"]
    assert all(len(rnd["tables"]) == 8 for rnd in plan["rounds"])


def test_should_stop_in_a_gathering_with_rules():
    data = dict(examples.realistic(96, seed=2), time_limit_s=30)
    plan = solve(data, should_stop=lambda: True)
    assert plan["metrics"]["stopped"] is True
    assert plan["metrics"]["seconds"] < 3
    seated = sum(len(m) for m in plan["rounds"][0]["tables"].values())
    assert seated == sum(1 for p in data["people"] if p.get("rounds") is None
                         or 0 in p["rounds"])


def test_progress_reports_better_plans_and_the_last():
    reports = []
    plan = solve(dict(examples.social_golfer(6, 3, 8), time_limit_s=2, seed=2),
                 progress=reports.append)
    assert len(reports) >= 2, "better plans along the way, and the last at the end"
    scores = [r["best"]["score"] for r in reports]
    assert scores == sorted(scores, reverse=True)
    last = reports[-1]
    assert last["plan"]["rounds"] == plan["rounds"]
    assert last["best"]["repeat_pairs"] == plan["metrics"]["repeat_pairs"]
    assert last["lower_bound"] == 0 and last["iterations"] > reports[0]["iterations"]
    assert set(last["best"]) == {"score", "hard_violations", "soft_violations", "repeat_pairs"}


@pytest.mark.parametrize("data", [
    dict(examples.realistic(40, rounds=3, seed=3), iterations=4_000),
    dict(examples.social_golfer(6, 3, 8), iterations=500),
], ids=["gathering", "golfers"])
def test_iterations_make_the_search_deterministic(data):
    first, second = solve(data), solve(data)
    assert first["rounds"] == second["rounds"]
    assert first["metrics"]["iterations"] <= data["iterations"]


def test_kirkmans_schoolgirls_without_a_repeat():
    plan = solve(dict(examples.social_golfer(5, 3, 7), time_limit_s=30))
    assert plan["metrics"]["repeat_pairs"] == repeats(plan) == 0
    assert plan["metrics"]["seconds"] < 30


def test_the_realistic_gathering_with_every_rule():
    data = examples.realistic(96, seed=0)
    plan = solve(dict(data, time_limit_s=20))
    metrics = plan["metrics"]
    assert metrics["hard_violations"] == 0
    assert metrics["repeat_pairs"] == repeats(plan) == 0
    assert metrics["soft_violations"] == 0
    assert check_feasibility(parse(data)) == []


# ---- the increments against a full recount -----------------------------------------------------

def test_the_increments_match_a_full_recount():
    data = examples.realistic(40, rounds=4, seed=5)
    data["rounds"][1]["mode"] = "regional"
    data["rules"]["apart_organisations"].append(
        [p["organisation"] for p in data["people"][-6:]])
    for i, p in enumerate(data["people"]):
        if i % 5 == 0 and p["role"] != "career_counsellor":
            p["wish"] = "regional" if i % 2 else "apart_from_neighbours"
    first = solve(dict(data, iterations=200))
    data = dict(data, previous={"rounds": first["rounds"]})
    state = State(parse(data))
    rng = random.Random(7)
    construct(state, rng)
    score = evaluate_state(state)["score"]
    mixed = [r for r in range(state.R) if not state.regional[r]]
    steady = [p for p in range(state.n) if all(state.present[r][p] for r in mixed)]
    for step in range(400):
        kind = rng.random()
        if kind < 0.15:
            p, q = rng.sample(steady, 2)
            delta = swap_everywhere(state, mixed, p, q, False)
        else:
            r = rng.randrange(state.R)
            here = state.present_in(r)
            p = rng.choice(here)
            a = state.assign[r][p]
            b = rng.choice([t for t in range(state.k) if t != a])
            if kind < 0.6 and state.members[r][b]:
                q = rng.choice(state.members[r][b])
                delta = state.swap_delta(r, p, a, q, b)
                swap(state, r, p, a, q, b)
            else:
                delta = state.move_delta(r, p, b)
                state.move(r, p, b)
        new = evaluate_state(state)["score"]
        assert new - score == delta, f"step {step}"
        score = new
