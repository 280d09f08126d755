"""Instances to test and benchmark the solver on: gatherings shaped like the real ones, and
published social golfer problems whose optimum is known. Plain data, seeded, no I/O."""

from __future__ import annotations

import random

REGIONS = ("Sunnhordland", "Hardanger", "Sogn", "Nordfjord")
PARTNERS = ("NAV", "Voksenopplæring", "IMDi", "Statsforvaltaren", "Tolketenesta")


def gathering(people: int, rounds: int = 4, seats: int = 8, seed: int = 0,
              regional_rounds: tuple[int, ...] = (), apart_pairs: int = 2,
              pins: int = 1) -> dict:
    """A gathering's people as they register: about one career counsellor per table and a
    spare, county staff as hosts, partners such as NAV and adult education, and municipalities
    sending one to six people (leaders and programme advisers), each in a region."""
    rng = random.Random(seed)
    tables = -(-people // seats)
    out = []
    for i in range(tables + 1):
        out.append({"id": f"veileder{i + 1}", "role": "career_counsellor",
                    "organisation": "fylket", "region": REGIONS[i % len(REGIONS)]})
    for i in range(max(3, people // 20)):
        out.append({"id": f"fylke{i + 1}", "role": "county_staff", "organisation": "fylket"})
    for i in range(max(3, people // 12)):
        partner = PARTNERS[i % len(PARTNERS)]
        out.append({"id": f"partner{i + 1}", "role": "partner",
                    "organisation": f"{partner} {i // len(PARTNERS) + 1}"})
    municipality = 0
    neighbours = []
    while len(out) < people:
        municipality += 1
        size = min(tables, rng.choice((1, 1, 2, 2, 2, 2, 3, 3, 4, 6)))
        region = REGIONS[municipality % len(REGIONS)]
        members = []
        for j in range(min(size, people - len(out))):
            pid = f"k{municipality}-{j + 1}"
            role = "leader" if j == 0 else rng.choice(("programme_adviser", "programme_adviser",
                                                        "leader", "other"))
            out.append({"id": pid, "role": role, "organisation": f"kommune{municipality}",
                        "region": region})
            members.append(pid)
        neighbours.append(members)
    apart = []
    for _ in range(apart_pairs):
        a, b = rng.sample(range(len(neighbours)), 2)
        apart.append([neighbours[a][0], neighbours[b][0]])
    pinned = [{"person": f"fylke{i + 1}", "round": 0, "table": f"Bord {i + 1}"}
              for i in range(min(pins, tables))]
    return {
        "people": out,
        "tables": [{"id": f"Bord {t + 1}", "seats": seats} for t in range(tables)],
        "rounds": [{"mode": "regional" if r in regional_rounds else "mixed"}
                   for r in range(rounds)],
        "rules": {"min_counsellors_per_table": 1, "max_county_staff_per_table": 2,
                  "max_per_organisation": 1, "apart": apart, "pinned": pinned},
        "seed": seed,
        "time_limit_s": 10,
    }


def social_golfer(groups: int, size: int, weeks: int, seed: int = 0) -> dict:
    """The social golfer problem g-s-w: groups × size golfers play in ``groups`` groups of
    ``size`` for ``weeks`` weeks; no two golfers may meet twice. As an instance: no roles or
    rules, every golfer their own organisation, all rounds mixed."""
    golfers = groups * size
    return {
        "people": [{"id": f"g{i + 1}", "role": "other", "organisation": f"g{i + 1}"}
                   for i in range(golfers)],
        "tables": [{"id": f"G{t + 1}", "seats": size} for t in range(groups)],
        "rounds": [{"mode": "mixed"} for _ in range(weeks)],
        "rules": {},
        "seed": seed,
        "time_limit_s": 10,
    }


# Instances with a known solution without repeats (Harvey's table of social golfer results; the
# affine planes of order 3, 4, 5, 7 and 8 for the q-q-(q+1) ones; Kirkman's schoolgirls 5-3-7;
# nearly Kirkman triple systems for 6-3-8). "Large" here means large or tight: many weeks for the
# number of golfers.
GOLFERS_SMALL = ((3, 3, 4), (4, 4, 5), (5, 3, 7), (6, 3, 7))
GOLFERS_MEDIUM = ((5, 5, 6), (6, 4, 5), (8, 4, 8), (10, 4, 7), (9, 3, 11))
GOLFERS_LARGE = ((6, 3, 8), (7, 3, 9), (8, 4, 9), (8, 4, 10), (7, 7, 8), (8, 8, 9))


def random_plan(instance: dict, seed: int = 0) -> dict:
    """The baseline: everyone at a random table with a free seat, round by round."""
    rng = random.Random(seed)
    ids = [p["id"] for p in instance["people"]]
    rounds = []
    for _ in instance["rounds"]:
        seats = [t["id"] for t in instance["tables"] for _ in range(t["seats"])]
        rng.shuffle(seats)
        tables = {t["id"]: [] for t in instance["tables"]}
        for pid, table in zip(ids, seats, strict=False):
            tables[table].append(pid)
        rounds.append({"tables": tables})
    return {"rounds": rounds}
