"""Conflict-directed tabu search for instances that are only about repeats: everyone present
in every round, every table full, all rounds mixed and no rule or wish that a swap could
change (the social golfer problem and gatherings shaped like it).

After Dotú and Van Hentenryck, "Scheduling social golfers locally" (CPAIOR 2005): a move swaps
two people at different tables in one round, at least one of them part of a repeated pair;
every such swap in every round is scored at once and the best one not tabu is made (a tabu
swap only if it gives a plan better than any so far); the swapped pair stays tabu in that
round for a few steps; when the search stalls it goes back to the best plan and shakes it
with a few random swaps, and after several fruitless shakes starts afresh. The start is
greedy, round by round, each seat given to whoever has met the table's people least (after
Triska and Musliu, "An effective greedy heuristic for the Social Golfer Problem", 2012).

All swaps are scored with numpy in one go: with M the meetings matrix, A = [M >= 2] and
B = [M >= 1], p (at a) and q (at b) swapping in round w changes the repeats by
  - L[w, p] - L[w, q] + (B G_w)[p, b] - B[p, q] + (B G_w)[q, a] - B[q, p],
where L[w, p] counts p's table-mates in round w met more than once and G_w is round w's
seating as a people × tables 0/1 matrix."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

TENURE = (3, 12)  # a swapped pair stays tabu for this many steps (drawn at random)
STALL = 600  # steps without a better plan before a shake
SHAKES = 8  # shakes without a better plan before a fresh start


class Tabu:
    def __init__(self, n: int, k: int, size: int, weeks: int, seed: int):
        self.n, self.k, self.size, self.W = n, k, size, weeks
        self.rng = np.random.default_rng(seed)

    # -- the plan and its counts --------------------------------------------------------
    def affine(self) -> np.ndarray | None:
        """Where the tables are a field's order q and a table holds at most q: the rounds of an
        affine plane (person (x, y) at table x + m y in round m, for y among ``size`` columns),
        which repeat nobody, for up to q rounds; None where it does not apply."""
        from eventapp.seating.solver.construct import _GF2_POLY, _gf2_mul, _is_prime

        q, s, rng = self.k, self.size, self.rng
        if not (q in _GF2_POLY or _is_prime(q)) or s > q:
            return None
        field = q in _GF2_POLY
        columns = rng.permutation(q)[:s]
        who = rng.permutation(self.n)
        slopes = rng.permutation(q)[:min(q, self.W)]
        g = np.empty((len(slopes), self.n), dtype=np.int64)
        for i, person in enumerate(who):
            x, y = i % q, int(columns[i // q])
            for w, m in enumerate(slopes):
                g[w, person] = (x ^ _gf2_mul(int(m), y, q)) if field else (x + int(m) * y) % q
        return g

    def greedy(self, first: np.ndarray | None = None) -> np.ndarray:
        """Round by round, each seat to whoever has met the table's people least; the rounds
        in ``first`` are taken as they are."""
        n, k, s, rng = self.n, self.k, self.size, self.rng
        met = np.zeros((n, n), dtype=np.int32)
        g = np.empty((self.W, n), dtype=np.int64)
        done = 0 if first is None else len(first)
        for w in range(done):
            g[w] = first[w]
            same = first[w][:, None] == first[w][None, :]
            met += same
        np.fill_diagonal(met, 0)
        for w in range(done, self.W):
            left = list(rng.permutation(n))
            for t in range(k):
                group = [left.pop(0)]
                while len(group) < s:
                    # The one who has met this table least, then who has met fewest overall.
                    cand = np.array(left)
                    clash = met[np.ix_(cand, group)].sum(axis=1)
                    seen = (met[cand] > 0).sum(axis=1)
                    key = clash * (n + 1) + seen
                    best = np.flatnonzero(key == key.min())
                    pick = int(cand[best[rng.integers(len(best))]])
                    left.remove(pick)
                    group.append(pick)
                for x in group:
                    g[w, x] = t
                    for y in group:
                        if x != y:
                            met[x, y] += 1
        return g

    def load(self, g: np.ndarray) -> None:
        self.g = g.copy()
        n, W = self.n, self.W
        self.G = np.zeros((W, n, self.k), dtype=np.float32)
        self.G[np.arange(W)[:, None], np.arange(n)[None, :], self.g] = 1.0
        same = self.g[:, :, None] == self.g[:, None, :]
        self.M = same.sum(axis=0).astype(np.int32)
        np.fill_diagonal(self.M, 0)
        self.cost = int(np.maximum(self.M - 1, 0).sum() // 2)

    def swap(self, w: int, p: int, q: int) -> None:
        g, M = self.g[w], self.M
        a, b = g[p], g[q]
        at_a = np.flatnonzero(g == a)
        at_b = np.flatnonzero(g == b)
        at_a = at_a[at_a != p]
        at_b = at_b[at_b != q]
        M[p, at_a] -= 1
        M[at_a, p] -= 1
        M[q, at_b] -= 1
        M[at_b, q] -= 1
        M[p, at_b] += 1
        M[at_b, p] += 1
        M[q, at_a] += 1
        M[at_a, q] += 1
        g[p], g[q] = b, a
        G = self.G[w]
        G[p, a] = G[q, b] = 0.0
        G[p, b] = G[q, a] = 1.0

    def deltas(self) -> tuple[np.ndarray, np.ndarray]:
        """Every swap's change in repeats (W × n × n) and whether it is a candidate (different
        tables, at least one of the two part of a repeat)."""
        M, g = self.M, self.g
        A = (M >= 2).astype(np.float32)
        B = (M >= 1).astype(np.float32)
        same = g[:, :, None] == g[:, None, :]
        L = (A[None] * same).sum(axis=2)
        BG = B @ self.G  # W × n × k
        J = np.take_along_axis(BG, np.broadcast_to(g[:, None, :], same.shape), axis=2) - B
        delta = J + J.transpose(0, 2, 1) - L[:, :, None] - L[:, None, :]
        conflict = L > 0
        ok = ~same & (conflict[:, :, None] | conflict[:, None, :])
        return delta, ok

    # -- the search -----------------------------------------------------------------------
    def run(self, start: np.ndarray | None, target: int, steps: int | None, deadline: float,
            poll: Callable[[int, int, np.ndarray], bool]) -> tuple[int, np.ndarray, int, int]:
        """Search until ``target`` repeats, ``steps`` steps, the deadline, or ``poll`` (called
        every few steps with the step, the best cost and the best plan) says stop. The best
        cost, its plan, the steps made and the fresh starts."""
        rng, W, n = self.rng, self.W, self.n
        self.load(start if start is not None else self.greedy())
        best, best_g = self.cost, self.g.copy()
        tabu = np.zeros((W, n, n), dtype=np.int64)
        step = stall = shakes = restarts = 0
        run_best = self.cost
        while best > target:
            if steps is not None and step >= steps:
                break
            if step % 16 == 0 and (time.perf_counter() > deadline
                                   or poll(step, best, best_g)):
                break
            step += 1
            delta, ok = self.deltas()
            allowed = ok & ((tabu <= step) | (self.cost + delta < best))
            if not allowed.any():
                allowed = ok
                if not allowed.any():
                    break
            masked = np.where(allowed, delta, np.inf)
            low = masked.min()
            choices = np.flatnonzero(masked == low)
            w, p, q = np.unravel_index(int(choices[rng.integers(len(choices))]), masked.shape)
            w, p, q = int(w), int(p), int(q)
            self.swap(w, p, q)
            self.cost += int(low)
            tenure = int(rng.integers(TENURE[0], TENURE[1] + 1))
            tabu[w, p, q] = tabu[w, q, p] = step + tenure
            if self.cost < best:
                best, best_g = self.cost, self.g.copy()
            if self.cost < run_best:
                run_best, stall = self.cost, 0
                shakes = 0 if self.cost <= best else shakes
                continue
            stall += 1
            if stall < STALL:
                continue
            stall = 0
            shakes += 1
            if shakes > SHAKES:
                # Afresh: a new greedy start, the best plan kept aside.
                restarts += 1
                shakes = 0
                self.load(self.greedy())
            else:
                # A shake: back to the best plan, a few random swaps of people in conflict.
                self.load(best_g)
                for _ in range(max(2, n // 8)):
                    w = int(rng.integers(W))
                    p, q = rng.choice(n, 2, replace=False)
                    if self.g[w, p] != self.g[w, q]:
                        self.swap(w, int(p), int(q))
                self.cost = int(np.maximum(self.M - 1, 0).sum() // 2)
            run_best = self.cost
            tabu[:] = 0
        return best, best_g, step, restarts
