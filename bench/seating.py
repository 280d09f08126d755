"""The seating solver against its targets: published social golfer problems (known optimum 0
repeats) and realistic gatherings with every rule, each figure checked by a verifier of its
own in this file (it counts repeats and broken rules from the plan, not from the solver's
metrics); beside each, a plain baseline (everyone at a random free seat).

    python bench/seating.py [--seeds 3] [--only targets|realistic|golfers] [--all]
                            [--time-limit S] [--golfer-limit 60]

The default runs the targets table. Exit status 1 when a target (not the stretch) is missed,
or when the solver's own count disagrees with the verifier's.

Targets:
  golfers 5-3-7, 6-3-8, 7-3-9, 8-4-9: 0 repeats on every seed within 60 s each;
  8-4-10 (stretch): reported, not required;
  realistic 96 people / 12 tables / 4 rounds with every rule: 0 hard violations and 0
  repeats on every seed, median at most 1 s;
  300 people / 38 tables / 4 rounds with every rule: median at most 3 s, 0 hard violations.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventapp.seating import examples  # noqa: E402
from eventapp.seating.solver import solve  # noqa: E402

COUNTY = ("career_counsellor", "county_staff")


def verify(data: dict, plan: dict) -> dict:
    """Hard rules broken and repeated pairs, counted from the plan alone."""
    people = {p["id"]: p for p in data["people"]}
    seats = {t["id"]: t["seats"] for t in data["tables"]}
    rules = data.get("rules") or {}
    broken = Counter()
    met = Counter()
    where = {}
    for r, rnd in enumerate(plan["rounds"]):
        expected = {pid for pid, p in people.items() if p.get("rounds") is None or r in p["rounds"]}
        seated = [pid for members in rnd["tables"].values() for pid in members]
        broken["seating"] += len(seated) - len(set(seated)) + len(expected ^ set(seated))
        for table, members in rnd["tables"].items():
            for pid in members:
                where[(r, pid)] = table
            broken["capacity"] += max(0, len(members) - seats[table])
            roles = [people[x].get("role") for x in members]
            if rules.get("min_counsellors_per_table"):
                broken["min_counsellors_per_table"] += max(
                    0, rules["min_counsellors_per_table"] - roles.count("career_counsellor"))
            if rules.get("max_county_staff_per_table"):
                broken["max_county_staff_per_table"] += max(
                    0, sum(x in COUNTY for x in roles) - rules["max_county_staff_per_table"])
            if rules.get("max_per_organisation"):
                orgs = Counter(people[x].get("organisation") for x in members
                               if people[x].get("role") not in COUNTY)
                broken["max_per_organisation"] += sum(
                    max(0, c - rules["max_per_organisation"]) for c in orgs.values())
            for a, b in itertools.combinations(members, 2):
                met[frozenset((a, b))] += 1
                if [a, b] in rules.get("apart", []) or [b, a] in rules.get("apart", []):
                    broken["apart"] += 1
                oa, ob = people[a].get("organisation"), people[b].get("organisation")
                if oa != ob and any(oa in g and ob in g
                                    for g in rules.get("apart_organisations", [])):
                    broken["apart_organisations"] += 1
    for pin in rules.get("pinned", []):
        person = people[pin["person"]]
        if (person.get("rounds") is None or pin["round"] in person["rounds"]) and \
                where.get((pin["round"], pin["person"])) != pin["table"]:
            broken["pinned"] += 1
    return {"hard": sum(broken.values()), "repeats": sum(c - 1 for c in met.values()),
            "by_rule": {k: v for k, v in broken.items() if v}}


def run(data: dict, seeds: int, time_limit: float) -> dict:
    rows, base, mismatch = [], [], 0
    for seed in range(seeds):
        cpu = time.process_time()
        plan = solve(dict(data, seed=seed, time_limit_s=time_limit))
        cpu = time.process_time() - cpu
        checked = verify(data, plan)
        m = plan["metrics"]
        if (checked["hard"], checked["repeats"]) != (m["hard_violations"], m["repeat_pairs"]):
            mismatch += 1
            print(f"  ! seed {seed}: verifier {checked}, solver {m['hard_violations']} hard "
                  f"{m['repeat_pairs']} repeats", flush=True)
        rows.append({**checked, "seconds": m["seconds"], "cpu": cpu, "soft": m["soft_violations"],
                     "bound": m["repeat_pairs_lower_bound"], "restarts": m["restarts"],
                     "spread": m["role_spread_excess"]})
        base.append(verify(data, examples.random_plan(data, seed)))
    med = statistics.median
    return {
        "rows": rows, "mismatch": mismatch,
        "hard": [x["hard"] for x in rows], "repeats": [x["repeats"] for x in rows],
        "soft": [x["soft"] for x in rows], "bound": rows[0]["bound"],
        "seconds": med(x["seconds"] for x in rows),
        "max_seconds": max(x["seconds"] for x in rows),
        "cpu": med(x["cpu"] for x in rows),
        "base_hard": med(x["hard"] for x in base), "base_repeats": med(x["repeats"] for x in base),
    }


def targets(args) -> bool:
    failed = False
    print(f"Targets ({args.seeds} seeds; figures from the bench's own verifier; seconds are wall time, "
          f"cpu s the process's CPU time; load {os.getloadavg()[0]:.1f})")
    print(f"{'instance':<24}{'target':<36}{'hard':>10}{'repeats':>12}{'soft':>10}"
          f"{'median s':>10}{'max s':>8}{'cpu s':>7} | {'random: hard':>12}{'repeats':>9} | result")
    cases = []
    for g, s, w in ((5, 3, 7), (6, 3, 8), (7, 3, 9), (8, 4, 9)):
        cases.append((f"golfers {g}-{s}-{w}", "0 repeats, every seed, <= 60 s",
                      examples.social_golfer(g, s, w), args.golfer_limit,
                      lambda r: max(r["repeats"]) == 0 and r["max_seconds"] <= 60, False))
    cases.append(("golfers 8-4-10", "stretch: 0 repeats", examples.social_golfer(8, 4, 10),
                  args.golfer_limit, lambda r: max(r["repeats"]) == 0, True))
    cases.append(("96p 12t 4r, all rules", "0 hard, 0 repeats, median <= 1 s",
                  examples.realistic(96, seats=8), args.time_limit,
                  lambda r: max(r["hard"]) == 0 and max(r["repeats"]) == 0
                  and r["seconds"] <= 1.0, False))
    cases.append(("300p 38t 4r, all rules", "0 hard, median <= 3 s",
                  examples.realistic(300, seats=8), args.time_limit,
                  lambda r: max(r["hard"]) == 0 and r["seconds"] <= 3.0, False))
    for name, target, data, limit, ok, stretch in cases:
        if args.only_case and args.only_case not in name:
            continue
        r = run(data, args.seeds, limit)
        good = ok(r) and not r["mismatch"]
        verdict = ("pass" if good else "stretch missed" if stretch else "FAIL")
        failed |= not good and not stretch
        print(f"{name:<24}{target:<36}{'/'.join(map(str, r['hard'])):>10} "
              f"{'/'.join(map(str, r['repeats'])):>11} {'/'.join(map(str, r['soft'])):>9}"
              f"{r['seconds']:>10.2f}{r['max_seconds']:>8.2f}{r['cpu']:>7.2f} | "
              f"{r['base_hard']:>12}{r['base_repeats']:>9} | {verdict}", flush=True)
    return failed


REALISTIC = [
    # (people, rounds, regional rounds)
    (60, 2, ()), (60, 4, ()), (60, 6, ()),
    (80, 2, ()), (80, 4, ()), (80, 4, (1,)), (80, 6, ()),
    (120, 2, ()), (120, 4, ()), (120, 4, (2,)), (120, 6, ()),
]


def realistic(args) -> bool:
    failed = False
    print(f"Realistic gatherings, the older rules only (8 per table; median of {args.seeds} "
          f"seeds)")
    print(f"{'instance':<24}{'hard':>8}{'repeats':>12}{'bound':>7}{'seconds':>9} | "
          f"{'random: hard':>12}{'repeats':>9}")
    for people, rounds, regional in REALISTIC:
        data = examples.gathering(people, rounds=rounds, regional_rounds=regional)
        tables = len(data["tables"])
        name = f"{people}p {tables}t {rounds}r" + (" 1 regional" if regional else "")
        r = run(data, args.seeds, args.time_limit)
        print(f"{name:<24}{'/'.join(map(str, r['hard'])):>8}"
              f"{'/'.join(map(str, r['repeats'])):>12}{r['bound']:>7}{r['seconds']:>9.2f} | "
              f"{r['base_hard']:>12}{r['base_repeats']:>9}", flush=True)
        failed |= bool(r["mismatch"]) or bool(max(r["hard"]))
    return failed


def golfers(args) -> bool:
    print(f"Social golfer problems g-s-w (known optimum: 0 repeats; {args.seeds} seeds, "
          f"{args.time_limit:g} s each)")
    print(f"{'instance':<10}{'size':<8}{'repeats':>12}{'seconds':>9} | {'random: repeats':>15}")
    failed = False
    for size, group in (("small", examples.GOLFERS_SMALL), ("medium", examples.GOLFERS_MEDIUM),
                        ("large", examples.GOLFERS_LARGE)):
        for g, s, w in group:
            r = run(examples.social_golfer(g, s, w), args.seeds, args.time_limit)
            print(f"{f'{g}-{s}-{w}':<10}{size:<8}{'/'.join(map(str, r['repeats'])):>12}"
                  f"{r['seconds']:>9.2f} | {r['base_repeats']:>15}", flush=True)
            failed |= bool(r["mismatch"])
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=10.0,
                        help="seconds per solve for the gatherings (and --only golfers)")
    parser.add_argument("--golfer-limit", type=float, default=60.0,
                        help="seconds per solve for the golfer targets")
    parser.add_argument("--only", choices=("targets", "realistic", "golfers"))
    parser.add_argument("--case", dest="only_case", help="targets whose name contains this")
    parser.add_argument("--all", action="store_true", help="every table")
    args = parser.parse_args()
    started = time.perf_counter()
    failed = False
    tables = ([args.only] if args.only else ["targets", "realistic", "golfers"] if args.all
              else ["targets"])
    for i, table in enumerate(tables):
        if i:
            print()
        failed |= {"targets": targets, "realistic": realistic, "golfers": golfers}[table](args)
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
