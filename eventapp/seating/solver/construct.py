"""The start of the search: a grid that repeats no pair where the numbers allow, else a greedy
seating, pinned people first."""

from __future__ import annotations

import random

from eventapp.seating.solver.state import State, swap, swap_everywhere


def construct(state: State, rng: random.Random) -> bool:
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
            everywhere = {p for p in range(n) if all(state.present[r][p] for r in mixed)}
            for (r, p), t in sorted(state.pinned.items()):
                if r not in done or state.assign[r][p] == t:
                    continue
                free = [q for q in state.members[r][t] if (r, q) not in state.pinned]
                if state.assign[r][p] < 0:  # off the grid: take a seat, its holder moves on
                    if state.size[r][t] >= state.seats[t] and free:
                        state.remove(r, free[0])
                    state.place(r, p, t)
                    continue
                free_everywhere = [q for q in free if q in everywhere]
                if p not in settled and free_everywhere:
                    free = free_everywhere
                    q = min(free, key=lambda q: (swap_everywhere(state, mixed, p, q, True), q))
                    swap_everywhere(state, mixed, p, q, False)
                elif free:
                    a = state.assign[r][p]
                    q = min(free, key=lambda q: (state.swap_delta(r, p, a, q, t), q))
                    swap(state, r, p, a, q, t)
                else:
                    state.remove(r, p)
                    state.place(r, p, t)
                settled.add(p)
    for r in range(state.R):
        if r not in done:
            for (rr, p), t in sorted(state.pinned.items()):
                if rr == r:
                    state.place(r, p, t)
        # Everyone present and not seated by the grid (all of them off the grid rounds).
        order = [p for p in range(n) if state.present[r][p] and state.assign[r][p] < 0]
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
            best = min(free, key=lambda t: (state.delta_join(r, p, t), state.size[r][t], t))
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
    # The grid seats the people present in every one of these rounds; the others are seated
    # greedily around it in the rounds they come to.
    people = [p for p in range(state.n) if all(state.present[r][p] for r in rounds)]
    n, k = len(people), state.k
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
    by_column = (len(rounds) == q + 1 and q == k and min(state.seats) >= q
                 and -(-n // q) <= k)
    if columns > min(state.seats) or not rounds or n > sum(state.seats) or (
            len(rounds) > q and not by_column):
        return []
    field = q in _GF2_POLY
    counsellors = [p for p in people if state.is_couns[p]]
    county = [p for p in people if state.is_county[p] and not state.is_couns[p]]
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
                for p in people if not state.is_county[p]}
    groups: dict[int, list[int]] = {}
    for p, g in group_of.items():
        groups.setdefault(g, []).append(p)
    for p, g in list(group_of.items()):
        for other in state.apart[p] | state.aorg[p]:
            h = group_of.get(other)
            g = group_of[p]
            if h is not None and h != g and len(groups[g]) + len(groups[h]) <= q:
                for x in groups.pop(h):
                    group_of[x] = g
                    groups[g].append(x)
    # A column's people sit at different tables in every round: the people of a partner kind
    # or size class to spread go into as few columns as they fill (first fit, kind by kind),
    # before everyone else (largest group first, into the emptiest column).
    def spread_key(group):
        kinds = sorted(state.kind[p] for p in group if state.kind[p] >= 0)
        classes = sorted(state.sclass[p] for p in group if state.sclass[p] >= 0)
        return (kinds[0] if kinds else len(state.kinds), classes[0] if classes
                else len(state.classes))

    spread = sorted((g for g in groups.values() if spread_key(g) < (len(state.kinds),
                                                                     len(state.classes))),
                    key=lambda g: (spread_key(g), -len(g), rng.random()))
    rest = sorted((g for g in groups.values() if spread_key(g) == (len(state.kinds),
                                                                    len(state.classes))),
                  key=lambda g: (-len(g), rng.random()))
    for group in spread:
        room = [c for c in range(columns) if q - len(grid[c]) >= len(group)]
        if room:
            grid[room[0]].extend(group)
        else:
            rest.append(group)
    for group in rest:
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
        for p in people:
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
    for p in people:
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
        for p in people:
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
