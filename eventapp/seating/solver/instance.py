"""The instance: its JSON shape read and every reference checked."""

from __future__ import annotations

from dataclasses import dataclass, field

COUNTY_ROLES = ("career_counsellor", "county_staff")
RULES = ("capacity", "min_counsellors_per_table", "max_county_staff_per_table",
         "max_per_organisation", "apart", "pinned", "apart_organisations")
SOFT_RULES = ("spread_partner_kinds", "spread_size_classes", "wish_regional",
              "wish_apart_from_neighbours")
MODES = ("mixed", "regional")
PARTNER_KINDS = ("nav", "adult_education", "imdi", "statsforvalteren", "interpreter_service",
                 "voluntary", "other")
SIZE_CLASSES = ("small", "medium", "large")
WISHES = ("regional", "apart_from_neighbours")


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

    # Derived, by ``parse``.
    ids: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    table_ids: list[str] = field(default_factory=list)
    seats: list[int] = field(default_factory=list)
    # present[r][p]: whether person p is there in round r (their ``rounds``, all by default).
    present: list[list[bool]] = field(default_factory=list)

    def present_count(self, r: int) -> int:
        return sum(self.present[r])


def _whole(value, name: str) -> int:
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InstanceError(f"{name} must be a whole number of at least 0")
    return value


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
    iterations = data.get("iterations")
    if iterations is not None and (not isinstance(iterations, int) or isinstance(iterations, bool)
                                   or iterations < 0):
        raise InstanceError("iterations must be a whole number of at least 0")
    try:
        time_limit = float(data.get("time_limit_s") or 10.0)
    except (TypeError, ValueError) as exc:
        raise InstanceError("time_limit_s must be a number of seconds") from exc
    inst = Instance(people=people, tables=tables, rounds=rounds, rules=rules,
                    seed=int(data.get("seed") or 0), time_limit_s=time_limit,
                    iterations=iterations, previous=data.get("previous"))
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
    R = len(rounds)
    inst.present = [[True] * len(people) for _ in range(R)]
    for i, p in enumerate(people):
        attends = p.get("rounds")
        if attends is not None:
            if not isinstance(attends, list) or any(
                    not isinstance(x, int) or isinstance(x, bool) or not 0 <= x < R
                    for x in attends):
                raise InstanceError(f"{p['id']}: rounds must list round numbers from 0 to "
                                    f"{R - 1}")
            for r in range(R):
                inst.present[r][i] = r in attends
        if p.get("partner_kind") not in (None, *PARTNER_KINDS):
            raise InstanceError(f"{p['id']}: unknown partner_kind {p.get('partner_kind')!r}")
        if p.get("size_class") not in (None, *SIZE_CLASSES):
            raise InstanceError(f"{p['id']}: unknown size_class {p.get('size_class')!r}")
        if p.get("wish") not in (None, *WISHES):
            raise InstanceError(f"{p['id']}: unknown wish {p.get('wish')!r}")
    for name in ("min_counsellors_per_table", "max_county_staff_per_table",
                 "max_per_organisation"):
        _whole(rules.get(name), name)
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
    groups = rules.get("apart_organisations") or []
    if not isinstance(groups, list) or not all(
            isinstance(g, list | tuple) and all(isinstance(o, str | int) for o in g)
            for g in groups):
        raise InstanceError("apart_organisations must be a list of lists of organisation keys")
    pairs = rules.get("neighbours") or []
    if not isinstance(pairs, list) or not all(
            isinstance(g, list | tuple) and len(g) == 2 and all(isinstance(o, str | int)
                                                                for o in g) for g in pairs):
        raise InstanceError("neighbours must be a list of pairs of organisation keys")
    for name, allowed in (("spread_partner_kinds", PARTNER_KINDS),
                          ("spread_size_classes", SIZE_CLASSES)):
        values = rules.get(name) or []
        if not isinstance(values, list) or any(v not in allowed for v in values):
            raise InstanceError(f"{name} must be a list of {', '.join(allowed)}")
    return inst
