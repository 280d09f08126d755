"""Putting the solver's words into the user's: broken rules and rules no plan can meet, in
words, translated, with names."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext


def _round_no(violation: dict) -> int | None:
    rnd = violation.get("round")
    return rnd + 1 if isinstance(rnd, int) else None


def describe(violation: dict, names: dict) -> str:
    """A broken rule from the solver (``violations``) in words, with names. ``names`` maps the
    solver's ids (people ``r…``, tables ``t…``, organisation keys) to what the reader knows."""
    def name(key):
        return names.get(str(key), str(key)) if key is not None else ""

    rule = violation.get("rule")
    table = name(violation.get("table"))
    number = _round_no(violation)
    have, limit = violation.get("have"), violation.get("limit")
    if rule == "capacity":
        return _("%(table)s has %(people)s people at %(seats)s seats in round %(round)s",
                 table=table, people=have, seats=limit, round=number)
    if rule == "min_counsellors_per_table":
        if not have:
            return _("%(table)s has no career counsellor in round %(round)s", table=table,
                     round=number)
        return ngettext("%(table)s has %(num)s career counsellor in round %(round)s, "
                        "%(need)s needed",
                        "%(table)s has %(num)s career counsellors in round %(round)s, "
                        "%(need)s needed", have, table=table, need=limit, round=number)
    if rule == "max_county_staff_per_table":
        return _("%(table)s has %(have)s county staff in round %(round)s (at most %(most)s)",
                 table=table, have=have, most=limit, round=number)
    if rule == "max_per_organisation":
        return _("%(table)s has %(have)s people from %(organisation)s in round %(round)s "
                 "(at most %(most)s)", table=table, have=have,
                 organisation=name(violation.get("organisation")), most=limit, round=number)
    if rule == "apart":
        first, second = sorted(name(p) for p in (violation.get("people") or ["", ""])[:2])
        return _("%(first)s and %(second)s should not sit together (%(table)s, round "
                 "%(round)s)", first=first, second=second, table=table, round=number)
    if rule == "pinned":
        return _("%(person)s is pinned to %(pinned)s in round %(round)s but sits at %(table)s",
                 person=name(violation.get("person")),
                 pinned=name(violation.get("pinned_table")), round=number, table=table)
    return violation.get("message") or ""


def describe_infeasible(item: dict, names: dict) -> str:
    """A rule no plan can meet (the solver's ``infeasible``), in words."""
    def name(key):
        return names.get(str(key), str(key)) if key is not None else ""

    rule = item.get("rule")
    number = _round_no(item)
    if rule == "capacity" and "people" in item:
        return _("%(people)s people but only %(seats)s seats at the tables.",
                 people=item["people"], seats=item["seats"])
    if rule == "capacity":
        return _("More people are pinned to %(table)s in round %(round)s than it has seats.",
                 table=name(item.get("table")), round=number)
    if rule == "min_counsellors_per_table" and "tables" in item:
        return _("These tables have fewer seats than the career counsellors each should have: "
                 "%(tables)s.", tables=", ".join(name(t) for t in item["tables"]))
    if rule == "min_counsellors_per_table":
        return _("Every table should have a career counsellor, but %(have)s career counsellors "
                 "cannot cover the tables (%(need)s needed).", have=item.get("have"),
                 need=item.get("need"))
    if rule == "max_county_staff_per_table" and "room" in item:
        return _("%(have)s county staff (counsellors included) do not fit at the tables with the "
                 "limit per table (room for %(room)s).", have=item.get("have"),
                 room=item.get("room"))
    if rule == "max_county_staff_per_table" and "table" in item:
        return _("More county staff are pinned to %(table)s in round %(round)s than the limit "
                 "per table.", table=name(item.get("table")), round=number)
    if rule == "max_county_staff_per_table":
        return _("The career counsellors each table needs are more than the county staff a "
                 "table may have (counsellors are county staff).")
    if rule == "max_per_organisation":
        return _("%(organisation)s has %(have)s people, but the tables have room for only "
                 "%(room)s from one organisation.", organisation=name(item.get("organisation")),
                 have=item.get("have"), room=item.get("room"))
    if rule == "pinned":
        return _("%(person)s is pinned to two tables in round %(round)s.",
                 person=name(item.get("person")), round=number)
    if rule == "apart":
        pair = item.get("people") or ["", ""]
        return _("%(first)s and %(second)s should sit apart but are pinned to the same table in "
                 "round %(round)s.", first=name(pair[0]), second=name(pair[1]), round=number)
    return item.get("message") or ""


def rule_label(rule: str) -> str:
    return {
        "capacity": _("Seats per table"),
        "min_counsellors_per_table": _("Career counsellors per table"),
        "max_county_staff_per_table": _("County staff per table"),
        "max_per_organisation": _("People from one organisation per table"),
        "apart": _("Kept apart"),
        "pinned": _("Pinned seats"),
    }.get(rule, rule)
