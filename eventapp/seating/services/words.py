"""Putting the solver's words into the user's: broken rules and rules no plan can meet, in
words, translated, with names."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from eventapp.partners.models import kind_label

# The rules the host asked for that the solver keeps as far as it can (never "broken" rules).
SOFT_RULES = ("spread_partner_kinds", "spread_size_classes", "wish_regional",
              "wish_apart_from_neighbours")


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
    if rule == "apart_organisations":
        people = (violation.get("people") or ["", ""])[:2]
        orgs = (violation.get("organisations") or ["", ""])[:2]
        return _("%(first)s (%(first_org)s) and %(second)s (%(second_org)s) sit at %(table)s in "
                 "round %(round)s, but their municipalities are kept apart",
                 first=name(people[0]), first_org=name(orgs[0]), second=name(people[1]),
                 second_org=name(orgs[1]), table=table, round=number)
    if rule == "spread_partner_kinds":
        return ngettext("%(kind)s is at %(num)s table in round %(round)s (%(limit)s possible)",
                        "%(kind)s is at %(num)s tables in round %(round)s (%(limit)s possible)",
                        have or 0, kind=kind_label(violation.get("kind")), limit=limit,
                        round=number)
    if rule == "spread_size_classes":
        return _("%(table)s has %(have)s people from large municipalities in round %(round)s "
                 "(at most %(most)s for an even spread)", table=table, have=have, most=limit,
                 round=number)
    if rule == "wish_regional":
        return _("%(person)s wished for a regional table but sits with nobody from their region "
                 "at %(table)s in round %(round)s", person=name(violation.get("person")),
                 table=table, round=number)
    if rule == "wish_apart_from_neighbours":
        others = ", ".join(sorted(name(p) for p in violation.get("people") or []))
        return _("%(person)s wished not to sit with their neighbour municipality but sits with "
                 "%(others)s at %(table)s in round %(round)s",
                 person=name(violation.get("person")), others=others, table=table, round=number)
    return violation.get("message") or ""


def _blocked_phrase(rule: str, settings=None) -> str:
    """What stands in the way, as it goes after «would break the rule about …»."""
    def number(attr, default):
        return getattr(settings, attr, default) if settings is not None else default

    if rule == "min_counsellors_per_table":
        return ngettext("at least %(num)s career counsellor per table",
                        "at least %(num)s career counsellors per table",
                        number("min_counsellors_per_table", 1))
    if rule == "max_county_staff_per_table":
        return ngettext("at most %(num)s county staff member per table",
                        "at most %(num)s county staff per table",
                        number("max_county_staff_per_table", 2))
    if rule == "max_per_organisation":
        return ngettext("at most %(num)s from one organisation per table",
                        "at most %(num)s from one organisation per table",
                        number("max_per_organisation", 1))
    return {
        "capacity": _("the seats at each table"),
        "apart": _("people kept apart"),
        "pinned": _("pinned seats"),
        "apart_organisations": _("municipalities kept apart"),
        "spread_partner_kinds": _("spreading NAV and adult education"),
        "spread_size_classes": _("spreading staff of large municipalities"),
        "wish_regional": _("other participants' wishes"),
        "wish_apart_from_neighbours": _("other participants' wishes"),
        "moves": _("moving as few people as possible from the plan"),
    }.get(rule, rule)


def describe_reason(violation: dict, names: dict, *, settings=None, counts=None) -> str:
    """Why a rule is broken or a wish unmet, from the solver's ``reason``: no plan can meet it
    from the counts (``too_few``), or every move that would mend it makes something weightier
    worse (``conflict``, ``blocked_by``). ``counts`` may give what the sentence needs: the
    number of tables and, per round, the people present of each partner kind."""
    reason = violation.get("reason")
    if not isinstance(reason, dict):
        return ""
    code, blocked = reason.get("code"), [b for b in reason.get("blocked_by") or [] if b]
    rule = violation.get("rule")
    counts = counts or {}
    if code == "too_few":
        tables = counts.get("tables")
        if rule == "spread_partner_kinds" and tables is not None:
            kinds = (counts.get("kinds") or {}).get(violation.get("round")) or {}
            have = kinds.get(violation.get("kind"), violation.get("limit") or 0)
            return ngettext("Only %(num)s from %(kind)s for %(tables)s tables",
                            "Only %(num)s from %(kind)s for %(tables)s tables", have,
                            kind=kind_label(violation.get("kind")), tables=tables)
        if rule == "wish_regional":
            return _("Nobody else from the region is there in this round.")
        if rule == "spread_size_classes":
            return _("More people from large municipalities than an even spread allows.")
        if blocked and blocked != [rule]:
            return _("Too few to meet it: %(rules)s cannot be met with these people and tables.",
                     rules=_and([_blocked_phrase(b, settings) for b in blocked]))
        return _("Too few: no plan can meet it with these people and tables.")
    if code == "conflict":
        hard = [b for b in blocked if b not in SOFT_RULES and b not in ("repeats", "moves")]
        other = [b for b in blocked if b not in hard]
        parts = []
        if hard:
            parts.append(_("would break the rule about %(rules)s",
                           rules=_and(_unique(_blocked_phrase(b, settings) for b in hard))))
        if "repeats" in other:
            parts.append(_("would seat people together again who already shared a table"))
        rest = _unique(_blocked_phrase(b, settings) for b in other if b != "repeats")
        if rest:
            parts.append(_("would weaken %(what)s", what=_and(rest)))
        if not parts:
            return _("Every change that would mend it makes the plan worse elsewhere.")
        return _and(parts)
    return ""


def _unique(items) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _and(items: list[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s", first=", ".join(items[:-1]), last=items[-1])


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
    reason = item.get("reason")
    if rule == "pinned" and "absent" in (reason, reason.get("code") if isinstance(reason, dict)
                                         else None):
        return _("%(person)s is pinned in round %(round)s but does not come that day; the pin "
                 "is left out.", person=name(item.get("person")), round=number)
    if rule == "pinned":
        return _("%(person)s is pinned to two tables in round %(round)s.",
                 person=name(item.get("person")), round=number)
    if rule == "apart":
        pair = item.get("people") or ["", ""]
        return _("%(first)s and %(second)s should sit apart but are pinned to the same table in "
                 "round %(round)s.", first=name(pair[0]), second=name(pair[1]), round=number)
    if rule == "apart_organisations":
        return _("The municipalities kept apart (%(names)s) need %(have)s tables of their own, "
                 "but there are %(limit)s.", have=item.get("have"), limit=item.get("limit"),
                 names=", ".join(name(o) for o in item.get("organisations") or []))
    return item.get("message") or ""


# Lazy, so a label costs one translation when shown, not one for every rule (the plan page
# shows a dozen).
RULE_LABELS = {
    "capacity": _l("Seats per table"),
    "min_counsellors_per_table": _l("Career counsellors per table"),
    "max_county_staff_per_table": _l("County staff per table"),
    "max_per_organisation": _l("People from one organisation per table"),
    "apart": _l("Kept apart"),
    "pinned": _l("Pinned seats"),
    "apart_organisations": _l("Municipalities kept apart"),
    "spread_partner_kinds": _l("NAV and adult education spread over the tables"),
    "spread_size_classes": _l("Staff of large municipalities spread over the tables"),
    "wish_regional": _l("Wish: a regional table"),
    "wish_apart_from_neighbours": _l("Wish: not with the neighbour municipality"),
}


def rule_label(rule: str) -> str:
    label = RULE_LABELS.get(rule)
    return rule if label is None else str(label)
