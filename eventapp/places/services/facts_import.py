"""Importing a year's settlement figures per municipality from a CSV or XLSX file.

``read_facts`` reads the file and refuses it as a whole, line by line, when anything is wrong
(nothing is saved from a bad file); ``plan_facts`` says what importing it would change for the
year; ``apply_facts`` saves it. A year's import replaces that year's figures: a municipality
with figures for the year that the new file leaves out loses them (the preview lists it).

Between the preview and the confirmation the rows travel in a hidden form field signed with
SECRET_KEY (``sign_facts`` / ``load_facts``), bound to the user and valid for two hours; they
are planned again against the database on confirmation.

The file: a header line, then one line per municipality. Columns (any order, Norwegian or
English names, other columns such as the name are ignored):

- ``kommunenummer`` / ``municipality_number``: 4 digits, or 6 for one of Oslo's districts
  (a leading zero dropped by a spreadsheet is put back);
- ``anmodet`` / ``requested``, ``vedtatt`` / ``decided``, ``bosatt`` / ``settled``: whole
  numbers, 0 or more; empty when not published;
- ``bosetter`` / ``settles`` (optional): ja/nei, yes/no, 1/0; without it a municipality settles
  when decided or settled is above 0.

At least one of the four figure columns must be present.
"""

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, select

from eventapp.core import policy, tabular
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.places.models import Municipality, MunicipalityYear
from eventapp.places.services.facts import (
    basis,
    classify,
    settles_from,
    size_class_label,
    thresholds,
)

FACTS_MAX_ROWS = 1000  # Norway has some 360 municipalities and 15 city districts
FACTS_MAX_BYTES = 2_000_000
FACTS_MAX_FIGURE = 100_000  # more than any municipality settles in a year: a typo
FACTS_MAX_AGE = 2 * 3600
XLSX_MAX_UNPACKED = 20_000_000
YEAR_RANGE = (2000, 2100)
FIGURES = ("requested", "decided", "settled")
_SALT = "municipality-facts-import"

_COLUMNS = {
    "number": ("municipality number", "kommunenummer", "kommunenr", "kommune nr", "knr",
               "number", "nummer", "bydelsnummer"),
    "requested": ("requested", "anmodet", "anmodning", "anmodninger", "anmodede"),
    "decided": ("decided", "vedtatt", "vedtak", "vedtatte"),
    "settled": ("settled", "bosatt", "bosatte", "bosetting"),
    "settles": ("settles", "bosetter", "bosetter flyktninger"),
}
_YES = {"ja", "j", "yes", "y", "1", "true", "sann"}
_NO = {"nei", "n", "no", "0", "false", "usann"}


@dataclass
class FactRow:
    """One line of a file, read and checked."""

    line: int
    number: str
    requested: int | None = None
    decided: int | None = None
    settled: int | None = None
    settles: bool | None = None  # None: from the figures

    def as_list(self) -> list:
        return [self.line, self.number, self.requested, self.decided, self.settled, self.settles]


@dataclass
class FactChange:
    number: str
    name: str
    what: str  # "added", "changed", "unchanged", "removed"
    row: FactRow | None = None
    settles: bool = False
    size_class: str | None = None
    before: MunicipalityYear | None = None
    changes: list = field(default_factory=list)  # [(label, old, new)]


@dataclass
class FactsPlan:
    year: int
    rows: list
    changes: list = field(default_factory=list)
    thresholds: tuple = (0, 0)
    filename: str = ""

    def count(self, what: str) -> int:
        return sum(1 for c in self.changes if c.what == what)

    @property
    def counts(self) -> dict:
        return {w: self.count(w) for w in ("added", "changed", "unchanged", "removed")}


def check_year(value) -> int:
    """The year as an int, or ValidationFailed on ``year``."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = None
    if year is None or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise ValidationFailed(_("Give the year as four digits, between %(a)d and %(b)d.",
                                 a=YEAR_RANGE[0], b=YEAR_RANGE[1]), field="year")
    return year


# --- reading the file -------------------------------------------------------------------------

_LIMITS = tabular.Limits(
    max_bytes=FACTS_MAX_BYTES, max_rows=FACTS_MAX_ROWS, max_columns=30,
    max_lines=4 * FACTS_MAX_ROWS, max_unpacked=XLSX_MAX_UNPACKED,
    unpacks_too_much=lambda n: _("The workbook unpacks to more than %(n)d MB. Save the figures "
                                 "alone in a new workbook, or as CSV.", n=n),
    goes_on_too_far=lambda n: _("The sheet goes on below row %(n)d. Delete the empty rows "
                                "below the figures, or save the sheet as CSV.", n=n))


def _figure(value) -> int | None:
    """A whole number of 0 or more, None when empty; ValueError with the message otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not a whole number", value=value))
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(_("“%(value)s” is not a whole number", value=value))
        number = int(value)
    else:
        # Thousands may be grouped with spaces, as Norwegian tables print them ("1 204").
        text = re.sub(r"[\s\u00a0\u202f]", "", str(value))
        if not re.fullmatch(r"-?\d{1,9}", text):
            raise ValueError(_("“%(value)s” is not a whole number", value=tabular.cell(value)[:40]))
        number = int(text)
    if number < 0:
        raise ValueError(_("%(n)d is negative", n=number))
    if number > FACTS_MAX_FIGURE:
        raise ValueError(_("%(n)d is more than %(max)d", n=number, max=FACTS_MAX_FIGURE))
    return number


def read_facts(filename: str, data: bytes) -> list[FactRow]:
    """The file's lines, checked; ValidationFailed naming every bad line when any is bad."""
    table = tabular.find_columns(tabular.read_lines(filename, data or b"", _LIMITS), _COLUMNS)
    columns = table.columns
    if "number" not in columns or not any(c in columns for c in (*FIGURES, "settles")):
        raise tabular.file_problem(_(
            "The first line must name the columns: kommunenummer, and at least one of anmodet, "
            "vedtatt, bosatt and bosetter (or in English: municipality_number, requested, "
            "decided, settled, settles)."))
    if not table.rows:
        raise tabular.file_problem(_("The file has column names but no municipalities."))
    if len(table.rows) > FACTS_MAX_ROWS:
        raise tabular.file_problem(_("The file has more than %(n)d lines: a year has one line "
                                     "per municipality.", n=FACTS_MAX_ROWS))
    value = table.value

    def number_of(cells) -> str:
        return tabular.code_digits(value(cells, "number"), (4, 6))  # 6: an Oslo district

    numbers = {number_of(cells) for _line, cells in table.rows}
    known = {m.number: m for m in db.session.scalars(
        select(Municipality).where(Municipality.number.in_(numbers)))} if numbers else {}
    labels = {"requested": _("requested"), "decided": _("decided"), "settled": _("settled")}
    errors: dict[str, str] = {}
    rows: list[FactRow] = []
    seen: dict[str, int] = {}
    for line, raw in table.rows:
        number = number_of(raw)
        problems: list[str] = []
        if not re.fullmatch(r"\d{4}|\d{6}", number):
            problems.append(_("the municipality number must be 4 digits (6 for a city district "
                              "of Oslo)") if number else _("the municipality number is missing"))
        elif number not in known:
            problems.append(_("there is no municipality or city district with number "
                              "%(number)s", number=number))
        elif number in seen:
            problems.append(_("municipality %(number)s is on line %(line)d too",
                              number=number, line=seen[number]))
        row = FactRow(line=line, number=number)
        for column in FIGURES:
            try:
                setattr(row, column, _figure(value(raw, column)))
            except ValueError as exc:
                problems.append(f"{labels[column]}: {exc}")
        if "settles" in columns:
            said = tabular.key(tabular.cell(value(raw, "settles")))
            if said in _YES:
                row.settles = True
            elif said in _NO:
                row.settles = False
            elif said:
                problems.append(_("settles must be ja or nei, not “%(value)s”", value=said[:40]))
        if problems:
            errors[f"line {line}"] = _("Line %(line)d: %(problem)s", line=line,
                                       problem="; ".join(problems))
        elif number:
            seen[number] = line
        rows.append(row)
    if errors:
        raise ValidationFailed(ngettext("%(num)d line has errors; nothing was imported.",
                                        "%(num)d lines have errors; nothing was imported.",
                                        len(errors)), fields=errors)
    return rows


# --- planning and applying --------------------------------------------------------------------

def _derive(row: FactRow, medium_from: int, large_from: int) -> tuple[bool, str | None]:
    settles = row.settles if row.settles is not None else settles_from(row.decided, row.settled)
    return settles, classify(basis(row.requested, row.decided, row.settled),
                             medium_from, large_from)


def plan_facts(actor, year: int, rows: list[FactRow], filename: str = "") -> FactsPlan:
    """What importing ``rows`` as ``year``'s figures would change, without changing anything."""
    policy.authorize(actor, "facts.manage")
    medium_from, large_from = thresholds(year)
    plan = FactsPlan(year=year, rows=rows, thresholds=(medium_from, large_from),
                     filename=filename)
    units = {m.number: m for m in db.session.scalars(
        select(Municipality).where(Municipality.number.in_({r.number for r in rows})))}
    existing = {f.municipality.number: f for f in db.session.scalars(
        select(MunicipalityYear).where(MunicipalityYear.year == year))}
    labels = {"requested": _("Requested"), "decided": _("Decided"), "settled": _("Settled"),
              "settles": _("Settles"), "size_class": _("Size class")}
    for row in sorted(rows, key=lambda r: r.number):
        unit = units.get(row.number)
        if unit is None:  # removed since the preview: the file is read again on confirmation
            raise ValidationFailed(_("Line %(line)d: there is no municipality or city district "
                                     "with number %(number)s", line=row.line, number=row.number),
                                   field="file")
        settles, size_class = _derive(row, medium_from, large_from)
        change = FactChange(unit.number, unit.name, "added", row, settles, size_class)
        before = existing.get(unit.number)
        if before is not None:
            change.before = before
            new = {"requested": row.requested, "decided": row.decided, "settled": row.settled,
                   "settles": settles, "size_class": size_class}
            change.changes = [(labels[k], _shown(k, getattr(before, k)), _shown(k, v))
                              for k, v in new.items() if getattr(before, k) != v]
            change.what = "changed" if change.changes else "unchanged"
        plan.changes.append(change)
    in_file = {r.number for r in rows}
    for number, before in sorted(existing.items()):
        if number not in in_file:
            plan.changes.append(FactChange(number, before.municipality.name, "removed",
                                           before=before, settles=before.settles,
                                           size_class=before.size_class))
    return plan


def _shown(column: str, value):
    if column == "settles":
        return _("Yes") if value else _("No")
    if column == "size_class":
        return size_class_label(value)
    return value


def apply_facts(actor, plan: FactsPlan) -> dict:
    """Save the plan's figures for its year, in the caller's transaction; the year's rows the
    file left out are deleted. Returns the counts by what happened."""
    policy.authorize(actor, "facts.manage")
    units = {m.number: m.id for m in db.session.scalars(
        select(Municipality).where(Municipality.number.in_({c.number for c in plan.changes})))}
    existing = {f.municipality_id: f for f in db.session.scalars(
        select(MunicipalityYear).where(MunicipalityYear.year == plan.year))}
    removed = [units[c.number] for c in plan.changes if c.what == "removed"]
    if removed:
        db.session.execute(delete(MunicipalityYear).where(
            MunicipalityYear.year == plan.year, MunicipalityYear.municipality_id.in_(removed))
            .execution_options(synchronize_session="fetch"))
    now = utcnow()
    for change in plan.changes:
        if change.what in ("removed", "unchanged"):
            continue
        municipality_id = units[change.number]
        fact = existing.get(municipality_id)
        if fact is None:
            fact = MunicipalityYear(municipality_id=municipality_id, year=plan.year)
            db.session.add(fact)
        fact.requested, fact.decided = change.row.requested, change.row.decided
        fact.settled, fact.settles = change.row.settled, change.settles
        fact.size_class, fact.imported_at = change.size_class, now
    db.session.flush()
    return plan.counts


# --- the signed preview -----------------------------------------------------------------------

def _serializer():
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def sign_facts(actor, plan: FactsPlan) -> str:
    return _serializer().dumps({"u": actor.id, "y": plan.year, "f": plan.filename[:200],
                                "r": [r.as_list() for r in plan.rows]})


def load_facts(actor, token: str) -> FactsPlan:
    """The plan behind a signed confirmation, planned again against the database now. A
    changed, foreign or expired token is refused and nothing is saved."""
    from itsdangerous import BadSignature, SignatureExpired

    policy.authorize(actor, "facts.manage")
    refused = _("The import could not be confirmed: the preview was changed or is not yours. "
                "Upload the file again.")
    try:
        payload = _serializer().loads(token or "", max_age=FACTS_MAX_AGE)
    except SignatureExpired as exc:
        raise ValidationFailed(_("The preview is too old. Upload the file again.")) from exc
    except BadSignature as exc:
        raise ValidationFailed(refused) from exc
    if (not isinstance(payload, dict) or payload.get("u") != actor.id
            or not isinstance(payload.get("r"), list)):
        raise ValidationFailed(refused)
    rows = [FactRow(int(r[0]), str(r[1]), r[2], r[3], r[4], r[5]) for r in payload["r"]]
    return plan_facts(actor, check_year(payload.get("y")), rows, str(payload.get("f", "")))


def import_facts(actor, year: int, filename: str, data: bytes) -> dict:
    """Read, plan and apply in one go (the API and the command line)."""
    return apply_facts(actor, plan_facts(actor, year, read_facts(filename, data), filename))
