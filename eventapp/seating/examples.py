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
    """The baseline: everyone present at a random table with a free seat, round by round."""
    rng = random.Random(seed)
    rounds = []
    for r, _ in enumerate(instance["rounds"]):
        ids = [p["id"] for p in instance["people"]
               if p.get("rounds") is None or r in p["rounds"]]
        seats = [t["id"] for t in instance["tables"] for _ in range(t["seats"])]
        rng.shuffle(seats)
        tables = {t["id"]: [] for t in instance["tables"]}
        for pid, table in zip(ids, seats, strict=False):
            tables[table].append(pid)
        rounds.append({"tables": tables})
    return {"rounds": rounds}


PARTNER_KINDS = {"NAV": "nav", "Voksenopplæring": "adult_education", "IMDi": "imdi",
                 "Statsforvaltaren": "statsforvalteren", "Tolketenesta": "interpreter_service"}


def realistic(people: int = 96, rounds: int = 4, seats: int = 8, seed: int = 0,
              one_day: float = 0.1, wishes: float = 0.1) -> dict:
    """A gathering with every rule hosts ask for: a counsellor per table, a cap on county
    staff and on each municipality, partners spread by kind (NAV, adult education), staff of
    large municipalities spread, neighbour municipalities kept apart (marked pairs and one
    region's municipalities), wishes at registration, and some people on one day only (the
    rounds split evenly over two days)."""
    data = gathering(people, rounds=rounds, seats=seats, seed=seed, apart_pairs=2, pins=1)
    rng = random.Random(seed * 7919 + 1)
    municipalities: dict[str, list[dict]] = {}
    for p in data["people"]:
        if p["role"] == "partner":
            p["partner_kind"] = PARTNER_KINDS[p["organisation"].rsplit(" ", 1)[0]]
        elif p["organisation"].startswith("kommune"):
            municipalities.setdefault(p["organisation"], []).append(p)
    names = sorted(municipalities, key=lambda o: int(o[len("kommune"):]))
    for org in names:
        size_class = rng.choice(("small", "small", "medium", "medium", "large"))
        for p in municipalities[org]:
            p["size_class"] = size_class
    first_day = list(range(max(1, rounds // 2)))
    second_day = list(range(max(1, rounds // 2), rounds)) or first_day
    for org in names:
        for p in municipalities[org]:
            if rng.random() < one_day:
                p["rounds"] = first_day if rng.random() < 0.5 else second_day
            if rng.random() < wishes:
                p["wish"] = rng.choice(("regional", "apart_from_neighbours"))
    # Neighbours: municipalities next to each other in a region's list.
    by_region: dict[str, list[str]] = {}
    for org in names:
        by_region.setdefault(municipalities[org][0]["region"], []).append(org)
    neighbours = [[a, b] for orgs in by_region.values()
                  for a, b in zip(orgs, orgs[1:], strict=False)]
    tables = len(data["tables"])
    marked = rng.sample(neighbours, min(3, len(neighbours)))
    # One region's municipalities apart, as many as leave each a table of its own per person
    # (one per municipality at a table): at most half the tables' worth of people.
    kept, room = [], tables // 2
    for org in by_region[sorted(by_region)[0]]:
        if len(municipalities[org]) <= room:
            kept.append(org)
            room -= len(municipalities[org])
    apart = [*marked, kept]
    data["rules"].update({
        "apart_organisations": apart, "neighbours": neighbours,
        "spread_partner_kinds": ["nav", "adult_education"],
        "spread_size_classes": ["large"],
    })
    return data
