"""The search state: a plan with every count the score needs, kept up to date move by move,
and the moves themselves (a swap in one round, or in every mixed round at once)."""

from __future__ import annotations

from eventapp.seating.solver.instance import COUNTY_ROLES, Instance

# Weights make the goals lexicographic in practice: one broken hard rule outweighs any number
# of repeats, one person moved from an earlier plan outweighs a repeat, and so on.
W_HARD = 1_000_000
W_MOVE = 20_000
W_REPEAT = 1_000
W_SPREAD = 20
W_REGION = 30
W_SPREAD_REGIONAL = 5  # in a regional round the region comes first, the spread second


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



def swap(state: State, r: int, p: int, a: int, q: int, b: int) -> None:
    """``p`` (at ``a``) and ``q`` (at ``b``) change places in round ``r``."""
    state.remove(r, p)
    state.remove(r, q)
    state.place(r, q, a)
    state.place(r, p, b)


def swap_everywhere(state: State, rounds: list[int], p: int, q: int, undo: bool) -> int:
    """``p`` and ``q`` change places in each of ``rounds`` where they sit apart; the score
    change. With ``undo`` the swap is only measured."""
    delta, done = 0, []
    for r in rounds:
        a, b = state.assign[r][p], state.assign[r][q]
        if a != b:
            delta += state.swap_delta(r, p, a, q, b)
            swap(state, r, p, a, q, b)
            done.append((r, a, b))
    if undo:
        for r, a, b in reversed(done):
            swap(state, r, q, a, p, b)
    return delta
