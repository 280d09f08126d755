"""What the numbers allow before any search: the rules no plan can meet, and the fewest
repeated table-mates any plan must have. Both count, round by round, only the people present."""

from __future__ import annotations

import math
from collections import Counter

from eventapp.seating.solver.instance import COUNTY_ROLES, Instance


def _by_rounds(found: list[dict], R: int, rule: str, per_round: dict[int, tuple]) -> None:
    """One finding per distinct set of numbers: rounds with the same numbers share it."""
    groups: dict[tuple, list[int]] = {}
    for r, key in per_round.items():
        groups.setdefault(key, []).append(r)
    for key, rounds in groups.items():
        message, detail = key[0], dict(key[1])
        if len(rounds) < R:
            message += " in round " + ", ".join(str(r + 1) for r in rounds)
            detail["round"] = rounds[0]
        found.append({"rule": rule, "message": message, "rounds": rounds, **detail})


def check_feasibility(inst: Instance) -> list[dict]:
    """Rules that cannot be met by any plan, each with the reason in numbers."""
    rules, k, R = inst.rules, len(inst.tables), len(inst.rounds)
    min_c = rules.get("min_counsellors_per_table") or 0
    max_cs = rules.get("max_county_staff_per_table") or 0
    max_o = rules.get("max_per_organisation") or 0
    found: list[dict] = []

    def refuse(rule, message, **detail):
        found.append({"rule": rule, "message": message, **detail})

    capacity, couns_short, county_over, org_over, groups_over = {}, {}, {}, {}, {}
    for r in range(R):
        here = [p for p, there in zip(inst.people, inst.present[r], strict=False) if there]
        n = len(here)
        roles = [p.get("role") for p in here]
        if n > sum(inst.seats):
            capacity[r] = (f"{n} people but only {sum(inst.seats)} seats at {k} tables",
                           (("people", n), ("seats", sum(inst.seats))))
        counsellors = sum(1 for x in roles if x == "career_counsellor")
        if min_c and counsellors < min_c * k:
            couns_short[r] = (f"{counsellors} career counsellors cannot give {k} tables {min_c} "
                              f"each ({min_c * k} needed)",
                              (("have", counsellors), ("need", min_c * k)))
        county = sum(1 for x in roles if x in COUNTY_ROLES)
        if max_cs and county > max_cs * k:
            county_over[r] = (f"{county} county staff (counsellors included) cannot sit at most "
                              f"{max_cs} per table at {k} tables (room for {max_cs * k})",
                              (("have", county), ("room", max_cs * k)))
        sizes: dict[str, int] = {}
        for p in here:
            if p.get("role") not in COUNTY_ROLES and p.get("organisation") not in (None, ""):
                sizes[str(p["organisation"])] = sizes.get(str(p["organisation"]), 0) + 1
        if max_o:
            for org, size in sorted(sizes.items()):
                if size > max_o * k:
                    org_over.setdefault(org, {})[r] = (
                        f"organisation {org} has {size} people but {k} tables hold at most "
                        f"{max_o} each ({max_o * k})",
                        (("organisation", org), ("have", size), ("room", max_o * k)))
        # An apart_organisations list: its organisations present in a round each need tables
        # of their own, so more of them than tables cannot be kept apart.
        # With a cap per organisation, each needs tables for its people by that cap.
        people_of: dict[str, int] = {}
        for p in here:
            if p.get("organisation") not in (None, ""):
                key = str(p["organisation"])
                people_of[key] = people_of.get(key, 0) + 1
        for i, group in enumerate(rules.get("apart_organisations") or []):
            there = sorted({str(o) for o in group} & set(people_of))
            need = sum(-(-sizes.get(o, 0) // max_o) if max_o and sizes.get(o) else 1
                       for o in there)
            if need > k:
                groups_over.setdefault(i, {})[r] = (
                    f"{len(there)} organisations to keep apart ({', '.join(there)}) need "
                    f"{need} tables of their own but there are {k}",
                    (("organisations", tuple(there)), ("have", need), ("limit", k)))
    _by_rounds(found, R, "capacity", capacity)
    _by_rounds(found, R, "min_counsellors_per_table", couns_short)
    if min_c:
        small = [t for t, s in zip(inst.table_ids, inst.seats, strict=False) if s < min_c]
        if small:
            refuse("min_counsellors_per_table",
                   f"tables {', '.join(small)} have fewer seats than {min_c} counsellors",
                   tables=small)
    _by_rounds(found, R, "max_county_staff_per_table", county_over)
    if max_cs and min_c and min_c > max_cs:
        refuse("max_county_staff_per_table",
               f"at least {min_c} counsellors per table is more than the at most {max_cs} "
               f"county staff allowed (counsellors are county staff)")
    for org in sorted(org_over):
        _by_rounds(found, R, "max_per_organisation", org_over[org])
    for i in sorted(groups_over):
        _by_rounds(found, R, "apart_organisations", groups_over[i])
    for f in found:
        if isinstance(f.get("organisations"), tuple):
            f["organisations"] = list(f["organisations"])
    pins: dict[tuple[int, str], list[str]] = {}
    placed: dict[tuple[int, str], str] = {}
    for pin in inst.rules.get("pinned") or []:
        key = (pin["round"], str(pin["person"]))
        if not inst.present[key[0]][inst.index[key[1]]]:
            refuse("pinned", f"{key[1]} is pinned in round {key[0] + 1} but is not there then",
                   person=key[1], round=key[0], reason="absent")
            continue
        if key in placed and placed[key] != str(pin["table"]):
            refuse("pinned", f"{key[1]} is pinned to two tables in round {key[0] + 1}",
                   person=key[1], round=key[0])
        placed[key] = str(pin["table"])
        pins.setdefault((pin["round"], str(pin["table"])), []).append(str(pin["person"]))
    role_of = {str(p["id"]): p.get("role") for p in inst.people}
    seats_of = dict(zip(inst.table_ids, inst.seats, strict=False))
    for (rnd, table), who in sorted(pins.items()):
        who = sorted(set(who))
        if len(who) > seats_of[table]:
            refuse("capacity", f"{len(who)} people pinned to {table} in round {rnd + 1}, which "
                   f"has {seats_of[table]} seats", round=rnd, table=table)
        staff = sum(1 for p in who if role_of[p] in COUNTY_ROLES)
        if max_cs and staff > max_cs:
            refuse("max_county_staff_per_table", f"{staff} county staff pinned to {table} in "
                   f"round {rnd + 1}, more than {max_cs}", round=rnd, table=table)
    for a, b in inst.rules.get("apart") or []:
        for rnd in range(R):
            ta, tb = placed.get((rnd, str(a))), placed.get((rnd, str(b)))
            if ta is not None and ta == tb:
                refuse("apart", f"{a} and {b} must sit apart but are both pinned to {ta} in "
                       f"round {rnd + 1}", round=rnd, people=[str(a), str(b)])
    return found


def balanced_sizes(n: int, seats: list[int]) -> list[int]:
    """Table sizes as even as the seats allow (the fewest pairs of table-mates)."""
    sizes = [0] * len(seats)
    for _ in range(min(n, sum(seats))):
        t = min((i for i in range(len(seats)) if sizes[i] < seats[i]), key=lambda i: sizes[i])
        sizes[t] += 1
    if n > sum(seats):
        sizes[0] += n - sum(seats)
    return sizes


def repeat_lower_bound(n: int, seats: list[int], rounds: int,
                       present: list[list[bool]] | None = None,
                       mixed: list[bool] | None = None) -> int:
    """No plan repeats fewer pairs than this: pairs met over the rounds beyond the pairs that
    can meet at all, and each person's table-mates beyond the others they share a round with.
    ``present[r][p]`` limits each round to the people there (everyone by default); ``mixed``
    marks the mixed rounds (all by default): a regional round seats a region together on
    purpose, and is left out of the pairs of rounds compared."""
    if present is None:
        present = [[True] * n for _ in range(rounds)]
    counts = [sum(row) for row in present]
    if sum(1 for c in counts if c >= 2) == 0:
        return 0
    sizes = [balanced_sizes(c, seats) for c in counts]
    meetings = sum(s * (s - 1) // 2 for row in sizes for s in row)
    everywhere = all(c == n for c in counts)
    if everywhere:
        pairs = n * (n - 1) // 2
        smallest = [min((s for s in row if s > 0), default=0) for row in sizes]
        per_person = max(0, sum(max(0, s - 1) for s in smallest) - (n - 1))
        by_person = math.ceil(n * per_person / 2)
    else:
        # People who share no round never meet: only pairs sharing a round count.
        attends = [frozenset(r for r in range(rounds) if present[r][p]) for p in range(n)]
        kinds = Counter(attends)
        pairs = 0
        kinds_list = list(kinds.items())
        for i, (a, ca) in enumerate(kinds_list):
            if a:
                pairs += ca * (ca - 1) // 2
            for b, cb in kinds_list[i + 1:]:
                if a & b:
                    pairs += ca * cb
        by_person = 0
        for a, ca in kinds_list:
            mates = sum(cb for b, cb in kinds_list if a & b) - 1
            slots = sum(max(0, min((s for s in sizes[r] if s > 0), default=1) - 1) for r in a)
            by_person += ca * max(0, slots - mates)
        by_person = math.ceil(by_person / 2)
    by_pairs = max(0, meetings - pairs)
    return max(by_pairs, by_person, _by_pigeonhole(seats, present, mixed))


def _by_pigeonhole(seats: list[int], present: list[list[bool]],
                   mixed: list[bool] | None = None) -> int:
    """Two rounds with the same people: a table of s in the second draws from the k tables
    of the first, so with s > k some of its people sat together before. Counted over
    disjoint pairs of rounds (0-1, 2-3 ...), since a pair that meets in both rounds of two
    such pairs repeats twice."""
    k, total = len(seats), 0
    for r in range(0, len(present) - 1, 2):
        if present[r] != present[r + 1] or (mixed and not (mixed[r] and mixed[r + 1])):
            continue
        for size in balanced_sizes(sum(present[r + 1]), seats):
            q, rem = divmod(size, k)
            total += rem * (q + 1) * q // 2 + (k - rem) * q * (q - 1) // 2
    return total

