"""What the numbers allow before any search: the rules no plan can meet, and the fewest
repeated table-mates any plan must have."""

from __future__ import annotations

import math

from eventapp.seating.solver.instance import COUNTY_ROLES, Instance


def check_feasibility(inst: Instance) -> list[dict]:
    """Rules that cannot be met by any plan, each with the reason in numbers."""
    rules, k, n = inst.rules, len(inst.tables), len(inst.people)
    min_c = rules.get("min_counsellors_per_table") or 0
    max_cs = rules.get("max_county_staff_per_table") or 0
    max_o = rules.get("max_per_organisation") or 0
    roles = [p.get("role") for p in inst.people]
    counsellors = sum(1 for r in roles if r == "career_counsellor")
    county = sum(1 for r in roles if r in COUNTY_ROLES)
    found = []

    def refuse(rule, message, **detail):
        found.append({"rule": rule, "message": message, **detail})

    if n > sum(inst.seats):
        refuse("capacity", f"{n} people but only {sum(inst.seats)} seats at {k} tables",
               people=n, seats=sum(inst.seats))
    if min_c:
        if counsellors < min_c * k:
            refuse("min_counsellors_per_table",
                   f"{counsellors} career counsellors cannot give {k} tables {min_c} each "
                   f"({min_c * k} needed)", have=counsellors, need=min_c * k)
        small = [t for t, s in zip(inst.table_ids, inst.seats, strict=False) if s < min_c]
        if small:
            refuse("min_counsellors_per_table",
                   f"tables {', '.join(small)} have fewer seats than {min_c} counsellors",
                   tables=small)
    if max_cs:
        if county > max_cs * k:
            refuse("max_county_staff_per_table",
                   f"{county} county staff (counsellors included) cannot sit at most {max_cs} "
                   f"per table at {k} tables (room for {max_cs * k})",
                   have=county, room=max_cs * k)
        if min_c and min_c > max_cs:
            refuse("max_county_staff_per_table",
                   f"at least {min_c} counsellors per table is more than the at most {max_cs} "
                   f"county staff allowed (counsellors are county staff)")
    if max_o:
        sizes: dict[str, int] = {}
        for p in inst.people:
            if p.get("role") not in COUNTY_ROLES and p.get("organisation") not in (None, ""):
                sizes[str(p["organisation"])] = sizes.get(str(p["organisation"]), 0) + 1
        for org, size in sorted(sizes.items()):
            if size > max_o * k:
                refuse("max_per_organisation",
                       f"organisation {org} has {size} people but {k} tables hold at most "
                       f"{max_o} each ({max_o * k})", organisation=org, have=size,
                       room=max_o * k)
    pins: dict[tuple[int, str], list[str]] = {}
    placed: dict[tuple[int, str], str] = {}
    for pin in inst.rules.get("pinned") or []:
        key = (pin["round"], str(pin["person"]))
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
        for rnd in range(len(inst.rounds)):
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


def repeat_lower_bound(n: int, seats: list[int], rounds: int) -> int:
    """No plan repeats fewer pairs than this: pairs met over the rounds beyond the pairs there
    are, and each person's table-mates beyond the others there are."""
    if n < 2:
        return 0
    sizes = balanced_sizes(n, seats)
    meetings = rounds * sum(s * (s - 1) // 2 for s in sizes)
    by_pairs = max(0, meetings - n * (n - 1) // 2)
    smallest = min(s for s in sizes if s > 0)
    per_person = max(0, rounds * (smallest - 1) - (n - 1))
    by_person = math.ceil(n * per_person / 2)
    return max(by_pairs, by_person)
