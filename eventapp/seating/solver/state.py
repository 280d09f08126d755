"""The search state: a plan with every count the score needs, kept up to date move by move,
and the moves themselves (a swap in one round, or in every mixed round at once).

Only the people present in a round are seated in it (``assign`` is -1 for the others)."""

from __future__ import annotations

from eventapp.seating.solver.instance import COUNTY_ROLES, Instance

# Weights make the goals lexicographic in practice: one broken hard rule outweighs anything
# else; one person moved from an earlier plan outweighs a repeat or a wish; a wish not met
# weighs as much as one repeated table-mate; a table short of a partner kind or over its share
# of a size class comes next, then the even spread of roles and, in regional rounds, the
# region kept at one table.
W_HARD = 1_000_000
W_MOVE = 20_000
W_REPEAT = 1_000
W_WISH = 1_000
W_SOFT_SPREAD = 300
W_SPREAD = 20
W_REGION = 30
W_SPREAD_REGIONAL = 5  # in a regional round the region comes first, the spread second

# Each part of the score and the weight attributes that carry it: setting one part's weights
# to 1 and the rest to 0 makes every delta count that part alone (used to explain a broken
# rule by what its repairing moves would make worse).
PARTS = {
    "capacity": ("w_cap",), "min_counsellors_per_table": ("w_minc",),
    "max_county_staff_per_table": ("w_maxcs",), "max_per_organisation": ("w_maxo",),
    "apart": ("w_apart",), "pinned": ("w_pin",), "apart_organisations": ("w_aorg",),
    "moved": ("w_move",), "repeats": ("w_rep",), "wish_regional": ("w_wreg",),
    "wish_apart_from_neighbours": ("w_wnb",), "spread_partner_kinds": ("w_kind",),
    "spread_size_classes": ("w_class",), "role_spread": ("w_role", "w_role_reg"),
    "regional_split": ("w_region",),
}
WEIGHTS = {"w_cap": W_HARD, "w_minc": W_HARD, "w_maxcs": W_HARD, "w_maxo": W_HARD,
           "w_apart": W_HARD, "w_pin": W_HARD, "w_aorg": W_HARD, "w_move": W_MOVE,
           "w_rep": W_REPEAT, "w_wreg": W_WISH, "w_wnb": W_WISH, "w_kind": W_SOFT_SPREAD,
           "w_class": W_SOFT_SPREAD, "w_role": W_SPREAD, "w_role_reg": W_SPREAD_REGIONAL,
           "w_region": W_REGION}
PART_WEIGHT = {part: WEIGHTS[attrs[0]] for part, attrs in PARTS.items()}


class State:
    """A plan with every count the score needs, kept up to date move by move."""

    def __init__(self, inst: Instance):
        self.inst = inst
        n, k, R = len(inst.people), len(inst.tables), len(inst.rounds)
        self.n, self.k, self.R = n, k, R
        self.set_weights()
        rules = inst.rules
        self.min_c = rules.get("min_counsellors_per_table") or 0
        self.max_cs = rules.get("max_county_staff_per_table") or 0
        self.max_o = rules.get("max_per_organisation") or 0
        self.seats = inst.seats
        self.present = inst.present
        self.regional = [r.get("mode", "mixed") == "regional" for r in inst.rounds]
        people = inst.people
        roles = [p.get("role") or "other" for p in people]
        self.is_couns = [r == "career_counsellor" for r in roles]
        self.is_county = [r in COUNTY_ROLES for r in roles]
        role_names = sorted(set(roles))
        self.role_names = role_names
        self.role = [role_names.index(r) for r in roles]
        orgs: dict[str, int] = {}
        self.org = []
        for p, county in zip(people, self.is_county, strict=False):
            key = p.get("organisation")
            self.org.append(-1 if county or key in (None, "") else
                            orgs.setdefault(str(key), len(orgs)))
        self.org_key = [None if p.get("organisation") in (None, "") else str(p["organisation"])
                        for p in people]
        regions: dict[str, int] = {}
        self.region = [-1 if not p.get("region") else
                       regions.setdefault(str(p["region"]), len(regions)) for p in people]
        self.apart = [set() for _ in range(n)]
        for a, b in rules.get("apart") or []:
            ia, ib = inst.index[str(a)], inst.index[str(b)]
            if ia != ib:
                self.apart[ia].add(ib)
                self.apart[ib].add(ia)
        # People of different organisations in one apart_organisations list never share a table.
        by_org: dict[str, list[int]] = {}
        for p, key in enumerate(self.org_key):
            if key is not None:
                by_org.setdefault(key, []).append(p)
        self.aorg = [set() for _ in range(n)]
        for group in rules.get("apart_organisations") or []:
            keys = sorted({str(o) for o in group})
            for i, x in enumerate(keys):
                for y in keys[i + 1:]:
                    for p in by_org.get(x, ()):
                        for q in by_org.get(y, ()):
                            self.aorg[p].add(q)
                            self.aorg[q].add(p)
        # The people of a neighbour organisation, for the wish to sit apart from them.
        self.nbr = [set() for _ in range(n)]
        for x, y in rules.get("neighbours") or []:
            x, y = str(x), str(y)
            if x == y:
                continue
            for p in by_org.get(x, ()):
                for q in by_org.get(y, ()):
                    self.nbr[p].add(q)
                    self.nbr[q].add(p)
        self.wish_reg = [p.get("wish") == "regional" and r >= 0
                         for p, r in zip(people, self.region, strict=False)]
        self.wish_reg_lost = [p.get("wish") == "regional" and r < 0
                              for p, r in zip(people, self.region, strict=False)]
        self.wish_nb = [p.get("wish") == "apart_from_neighbours" for p in people]
        self.any_wreg = any(self.wish_reg)
        self.any_nb = any(self.nbr)
        self.kinds = list(rules.get("spread_partner_kinds") or [])
        self.kind = [self.kinds.index(p["partner_kind"]) if p.get("partner_kind") in self.kinds
                     else -1 for p in people]
        self.classes = list(rules.get("spread_size_classes") or [])
        self.sclass = [self.classes.index(p["size_class"]) if p.get("size_class") in self.classes
                       else -1 for p in people]
        self.pinned = {}
        self.pins_absent = []
        for pin in rules.get("pinned") or []:
            r, p = pin["round"], inst.index[str(pin["person"])]
            if not self.present[r][p]:
                self.pins_absent.append((r, p))
                continue
            self.pinned[(r, p)] = inst.table_ids.index(str(pin["table"]))
        # Per round, over the people present: each role's fair share per table (between the
        # floor and the ceiling of its total / tables), each spread kind's best coverage and
        # each spread size class's share per table.
        self.role_lo, self.role_hi, self.kind_best, self.class_lim = [], [], [], []
        for r in range(R):
            totals = [0] * len(role_names)
            kinds = [0] * len(self.kinds)
            classes = [0] * len(self.classes)
            for p in range(n):
                if self.present[r][p]:
                    totals[self.role[p]] += 1
                    if self.kind[p] >= 0:
                        kinds[self.kind[p]] += 1
                    if self.sclass[p] >= 0:
                        classes[self.sclass[p]] += 1
            self.role_lo.append([t // k for t in totals])
            self.role_hi.append([-(-t // k) for t in totals])
            self.kind_best.append([min(k, c) for c in kinds])
            self.class_lim.append([-(-c // k) for c in classes])
        self.kind_present = None
        self.previous = None
        if inst.previous:
            self.previous = [[-1] * n for _ in range(R)]
            for r, rnd in enumerate((inst.previous.get("rounds") or [])[:R]):
                for table, members in (rnd.get("tables") or {}).items():
                    if table in inst.table_ids:
                        t = inst.table_ids.index(table)
                        for pid in members:
                            if pid in inst.index and self.present[r][inst.index[pid]]:
                                self.previous[r][inst.index[pid]] = t
        self.assign = [[-1] * n for _ in range(R)]
        self.members = [[[] for _ in range(k)] for _ in range(R)]
        self.size = [[0] * k for _ in range(R)]
        self.couns = [[0] * k for _ in range(R)]
        self.county = [[0] * k for _ in range(R)]
        self.orgc = [[{} for _ in range(k)] for _ in range(R)]
        self.rolec = [[[0] * len(role_names) for _ in range(k)] for _ in range(R)]
        self.regc = [[{} for _ in range(k)] for _ in range(R)]
        self.regw = [[{} for _ in range(k)] for _ in range(R)]  # regional wishers per region
        self.kindc = [[[0] * len(self.kinds) for _ in range(k)] for _ in range(R)]
        self.classc = [[[0] * len(self.classes) for _ in range(k)] for _ in range(R)]
        self.nbc = [[0] * n for _ in range(R)]  # neighbours at one's table
        self.mm = [0] * (n * n)  # meetings in mixed rounds
        self.mr = [0] * (n * n)  # meetings in regional rounds

    def set_weights(self, part: str | None = None) -> None:
        """The usual weights, or with ``part`` only that part of the score counted (weight 1)."""
        for attr, weight in WEIGHTS.items():
            setattr(self, attr, weight if part is None else 0)
        if part is not None:
            for attr in PARTS[part]:
                setattr(self, attr, 1)

    def present_in(self, r: int) -> list[int]:
        return [p for p in range(self.n) if self.present[r][p]]

    def _dev(self, r, role, count):
        return max(0, count - self.role_hi[r][role]) + max(0, self.role_lo[r][role] - count)

    @staticmethod
    def _wish_term(count, wishers):
        # A regional wish is not met by whoever sits alone from their region at a table.
        return wishers if count == 1 else 0

    def delta_leave(self, r, p, t):
        """Score change if ``p`` leaves table ``t`` in round ``r`` (counts still include p)."""
        s = self.size[r][t]
        seats = self.seats[t]
        score = self.w_cap * (max(0, s - 1 - seats) - max(0, s - seats))
        if self.min_c and self.is_couns[p]:
            c = self.couns[r][t]
            score += self.w_minc * (max(0, self.min_c - (c - 1)) - max(0, self.min_c - c))
        if self.max_cs and self.is_county[p]:
            c = self.county[r][t]
            score += self.w_maxcs * (max(0, c - 1 - self.max_cs) - max(0, c - self.max_cs))
        o = self.org[p]
        if self.max_o and o >= 0:
            c = self.orgc[r][t].get(o, 0)
            score += self.w_maxo * (max(0, c - 1 - self.max_o) - max(0, c - self.max_o))
        members = self.members[r][t]
        ap = self.apart[p]
        if ap:
            score -= self.w_apart * sum(1 for q in members if q in ap)
        ao = self.aorg[p]
        if ao:
            score -= self.w_aorg * sum(1 for q in members if q in ao)
        pin = self.pinned.get((r, p))
        if pin is not None and pin == t:
            score += self.w_pin
        if self.previous is not None and self.previous[r][p] == t:
            score += self.w_move
        score += self._repeat_delta(r, p, members, -1) * self.w_rep
        role = self.role[p]
        c = self.rolec[r][t][role]
        w = self.w_role_reg if self.regional[r] else self.w_role
        score += (self._dev(r, role, c - 1) - self._dev(r, role, c)) * w
        g = self.region[p]
        if g >= 0:
            c = self.regc[r][t].get(g, 0)
            if self.regional[r]:
                score += (c - 1) * self.w_region
            if self.any_wreg:
                wc = self.regw[r][t].get(g, 0)
                score += self.w_wreg * (self._wish_term(c - 1, wc - self.wish_reg[p])
                                        - self._wish_term(c, wc))
        nb = self.nbr[p]
        if nb:
            nbc = self.nbc[r]
            if self.wish_nb[p] and nbc[p] > 0:
                score -= self.w_wnb
            for q in members:
                if q in nb and self.wish_nb[q] and nbc[q] == 1:
                    score -= self.w_wnb
        ki = self.kind[p]
        if ki >= 0 and self.kindc[r][t][ki] == 1:
            score += self.w_kind
        ci = self.sclass[p]
        if ci >= 0:
            c, lim = self.classc[r][t][ci], self.class_lim[r][ci]
            score += self.w_class * (max(0, c - 1 - lim) - max(0, c - lim))
        return score

    def delta_join(self, r, p, t):
        """Score change if ``p`` joins table ``t`` in round ``r`` (counts exclude p)."""
        s = self.size[r][t]
        seats = self.seats[t]
        score = self.w_cap * (max(0, s + 1 - seats) - max(0, s - seats))
        if self.min_c and self.is_couns[p]:
            c = self.couns[r][t]
            score += self.w_minc * (max(0, self.min_c - c - 1) - max(0, self.min_c - c))
        if self.max_cs and self.is_county[p]:
            c = self.county[r][t]
            score += self.w_maxcs * (max(0, c + 1 - self.max_cs) - max(0, c - self.max_cs))
        o = self.org[p]
        if self.max_o and o >= 0:
            c = self.orgc[r][t].get(o, 0)
            score += self.w_maxo * (max(0, c + 1 - self.max_o) - max(0, c - self.max_o))
        members = self.members[r][t]
        ap = self.apart[p]
        if ap:
            score += self.w_apart * sum(1 for q in members if q in ap)
        ao = self.aorg[p]
        if ao:
            score += self.w_aorg * sum(1 for q in members if q in ao)
        pin = self.pinned.get((r, p))
        if pin is not None and pin == t:
            score -= self.w_pin
        if self.previous is not None and self.previous[r][p] == t:
            score -= self.w_move
        score += self._repeat_delta(r, p, members, +1) * self.w_rep
        role = self.role[p]
        c = self.rolec[r][t][role]
        w = self.w_role_reg if self.regional[r] else self.w_role
        score += (self._dev(r, role, c + 1) - self._dev(r, role, c)) * w
        g = self.region[p]
        if g >= 0:
            c = self.regc[r][t].get(g, 0)
            if self.regional[r]:
                score -= c * self.w_region
            if self.any_wreg:
                wc = self.regw[r][t].get(g, 0)
                score += self.w_wreg * (self._wish_term(c + 1, wc + self.wish_reg[p])
                                        - self._wish_term(c, wc))
        nb = self.nbr[p]
        if nb:
            nbc = self.nbc[r]
            found = 0
            for q in members:
                if q in nb:
                    found += 1
                    if self.wish_nb[q] and nbc[q] == 0:
                        score += self.w_wnb
            if found and self.wish_nb[p]:
                score += self.w_wnb
        ki = self.kind[p]
        if ki >= 0 and self.kindc[r][t][ki] == 0:
            score -= self.w_kind
        ci = self.sclass[p]
        if ci >= 0:
            c, lim = self.classc[r][t][ci], self.class_lim[r][ci]
            score += self.w_class * (max(0, c + 1 - lim) - max(0, c - lim))
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

    def move_delta(self, r, p, b):
        """Score change if ``p`` moves to table ``b`` in round ``r``."""
        a = self.assign[r][p]
        delta = self.delta_leave(r, p, a)
        # p's leaving changes b's counts only through p's meetings with b's people (none:
        # p is not at b) and the neighbours' count of the people at b (p was not with them).
        return delta + self.delta_join(r, p, b)

    def swap_delta(self, r, p, a, q, b):
        """Score change if ``p`` (at ``a``) and ``q`` (at ``b``) change places in round ``r``,
        computed without making the swap."""
        score = (self._exchange(r, a, p, q) + self._exchange(r, b, q, p))
        ma = [x for x in self.members[r][a] if x != p]
        mb = [x for x in self.members[r][b] if x != q]
        rep = (self._repeat_delta(r, p, ma, -1) + self._repeat_delta(r, p, mb, +1)
               + self._repeat_delta(r, q, mb, -1) + self._repeat_delta(r, q, ma, +1))
        return score + rep * self.w_rep

    def _exchange(self, r, t, out, into):
        """Change in table ``t``'s own terms when ``out`` leaves it and ``into`` takes the seat."""
        score = 0
        if self.min_c and self.is_couns[out] != self.is_couns[into]:
            c = self.couns[r][t]
            c2 = c - self.is_couns[out] + self.is_couns[into]
            score += self.w_minc * (max(0, self.min_c - c2) - max(0, self.min_c - c))
        if self.max_cs and self.is_county[out] != self.is_county[into]:
            c = self.county[r][t]
            c2 = c - self.is_county[out] + self.is_county[into]
            score += self.w_maxcs * (max(0, c2 - self.max_cs) - max(0, c - self.max_cs))
        o_out, o_in = self.org[out], self.org[into]
        if self.max_o and o_out != o_in:
            counts = self.orgc[r][t]
            hard = 0
            if o_out >= 0:
                c = counts.get(o_out, 0)
                hard += max(0, c - 1 - self.max_o) - max(0, c - self.max_o)
            if o_in >= 0:
                c = counts.get(o_in, 0)
                hard += max(0, c + 1 - self.max_o) - max(0, c - self.max_o)
            score += self.w_maxo * hard
        members = self.members[r][t]
        if self.apart[out]:
            score -= self.w_apart * sum(1 for x in members if x in self.apart[out])
        if self.apart[into]:
            score += self.w_apart * sum(1 for x in members
                                        if x != out and x in self.apart[into])
        if self.aorg[out]:
            score -= self.w_aorg * sum(1 for x in members if x in self.aorg[out])
        if self.aorg[into]:
            score += self.w_aorg * sum(1 for x in members if x != out and x in self.aorg[into])
        if self.pinned:
            if self.pinned.get((r, out)) == t:
                score += self.w_pin
            if self.pinned.get((r, into)) == t:
                score -= self.w_pin
        if self.previous is not None:
            if self.previous[r][out] == t:
                score += self.w_move
            if self.previous[r][into] == t:
                score -= self.w_move
        ro, ri = self.role[out], self.role[into]
        if ro != ri:
            # A role's deviation from its fair share [lo, hi] changes by one at most.
            counts, lo, hi = self.rolec[r][t], self.role_lo[r], self.role_hi[r]
            c = counts[ro]
            change = -1 if c > hi[ro] else 1 if c <= lo[ro] else 0
            c = counts[ri]
            change += 1 if c >= hi[ri] else -1 if c < lo[ri] else 0
            if change:
                score += change * (self.w_role_reg if self.regional[r] else self.w_role)
        g_out, g_in = self.region[out], self.region[into]
        if g_out != g_in or (self.any_wreg and self.wish_reg[out] != self.wish_reg[into]):
            regions = self.regc[r][t]
            if self.regional[r]:
                if g_out >= 0:
                    score += (regions.get(g_out, 0) - 1) * self.w_region
                if g_in >= 0:
                    score -= (regions.get(g_in, 0) - (1 if g_in == g_out else 0)) * self.w_region
            wishers = self.regw[r][t]
            if self.any_wreg and (self.wish_reg[out] or self.wish_reg[into]
                                  or wishers.get(g_out) or wishers.get(g_in)):
                for g in {g_out, g_in}:
                    if g < 0:
                        continue
                    c, wc = regions.get(g, 0), wishers.get(g, 0)
                    c2, wc2 = c, wc
                    if g == g_out:
                        c2 -= 1
                        wc2 -= self.wish_reg[out]
                    if g == g_in:
                        c2 += 1
                        wc2 += self.wish_reg[into]
                    score += self.w_wreg * (self._wish_term(c2, wc2) - self._wish_term(c, wc))
        nb_out, nb_in = self.nbr[out], self.nbr[into]
        if nb_out or nb_in:
            nbc = self.nbc[r]
            wish = self.wish_nb
            if wish[out] and nbc[out] > 0:
                score -= self.w_wnb
            found = 0
            for x in members:
                if x == out:
                    continue
                if x in nb_in:
                    found += 1
                if wish[x]:
                    before = nbc[x]
                    after = before - (x in nb_out) + (x in nb_in)
                    score += self.w_wnb * ((after > 0) - (before > 0))
            if found and wish[into]:
                score += self.w_wnb
        ko, ki = self.kind[out], self.kind[into]
        if ko != ki:
            counts = self.kindc[r][t]
            if ko >= 0 and counts[ko] == 1:
                score += self.w_kind
            if ki >= 0 and counts[ki] == 0:
                score -= self.w_kind
        co, cn = self.sclass[out], self.sclass[into]
        if co != cn:
            counts, lims = self.classc[r][t], self.class_lim[r]
            if co >= 0:
                c = counts[co]
                score += self.w_class * (max(0, c - 1 - lims[co]) - max(0, c - lims[co]))
            if cn >= 0:
                c = counts[cn]
                score += self.w_class * (max(0, c + 1 - lims[cn]) - max(0, c - lims[cn]))
        return score

    def troubled(self, r, p) -> bool:
        """Whether ``p`` repeats a table-mate, breaks a hard rule at their table in round ``r``
        or has a soft rule or wish unmet there (a cheap test, to aim the search)."""
        t = self.assign[r][p]
        n, mm, mr = self.n, self.mm, self.mr
        base = p * n
        regional = self.regional[r]
        ap, ao = self.apart[p], self.aorg[p]
        for q in self.members[r][t]:
            if q != p:
                e = mm[base + q] + (1 if mr[base + q] else 0)
                if e >= 2 and not (regional and mm[base + q] == 0):
                    return True
                if q in ap or q in ao:
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
        if self.wish_reg[p] and self.regc[r][t].get(self.region[p], 0) < 2:
            return True
        if self.wish_nb[p] and self.nbc[r][p]:
            return True
        if self.kind[p] >= 0 and self.kindc[r][t][self.kind[p]] > 1:
            return True
        ci = self.sclass[p]
        if ci >= 0 and self.classc[r][t][ci] > self.class_lim[r][ci]:
            return True
        return (r, p) in self.pinned and self.pinned[(r, p)] != t

    def aim(self, r, p) -> list[int]:
        """Tables where ``p`` would mend a spread, a wish or a counsellor short that they are
        part of in round ``r`` (empty if none applies)."""
        t, k = self.assign[r][p], self.k
        ci = self.sclass[p]
        if ci >= 0 and self.classc[r][t][ci] > self.class_lim[r][ci]:
            lim = self.class_lim[r][ci]
            return [b for b in range(k) if self.classc[r][b][ci] < lim]
        ki = self.kind[p]
        if ki >= 0 and self.kindc[r][t][ki] > 1:
            return [b for b in range(k) if self.kindc[r][b][ki] == 0]
        if self.min_c and self.is_couns[p] and self.couns[r][t] > self.min_c:
            return [b for b in range(k) if self.couns[r][b] < self.min_c]
        g = self.region[p]
        if self.wish_reg[p] and self.regc[r][t].get(g, 0) < 2:
            return [b for b in range(k) if b != t and self.regc[r][b].get(g, 0)]
        if self.wish_nb[p] and self.nbc[r][p]:
            nb = self.nbr[p]
            return [b for b in range(k) if b != t
                    and not any(q in nb for q in self.members[r][b])]
        return []

    def clean(self, lower: int) -> bool:
        """Whether the plan as it stands breaks no rule, leaves no wish unmet, moves nobody and
        repeats no more than ``lower``: only the spread of roles is left (from the counts, in
        one pass that stops at the first problem)."""
        n, mm, mr = self.n, self.mm, self.mr
        if any(self.wish_reg_lost[p] and self.present[r][p]
               for r in range(self.R) for p in range(n)):
            return False
        for r in range(self.R):
            best = self.kind_best[r]
            covered = [0] * len(self.kinds)
            for t in range(self.k):
                members = self.members[r][t]
                if (self.size[r][t] > self.seats[t] or self.couns[r][t] < self.min_c
                        or (self.max_cs and self.county[r][t] > self.max_cs)
                        or (self.max_o and any(c > self.max_o for c in self.orgc[r][t].values()))):
                    return False
                for ci, c in enumerate(self.classc[r][t]):
                    if c > self.class_lim[r][ci]:
                        return False
                for ki, c in enumerate(self.kindc[r][t]):
                    covered[ki] += c > 0
                regions = self.regc[r][t]
                for p in members:
                    if self.apart[p] & set(members) or self.aorg[p] & set(members):
                        return False
                    if self.wish_reg[p] and regions.get(self.region[p], 0) < 2:
                        return False
                    if self.wish_nb[p] and self.nbc[r][p]:
                        return False
                    if self.previous is not None and 0 <= self.previous[r][p] != t:
                        return False
            if any(c < b for c, b in zip(covered, best, strict=False)):
                return False
        if any(self.assign[r][p] != t for (r, p), t in self.pinned.items()):
            return False
        over = set()
        for r in range(self.R):
            for members in self.members[r]:
                for i, p in enumerate(members):
                    base = p * n
                    for q in members[i + 1:]:
                        if mm[base + q] + (1 if mr[base + q] else 0) >= 2:
                            over.add((p, q) if p < q else (q, p))
        return sum(mm[p * n + q] + (1 if mr[p * n + q] else 0) - 1 for p, q in over) <= lower

    def place(self, r, p, t):
        n = self.n
        mat = self.mr if self.regional[r] else self.mm
        members = self.members[r][t]
        for q in members:
            mat[p * n + q] += 1
            mat[q * n + p] += 1
        nb = self.nbr[p]
        if nb:
            nbc = self.nbc[r]
            for q in members:
                if q in nb:
                    nbc[q] += 1
                    nbc[p] += 1
        members.append(p)
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
        g = self.region[p]
        if g >= 0:
            d = self.regc[r][t]
            d[g] = d.get(g, 0) + 1
            if self.wish_reg[p]:
                d = self.regw[r][t]
                d[g] = d.get(g, 0) + 1
        if self.kind[p] >= 0:
            self.kindc[r][t][self.kind[p]] += 1
        if self.sclass[p] >= 0:
            self.classc[r][t][self.sclass[p]] += 1

    def remove(self, r, p):
        n, t = self.n, self.assign[r][p]
        members = self.members[r][t]
        members.remove(p)
        mat = self.mr if self.regional[r] else self.mm
        for q in members:
            mat[p * n + q] -= 1
            mat[q * n + p] -= 1
        nb = self.nbr[p]
        if nb:
            nbc = self.nbc[r]
            for q in members:
                if q in nb:
                    nbc[q] -= 1
                    nbc[p] -= 1
        self.assign[r][p] = -1
        self.size[r][t] -= 1
        if self.is_couns[p]:
            self.couns[r][t] -= 1
        if self.is_county[p]:
            self.county[r][t] -= 1
        if self.org[p] >= 0:
            self.orgc[r][t][self.org[p]] -= 1
        self.rolec[r][t][self.role[p]] -= 1
        g = self.region[p]
        if g >= 0:
            self.regc[r][t][g] -= 1
            if self.wish_reg[p]:
                self.regw[r][t][g] -= 1
        if self.kind[p] >= 0:
            self.kindc[r][t][self.kind[p]] -= 1
        if self.sclass[p] >= 0:
            self.classc[r][t][self.sclass[p]] -= 1
        return t

    def move(self, r, p, b):
        self.remove(r, p)
        self.place(r, p, b)

    def snapshot(self) -> list[list[int]]:
        return [row[:] for row in self.assign]

    def load(self, assign: list[list[int]]) -> None:
        for r in range(self.R):
            for p in range(self.n):
                if self.assign[r][p] >= 0 and self.assign[r][p] != assign[r][p]:
                    self.remove(r, p)
        for r in range(self.R):
            for p in range(self.n):
                if assign[r][p] >= 0 and self.assign[r][p] < 0:
                    self.place(r, p, assign[r][p])

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
    change. With ``undo`` the swap is only measured. Both must be present in those rounds."""
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
