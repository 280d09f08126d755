"""Municipality facts per year: settlement figures, whether a municipality settles refugees,
and its size class by the directorate's thresholds for the year.

A district of Oslo has no figures of its own in IMDi's tables (Oslo settles as one
municipality), so it takes Oslo's, unless a file gave it figures of its own.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.places.models import (
    DEFAULT_THRESHOLDS,
    SIZE_CLASSES,
    Municipality,
    MunicipalityYear,
    SizeThresholds,
)


def thresholds(year: int) -> tuple[int, int]:
    """(medium_from, large_from) for ``year``: the directorate's, else the defaults."""
    row = db.session.get(SizeThresholds, year)
    return (row.medium_from, row.large_from) if row is not None else DEFAULT_THRESHOLDS


def basis(requested: int | None, decided: int | None, settled: int | None) -> int | None:
    """The figure a size class is read from: settled, else decided when settled is not
    published (a year still running), else none (no class)."""
    del requested  # asked of a municipality, not what it does: never the basis
    if settled is not None:
        return settled
    return decided


def classify(figure: int | None, medium_from: int, large_from: int) -> str | None:
    if figure is None:
        return None
    if figure >= large_from:
        return "large"
    if figure >= medium_from:
        return "medium"
    return "small"


def settles_from(decided: int | None, settled: int | None) -> bool:
    return (settled or 0) > 0 or (decided or 0) > 0


def has_facts(year: int) -> bool:
    return db.session.scalar(
        select(MunicipalityYear.id).where(MunicipalityYear.year == year).limit(1)) is not None


def _by_unit(year: int, *columns) -> dict[int, tuple]:
    """municipality id -> the values of ``columns`` for ``year``, every district given Oslo's
    values where it has none of its own."""
    own = {row[0]: tuple(row[1:]) for row in db.session.execute(
        select(MunicipalityYear.municipality_id, *columns).where(MunicipalityYear.year == year))}
    if not own:
        return {}
    districts = db.session.execute(
        select(Municipality.id, Municipality.parent_id).where(Municipality.kind == "district")
    ).all()
    for district_id, parent_id in districts:
        if district_id not in own and parent_id in own:
            own[district_id] = own[parent_id]
    return own


def unit_facts(year: int) -> dict[int, tuple[bool, str | None]]:
    """municipality id -> (settles, size class) in ``year``, districts given Oslo's where they
    have none of their own; empty when the year has no figures. Two statements at most."""
    return _by_unit(year, MunicipalityYear.settles, MunicipalityYear.size_class)


def size_classes(year: int) -> dict[int, str]:
    """municipality id -> size class ("small", "medium", "large") in ``year``; a municipality
    without figures for the year (or without a class) is left out."""
    return {mid: cls for mid, (cls,) in _by_unit(year, MunicipalityYear.size_class).items()
            if cls in SIZE_CLASSES}


def settling(year: int) -> set[int]:
    """The ids of the municipalities (and Oslo's districts) that settle refugees in ``year``."""
    return {mid for mid, (settles,) in _by_unit(year, MunicipalityYear.settles).items()
            if settles}


def size_class_of(municipality_id: int | None, year: int) -> str | None:
    """One municipality's class in ``year`` (a district: its own, else Oslo's); None without."""
    if municipality_id is None:
        return None
    unit = db.session.get(Municipality, municipality_id)
    if unit is None:
        return None
    for candidate in (unit.id, unit.parent_id):
        if candidate is None:
            continue
        row = db.session.scalars(select(MunicipalityYear).where(
            MunicipalityYear.municipality_id == candidate, MunicipalityYear.year == year)).first()
        if row is not None:
            return row.size_class
    return None


def set_thresholds(actor, year: int, medium_from, large_from) -> int:
    """The directorate sets ``year``'s thresholds; every class of the year is computed again.
    Returns how many municipalities changed class."""
    policy.authorize(actor, "facts.manage")
    problems = {}
    for name, value in (("medium_from", medium_from), ("large_from", large_from)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100_000:
            problems[name] = _("Give a whole number from 1 to 100000.")
    if not problems and large_from <= medium_from:
        problems["large_from"] = _("Large must start above medium (%(n)d).", n=medium_from)
    if problems:
        raise ValidationFailed(_("The thresholds were not saved."), fields=problems)
    row = db.session.get(SizeThresholds, year)
    if row is None:
        row = SizeThresholds(year=year, medium_from=medium_from, large_from=large_from)
        db.session.add(row)
    row.medium_from, row.large_from = medium_from, large_from
    row.changed_at, row.changed_by_id = utcnow(), actor.id
    db.session.flush()
    return recompute_classes(year)


def recompute_classes(year: int) -> int:
    """Every class of ``year`` again by its thresholds; how many changed."""
    medium_from, large_from = thresholds(year)
    changed = 0
    for fact in db.session.scalars(select(MunicipalityYear).where(MunicipalityYear.year == year)):
        new = classify(basis(fact.requested, fact.decided, fact.settled), medium_from, large_from)
        if new != fact.size_class:
            fact.size_class = new
            changed += 1
    db.session.flush()
    return changed


def facts_years() -> list[int]:
    """The years with figures, newest first."""
    return list(db.session.scalars(select(MunicipalityYear.year).distinct()
                                   .order_by(MunicipalityYear.year.desc())))


def year_facts(year: int) -> list[MunicipalityYear]:
    """The year's figures, by municipality number."""
    return list(db.session.scalars(
        select(MunicipalityYear).join(Municipality)
        .where(MunicipalityYear.year == year).order_by(Municipality.number)))


def year_summary(year: int) -> dict:
    """Counts for the year's page: municipalities with figures, settling, per class."""
    facts = year_facts(year)
    by_class = dict.fromkeys(SIZE_CLASSES, 0)
    for fact in facts:
        if fact.size_class in by_class:
            by_class[fact.size_class] += 1
    return {"total": len(facts), "settling": sum(1 for f in facts if f.settles),
            "by_class": by_class}


def size_class_label(size_class: str | None) -> str:
    return {"small": _("Small"), "medium": _("Medium"), "large": _("Large")}.get(
        size_class or "", "–")
