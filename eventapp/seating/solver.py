"""Table allocation for group-work rounds: plain data in, plain data out.

An instance (the format of ../shared/API.md) lists people, tables, rounds and rules. ``solve``
first checks whether the hard rules can be met at all and names each that cannot; then it
searches (simulated annealing over moves and swaps, scored incrementally) for the plan that, in
this order, breaks the fewest hard rules, moves the fewest people from an earlier plan, repeats
the fewest table-mates across rounds, spreads roles evenly and, in regional rounds, keeps each
region at one table with its counsellor. The search is driven by an iteration budget, not by the
clock, so one seed always gives the same plan; the time limit only cuts a long search short.

``evaluate`` scores any plan (a hand-made move, a saved plan) with the same rules.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field

COUNTY_ROLES = ("career_counsellor", "county_staff")
RULES = ("capacity", "min_counsellors_per_table", "max_county_staff_per_table",
         "max_per_organisation", "apart", "pinned")
MODES = ("mixed", "regional")

# Weights make the goals lexicographic in practice: one broken hard rule outweighs any number
# of repeats, one person moved from an earlier plan outweighs a repeat, and so on.
W_HARD = 1_000_000
W_MOVE = 20_000
W_REPEAT = 1_000
W_SPREAD = 20
W_REGION = 30
W_SPREAD_REGIONAL = 5  # in a regional round the region comes first, the spread second
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


class InstanceError(ValueError):
    """The instance cannot be read (unknown person, table or round, missing field ...)."""


@dataclass
class Instance:
    people: list[dict]
    tables: list[dict]
    rounds: list[dict]
    rules: dict
    seed: int = 0
    time_limit_s: float = 10.0
    iterations: int | None = None
    previous: dict | None = None

    # Derived, by ``prepare``.
    ids: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    table_ids: list[str] = field(default_factory=list)
    seats: list[int] = field(default_factory=list)


def parse(data: dict) -> Instance:
    """An Instance from the JSON shape, with every reference checked."""
    if not isinstance(data, dict):
        raise InstanceError("the instance must be a JSON object")
    people, tables, rounds = data.get("people"), data.get("tables"), data.get("rounds")
    if not isinstance(people, list) or not all(isinstance(p, dict) and p.get("id") for p in people):
        raise InstanceError("people must be a list of objects with an id")
    if not isinstance(tables, list) or not tables or not all(
            isinstance(t, dict) and t.get("id") for t in tables):
        raise InstanceError("tables must be a non-empty list of objects with an id")
    if not isinstance(rounds, list) or not rounds:
        raise InstanceError("rounds must be a non-empty list")
    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        raise InstanceError("rules must be an object")
    inst = Instance(people=people, tables=tables, rounds=rounds, rules=rules,
                    seed=int(data.get("seed") or 0),
                    time_limit_s=float(data.get("time_limit_s") or 10.0),
                    iterations=data.get("iterations"), previous=data.get("previous"))
    inst.ids = [str(p["id"]) for p in people]
    if len(set(inst.ids)) != len(inst.ids):
        raise InstanceError("person ids must be unique")
    inst.index = {pid: i for i, pid in enumerate(inst.ids)}
    inst.table_ids = [str(t["id"]) for t in tables]
    if len(set(inst.table_ids)) != len(inst.table_ids):
        raise InstanceError("table ids must be unique")
    try:
        inst.seats = [int(t.get("seats", 0)) for t in tables]
    except (TypeError, ValueError) as exc:
        raise InstanceError("seats must be whole numbers") from exc
    if any(s < 1 for s in inst.seats):
        raise InstanceError("every table needs at least one seat")
    for r in rounds:
        if not isinstance(r, dict) or r.get("mode", "mixed") not in MODES:
            raise InstanceError("each round's mode is mixed or regional")
    for name in ("min_counsellors_per_table", "max_county_staff_per_table",
                 "max_per_organisation"):
        value = rules.get(name) or 0
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InstanceError(f"{name} must be a whole number of at least 0")
    for pair in rules.get("apart") or []:
        if not isinstance(pair, list | tuple) or len(pair) != 2 or any(
                str(p) not in inst.index for p in pair):
            raise InstanceError(f"apart pair {pair!r} names someone not in people")
    for pin in rules.get("pinned") or []:
        if not isinstance(pin, dict) or str(pin.get("person")) not in inst.index:
            raise InstanceError(f"pin {pin!r} names someone not in people")
        if str(pin.get("table")) not in inst.table_ids:
            raise InstanceError(f"pin {pin!r} names a table not in tables")
        rnd = pin.get("round")
        if not isinstance(rnd, int) or isinstance(rnd, bool) or not 0 <= rnd < len(rounds):
            raise InstanceError(f"pin {pin!r} names a round that does not exist")
    return inst


# --- feasibility -------------------------------------------------------------------------------

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


# --- the search state --------------------------------------------------------------------------

class State:
    """A plan with every count the score needs, kept up to date move by move."""

    def __init__(self, inst: Instance):
        self.inst = inst
        n, k, R = len(inst.people), len(inst.tables), len(inst.rounds)
        self.n, self.k, self.R = n, k, R
        rules = inst.rules
        self.min_c = rules.get("min_counsellors_per_table") or 0
        self.max_cs = rules.get("max_county_staff_per_table") or 0
        self.max_o = rules.get("max_per_organisation") or 0
        self.seats = inst.seats
        self.regional = [r.get("mode", "mixed") == "regional" for r in inst.rounds]
        roles = [p.get("role") or "other" for p in inst.people]
        self.is_couns = [r == "career_counsellor" for r in roles]
        self.is_county = [r in COUNTY_ROLES for r in roles]
        role_names = sorted(set(roles))
        self.role_names = role_names
        self.role = [role_names.index(r) for r in roles]
        orgs: dict[str, int] = {}
        self.org = []
        for p, county in zip(inst.people, self.is_county, strict=False):
            key = p.get("organisation")
            self.org.append(-1 if county or key in (None, "") else
                            orgs.setdefault(str(key), len(orgs)))
        regions: dict[str, int] = {}
        self.region = [-1 if not p.get("region") else
                       regions.setdefault(str(p["region"]), len(regions)) for p in inst.people]
        self.apart = [set() for _ in range(n)]
        for a, b in rules.get("apart") or []:
            ia, ib = inst.index[str(a)], inst.index[str(b)]
            if ia != ib:
                self.apart[ia].add(ib)
                self.apart[ib].add(ia)
        self.pinned = {}
        for pin in rules.get("pinned") or []:
            self.pinned[(pin["round"], inst.index[str(pin["person"])])] = \
                inst.table_ids.index(str(pin["table"]))
        # Each role's fair share per table: between floor and ceiling of its total / tables.
        totals = [0] * len(role_names)
        for r in self.role:
            totals[r] += 1
        self.role_lo = [t // k for t in totals]
        self.role_hi = [-(-t // k) for t in totals]
        self.previous = None
        if inst.previous:
            self.previous = [[-1] * n for _ in range(R)]
            for r, rnd in enumerate((inst.previous.get("rounds") or [])[:R]):
                for table, members in (rnd.get("tables") or {}).items():
                    if table in inst.table_ids:
                        t = inst.table_ids.index(table)
                        for pid in members:
                            if pid in inst.index:
                                self.previous[r][inst.index[pid]] = t
        self.assign = [[-1] * n for _ in range(R)]
        self.members = [[[] for _ in range(k)] for _ in range(R)]
        self.size = [[0] * k for _ in range(R)]
        self.couns = [[0] * k for _ in range(R)]
        self.county = [[0] * k for _ in range(R)]
        self.orgc = [[{} for _ in range(k)] for _ in range(R)]
        self.rolec = [[[0] * len(role_names) for _ in range(k)] for _ in range(R)]
        self.regc = [[{} for _ in range(k)] for _ in range(R)]
        self.mm = [0] * (n * n)  # meetings in mixed rounds
        self.mr = [0] * (n * n)  # meetings in regional rounds

    # Score terms of one table, as functions of its counts.
    def _hard_cap(self, size, t):
        return max(0, size - self.seats[t])

    def _dev(self, role, count):
        return max(0, count - self.role_hi[role]) + max(0, self.role_lo[role] - count)

    def delta_leave(self, r, p, t):
        """Score change if ``p`` leaves table ``t`` in round ``r`` (counts still include p)."""
        hard = 0
        s = self.size[r][t]
        hard += self._hard_cap(s - 1, t) - self._hard_cap(s, t)
        if self.min_c and self.is_couns[p]:
            c = self.couns[r][t]
            hard += max(0, self.min_c - (c - 1)) - max(0, self.min_c - c)
        if self.max_cs and self.is_county[p]:
            c = self.county[r][t]
            hard += max(0, c - 1 - self.max_cs) - max(0, c - self.max_cs)
        o = self.org[p]
        if self.max_o and o >= 0:
            c = self.orgc[r][t].get(o, 0)
            hard += max(0, c - 1 - self.max_o) - max(0, c - self.max_o)
        members = self.members[r][t]
        ap = self.apart[p]
        if ap:
            hard -= sum(1 for q in members if q in ap)
        pin = self.pinned.get((r, p))
        if pin is not None and pin == t:
            hard += 1
        score = hard * W_HARD
        if self.previous is not None and self.previous[r][p] == t:
            score += W_MOVE
        score += self._repeat_delta(r, p, members, -1) * W_REPEAT
        role = self.role[p]
        c = self.rolec[r][t][role]
        w = W_SPREAD_REGIONAL if self.regional[r] else W_SPREAD
        score += (self._dev(role, c - 1) - self._dev(role, c)) * w
        if self.regional[r] and self.region[p] >= 0:
            score += (self.regc[r][t].get(self.region[p], 0) - 1) * W_REGION
        return score

    def delta_join(self, r, p, t):
        """Score change if ``p`` joins table ``t`` in round ``r`` (counts exclude p)."""
        hard = 0
        s = self.size[r][t]
        hard += self._hard_cap(s + 1, t) - self._hard_cap(s, t)
        if self.min_c and self.is_couns[p]:
            c = self.couns[r][t]
            hard += max(0, self.min_c - c - 1) - max(0, self.min_c - c)
        if self.max_cs and self.is_county[p]:
            c = self.county[r][t]
            hard += max(0, c + 1 - self.max_cs) - max(0, c - self.max_cs)
        o = self.org[p]
        if self.max_o and o >= 0:
            c = self.orgc[r][t].get(o, 0)
            hard += max(0, c + 1 - self.max_o) - max(0, c - self.max_o)
        members = self.members[r][t]
        ap = self.apart[p]
        if ap:
            hard += sum(1 for q in members if q in ap)
        pin = self.pinned.get((r, p))
        if pin is not None and pin == t:
            hard -= 1
        score = hard * W_HARD
        if self.previous is not None and self.previous[r][p] == t:
            score -= W_MOVE
        score += self._repeat_delta(r, p, members, +1) * W_REPEAT
        role = self.role[p]
        c = self.rolec[r][t][role]
        w = W_SPREAD_REGIONAL if self.regional[r] else W_SPREAD
        score += (self._dev(role, c + 1) - self._dev(role, c)) * w
        if self.regional[r] and self.region[p] >= 0:
            score -= self.regc[r][t].get(self.region[p], 0) * W_REGION
        return score

    def _repeat_delta(self, r, p, members, sign):
        # A pair's meetings count with regional rounds counted at most once, so sitting with
        # one's region in every regional round is not held against a plan.
        n, mm, mr = self.n, self.mm, self.mr
        base = p * n
        change = 0
        if self.regional[r]:
            for q in members:
                if q == p:
                    continue
                a, b = mm[base + q], mr[base + q]
                if sign > 0:
                    if b == 0 and a >= 1:
                        change += 1
                elif b == 1 and a >= 1:
                    change -= 1
        else:
            for q in members:
                if q == p:
                    continue
                e = mm[base + q] + (1 if mr[base + q] else 0)
                if sign > 0:
                    if e >= 1:
                        change += 1
                elif e >= 2:
                    change -= 1
        return change

    def swap_delta(self, r, p, a, q, b):
        """Score change if ``p`` (at ``a``) and ``q`` (at ``b``) change places in round ``r``,
        computed without making the swap."""
        score = (self._exchange(r, a, p, q) + self._exchange(r, b, q, p))
        ma = [x for x in self.members[r][a] if x != p]
        mb = [x for x in self.members[r][b] if x != q]
        rep = (self._repeat_delta(r, p, ma, -1) + self._repeat_delta(r, p, mb, +1)
               + self._repeat_delta(r, q, mb, -1) + self._repeat_delta(r, q, ma, +1))
        return score + rep * W_REPEAT

    def _exchange(self, r, t, out, into):
        """Change in table ``t``'s own terms when ``out`` leaves it and ``into`` takes the seat."""
        hard = 0
        if self.min_c and self.is_couns[out] != self.is_couns[into]:
            c = self.couns[r][t]
            c2 = c - self.is_couns[out] + self.is_couns[into]
            hard += max(0, self.min_c - c2) - max(0, self.min_c - c)
        if self.max_cs and self.is_county[out] != self.is_county[into]:
            c = self.county[r][t]
            c2 = c - self.is_county[out] + self.is_county[into]
            hard += max(0, c2 - self.max_cs) - max(0, c - self.max_cs)
        o_out, o_in = self.org[out], self.org[into]
        if self.max_o and o_out != o_in:
            counts = self.orgc[r][t]
            if o_out >= 0:
                c = counts.get(o_out, 0)
                hard += max(0, c - 1 - self.max_o) - max(0, c - self.max_o)
            if o_in >= 0:
                c = counts.get(o_in, 0)
                hard += max(0, c + 1 - self.max_o) - max(0, c - self.max_o)
        members = self.members[r][t]
        if self.apart[out]:
            hard -= sum(1 for x in members if x in self.apart[out])
        if self.apart[into]:
            hard += sum(1 for x in members if x != out and x in self.apart[into])
        score = hard * W_HARD
        if self.previous is not None:
            if self.previous[r][out] == t:
                score += W_MOVE
            if self.previous[r][into] == t:
                score -= W_MOVE
        ro, ri = self.role[out], self.role[into]
        if ro != ri:
            w = W_SPREAD_REGIONAL if self.regional[r] else W_SPREAD
            counts = self.rolec[r][t]
            score += (self._dev(ro, counts[ro] - 1) - self._dev(ro, counts[ro])
                      + self._dev(ri, counts[ri] + 1) - self._dev(ri, counts[ri])) * w
        if self.regional[r]:
            g_out, g_in = self.region[out], self.region[into]
            regions = self.regc[r][t]
            if g_out >= 0:
                score += (regions.get(g_out, 0) - 1) * W_REGION
            if g_in >= 0:
                score -= (regions.get(g_in, 0) - (1 if g_in == g_out else 0)) * W_REGION
        return score

    def troubled(self, r, p) -> bool:
        """Whether ``p`` repeats a table-mate or breaks a hard rule at their table in round
        ``r`` (a cheap test, to aim the search)."""
        t = self.assign[r][p]
        n, mm, mr = self.n, self.mm, self.mr
        base = p * n
        regional = self.regional[r]
        for q in self.members[r][t]:
            if q != p:
                e = mm[base + q] + (1 if mr[base + q] else 0)
                if e >= 2 and not (regional and mm[base + q] == 0):
                    return True
                if q in self.apart[p]:
                    return True
        if self.size[r][t] > self.seats[t]:
            return True
        if self.min_c and self.couns[r][t] < self.min_c:
            return True
        if self.max_cs and self.is_county[p] and self.county[r][t] > self.max_cs:
            return True
        o = self.org[p]
        if self.max_o and o >= 0 and self.orgc[r][t].get(o, 0) > self.max_o:
            return True
        return (r, p) in self.pinned and self.pinned[(r, p)] != t

    def place(self, r, p, t):
        n = self.n
        mat = self.mr if self.regional[r] else self.mm
        for q in self.members[r][t]:
            mat[p * n + q] += 1
            mat[q * n + p] += 1
        self.members[r][t].append(p)
        self.assign[r][p] = t
        self.size[r][t] += 1
        if self.is_couns[p]:
            self.couns[r][t] += 1
        if self.is_county[p]:
            self.county[r][t] += 1
        if self.org[p] >= 0:
            d = self.orgc[r][t]
            d[self.org[p]] = d.get(self.org[p], 0) + 1
        self.rolec[r][t][self.role[p]] += 1
        if self.region[p] >= 0:
            d = self.regc[r][t]
            d[self.region[p]] = d.get(self.region[p], 0) + 1

    def remove(self, r, p):
        n, t = self.n, self.assign[r][p]
        members = self.members[r][t]
        members.remove(p)
        mat = self.mr if self.regional[r] else self.mm
        for q in members:
            mat[p * n + q] -= 1
            mat[q * n + p] -= 1
        self.assign[r][p] = -1
        self.size[r][t] -= 1
        if self.is_couns[p]:
            self.couns[r][t] -= 1
        if self.is_county[p]:
            self.county[r][t] -= 1
        if self.org[p] >= 0:
            self.orgc[r][t][self.org[p]] -= 1
        self.rolec[r][t][self.role[p]] -= 1
        if self.region[p] >= 0:
            self.regc[r][t][self.region[p]] -= 1
        return t

    def plan(self) -> list[dict[str, list[str]]]:
        ids, tids = self.inst.ids, self.inst.table_ids
        return [{tids[t]: [ids[p] for p in sorted(self.members[r][t], key=ids.__getitem__)]
                 for t in range(self.k)} for r in range(self.R)]


# --- building and improving a plan -------------------------------------------------------------

def _construct(state: State, rng: random.Random) -> bool:
    """A start: the grid for the mixed rounds where it fits (True), else greedy: pinned people
    first, then the scarce roles, each at its cheapest table."""
    n, k = state.n, state.k
    done = set()
    if state.previous is None:
        mixed = [r for r in range(state.R) if not state.regional[r]]
        done = set(_grid_seed(state, rng, mixed))
        if done:
            # A pinned person takes the grid place of someone at their table, in every grid
            # round at once, which keeps the grid's promise of no repeats.
            settled = set()
            for (r, p), t in sorted(state.pinned.items()):
                if r not in done or state.assign[r][p] == t:
                    continue
                free = [q for q in state.members[r][t] if (r, q) not in state.pinned]
                if p not in settled and free:
                    q = min(free, key=lambda q: (_swap_everywhere(state, mixed, p, q, True), q))
                    _swap_everywhere(state, mixed, p, q, False)
                elif free:
                    a = state.assign[r][p]
                    q = min(free, key=lambda q: (state.swap_delta(r, p, a, q, t), q))
                    _swap(state, r, p, a, q, t)
                else:
                    state.remove(r, p)
                    state.place(r, p, t)
                settled.add(p)
    for r in range(state.R):
        if r in done:
            continue
        for (rr, p), t in sorted(state.pinned.items()):
            if rr == r:
                state.place(r, p, t)
        order = [p for p in range(n) if state.assign[r][p] < 0]
        rng.shuffle(order)
        if state.previous is not None:
            # Whoever had a seat keeps it if they can; newcomers fill in around them.
            for p in order:
                t = state.previous[r][p]
                if t >= 0 and state.size[r][t] < state.seats[t]:
                    state.place(r, p, t)
            order = [p for p in order if state.assign[r][p] < 0]
        org_size: dict[int, int] = {}
        for p in order:
            org_size[state.org[p]] = org_size.get(state.org[p], 0) + 1
        order.sort(key=lambda p: (not state.is_couns[p], not state.is_county[p],
                                  -org_size.get(state.org[p], 0)))
        for p in order:
            free = [t for t in range(k) if state.size[r][t] < state.seats[t]] or list(range(k))
            best = min(free, key=lambda t: (state.delta_join(r, p, t), state.size[r][t]))
            state.place(r, p, best)
    return bool(done)


# A start with no repeated pair at all, where the numbers allow: people sit on a grid, column y
# and row x, and in mixed round r at table x + m_r * y. Two people of one column never meet;
# two of different columns meet in at most one round as long as every difference m_r - m_s is
# invertible (always so in a field: prime or 2, 4, 8, 16 tables). Counsellors fill the first
# column, so every table gets one each round; the other county staff come next and each
# organisation keeps to one column, so it never has two people at a table.
_GF2_POLY = {4: 0b111, 8: 0b1011, 16: 0b10011}


def _gf2_mul(a: int, b: int, size: int) -> int:
    poly, bits, out = _GF2_POLY[size], size.bit_length() - 1, 0
    while b:
        if b & 1:
            out ^= a
        b >>= 1
        a <<= 1
        if a >> bits:
            a ^= poly
    return out


def _is_prime(k: int) -> bool:
    return k >= 2 and all(k % d for d in range(2, int(k ** 0.5) + 1))


def _grid_size(k: int) -> int:
    """The smallest number of grid rows, at least ``k``, that makes a field (2, 3, 4, 5, 7, 8,
    11, 13, 16 ...): rows beyond the tables are seated elsewhere afterwards."""
    q = k
    while not (q in _GF2_POLY or _is_prime(q)):
        q += 1
    return q


def _shifts(k: int, columns: int, count: int, rng: random.Random,
            budget: int = 20_000) -> list[list[int]] | None:
    """Shifts s[r][y] in Z_k, one per round and column, with s[r][0] = 0 and, for any two
    rounds, s[r][y] - s[t][y] different for every column y: then seating column y's person of
    row x at table x + s[r][y] never brings two people together twice. Where the number of
    tables is not a field (6, 10, 12, 15 ...) a short backtracking search finds them; None if
    it does not within ``budget`` tries."""
    shifts = [[0] * columns for _ in range(count)]
    used = {(a, b): {0} for a in range(count) for b in range(a + 1, count)}
    nodes = 0

    def place(y: int, r: int) -> bool:
        nonlocal nodes
        if y == columns:
            return True
        if r == count:
            return place(y + 1, 1)
        values = list(range(k))
        rng.shuffle(values)
        for value in values:
            nodes += 1
            if nodes > budget:
                return False
            diffs = [((value - shifts[a][y]) % k, (a, r)) for a in range(r)]
            if any(d in used[pair] for d, pair in diffs):
                continue
            shifts[r][y] = value
            for d, pair in diffs:
                used[pair].add(d)
            if place(y, r + 1):
                return True
            for d, pair in diffs:
                used[pair].discard(d)
        return False

    return shifts if count <= 1 or place(1, 1) else None


def _grid_seed(state: State, rng: random.Random, rounds: list[int]) -> list[int]:
    """Seat ``rounds`` (or as many of them as the grid holds without repeats) by the grid, if
    the tables are alike enough for it; the rounds seated."""
    n, k = state.n, state.k
    shifts = None
    if k in _GF2_POLY or _is_prime(k):
        q = k
    else:
        for count in range(len(rounds), 1, -1):
            shifts = _shifts(k, -(-n // k), count, rng)
            if shifts:
                break
        if shifts and len(shifts) < len(rounds) and len(shifts) * 2 < len(rounds):
            shifts = None  # too few: seating every round off a larger grid does better
        if shifts:
            rounds = rounds[:len(shifts)]
        q = k if shifts else _grid_size(k)
    columns = -(-n // q)
    # One more round than rows is the grid's columns themselves (an affine plane's last
    # parallel class), when a column fits at a table.
    by_column = len(rounds) == q + 1 and q == k and min(state.seats) >= q
    if columns > min(state.seats) or not rounds or n > sum(state.seats) or (
            len(rounds) > q and not by_column):
        return []
    field = q in _GF2_POLY
    counsellors = [p for p in range(n) if state.is_couns[p]]
    county = [p for p in range(n) if state.is_county[p] and not state.is_couns[p]]
    rng.shuffle(counsellors)
    rng.shuffle(county)
    grid: list[list[int]] = [[] for _ in range(columns)]
    # The first column sits at the same table every round: one counsellor per real table.
    grid[0] = counsellors[:k]
    queue = counsellors[k:] + county
    col = 0
    for p in queue:
        while col < columns and len(grid[col]) >= q:
            col += 1
        if col == columns:
            return []
        grid[col].append(p)
    # One column per organisation, and people kept apart share a column too: a column's
    # people never meet. Groups linked by a keep-apart pair are merged.
    group_of = {p: (state.org[p] if state.org[p] >= 0 else -1 - p)
                for p in range(n) if not state.is_county[p]}
    groups: dict[int, list[int]] = {}
    for p, g in group_of.items():
        groups.setdefault(g, []).append(p)
    for p, g in list(group_of.items()):
        for other in state.apart[p]:
            h = group_of.get(other)
            g = group_of[p]
            if h is not None and h != g and len(groups[g]) + len(groups[h]) <= q:
                for x in groups.pop(h):
                    group_of[x] = g
                    groups[g].append(x)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), rng.random()))
    for group in ordered:
        room = [c for c in range(columns) if q - len(grid[c]) >= len(group)]
        if room:
            target = max(room, key=lambda c: (q - len(grid[c]), -c))
            grid[target].extend(group)
            continue
        for p in group:  # too big for any column: spread it over the emptiest
            target = max(range(columns), key=lambda c: q - len(grid[c]))
            grid[target].append(p)
    if any(len(c) > q for c in grid):
        return []
    # Empty slots sit at different rows in each column, so tables come out even.
    coords = {}
    for y, members in enumerate(grid):
        rows = list(range(q)) if y == 0 else list(range(q))[y % q:] + list(range(q))[:y % q]
        if y:
            rng.shuffle(members)
        for p, x in zip(members, rows, strict=False):
            coords[p] = (x, y)
    placed = list(rounds)
    if by_column:
        for p in range(n):
            state.place(rounds[-1], p, coords[p][1])
        rounds = rounds[:-1]

    def table(m: int, x: int, y: int) -> int:
        return ((x + shifts[m][y]) % q if shifts
                else x ^ _gf2_mul(m, y, q) if field else (x + m * y) % q)

    def meets(p: int, other: int) -> bool:
        (x1, y1), (x2, y2) = coords[p], coords[other]
        return any(table(m, x1, y1) == table(m, x2, y2) for m in range(len(rounds)))

    # People kept apart but in different columns meet once; move one of them to another row of
    # its column (swapping with whoever sits there), which keeps the grid without repeats.
    for p in range(n):
        for other in state.apart[p]:
            if other < p or other not in coords or p not in coords or not meets(p, other):
                continue
            x, y = coords[other]
            if y == 0:  # the counsellors' column stays as it is: one per table
                continue
            taken = {coords[z][0]: z for z in coords if coords[z][1] == y}
            for row in range(q):
                z = taken.get(row)
                if row == x or (z is not None and state.apart[z]):
                    continue
                coords[other] = (row, y)
                if z is not None:
                    coords[z] = (x, y)
                if not any(meets(a, b) for a in (other, z) if a is not None
                           for b in state.apart[a] if b in coords):
                    break
                coords[other] = (x, y)
                if z is not None:
                    coords[z] = (row, y)
    for m, r in zip(range(len(rounds)), rounds, strict=False):
        elsewhere = []
        for p in range(n):
            x, y = coords[p]
            t = table(m, x, y)
            if t < k:
                state.place(r, p, t)
            else:
                elsewhere.append(p)
        for p in elsewhere:
            free = [t for t in range(k) if state.size[r][t] < state.seats[t]]
            state.place(r, p, min(free, key=lambda t: (state.delta_join(r, p, t), t)))
    return placed


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
            delta = _swap_everywhere(state, mixed, p, q, False)
            if delta <= 0 or rng.random() < math.exp(-delta / temp):
                current += delta
                if current < best:
                    best, best_assign = current, [row[:] for row in state.assign]
                    improved = step
            else:
                _swap_everywhere(state, mixed, q, p, False)
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
                _swap(state, r, p, a, q, b)
            else:
                state.remove(r, p)
                state.place(r, p, b)
            current += delta
            if current < best:
                best, best_assign = current, [row[:] for row in state.assign]
                improved = step
    return best, best_assign, step


def _swap(state: State, r: int, p: int, a: int, q: int, b: int) -> None:
    """``p`` (at ``a``) and ``q`` (at ``b``) change places in round ``r``."""
    state.remove(r, p)
    state.remove(r, q)
    state.place(r, q, a)
    state.place(r, p, b)


def _swap_everywhere(state: State, rounds: list[int], p: int, q: int, undo: bool) -> int:
    """``p`` and ``q`` change places in each of ``rounds`` where they sit apart; the score
    change. With ``undo`` the swap is only measured."""
    delta, done = 0, []
    for r in rounds:
        a, b = state.assign[r][p], state.assign[r][q]
        if a != b:
            delta += state.swap_delta(r, p, a, q, b)
            _swap(state, r, p, a, q, b)
            done.append((r, a, b))
    if undo:
        for r, a, b in reversed(done):
            _swap(state, r, q, a, p, b)
    return delta


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
    on_grid = _construct(state, rng)
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


# --- scoring a plan ----------------------------------------------------------------------------

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
