"""Loading and importing the lists of counties, municipalities and Oslo's districts.

An import compares a list with the database and upserts by number. A number missing from a
new list is retired (marked inactive), never deleted: gatherings, users and registrations keep
pointing at it, and a reissued number comes back active.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from importlib import resources

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.places.models import County, Municipality

KINDS = {
    "counties": ("number", "name"),
    "municipalities": ("number", "name", "county_number", "county_name"),
    "districts": ("number", "name", "municipality_number"),
}


@dataclass
class Change:
    number: str
    name: str
    what: str  # "added", "changed", "retired", "reactivated"
    detail: str = ""


@dataclass
class ImportPlan:
    kind: str
    rows: list[dict]
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    def count(self, what: str) -> int:
        return sum(1 for c in self.changes if c.what == what)


def read_csv(text: str) -> tuple[str, list[dict]]:
    """Parse a places CSV and tell which list it is from its header; refuse malformed rows."""
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise ValidationFailed(_("The file contains a NUL character (\\0): it is not a CSV text "
                                 "file."), field="file")
    _check_records(text)
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(h.strip() for h in (reader.fieldnames or ()))
    kind = next((k for k, cols in KINDS.items() if header == cols), None)
    if kind is None:
        expected = "; ".join(",".join(cols) for cols in KINDS.values())
        raise ValidationFailed(
            _("The file's first line must be one of: %(expected)s.", expected=expected),
            field="file",
        )
    rows, errors = [], {}
    seen: set[str] = set()
    digits = {"counties": 2, "municipalities": 4, "districts": 6}[kind]
    for line, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        number, name = row.get("number", ""), row.get("name", "")
        problem = None
        if not re.fullmatch(rf"\d{{{digits}}}", number):
            problem = _("number must be %(n)d digits", n=digits)
        elif not name:
            problem = _("name is empty")
        elif number in seen:
            problem = _("number %(number)s appears twice", number=number)
        elif kind == "municipalities" and not number.startswith(row.get("county_number", "")):
            problem = _("municipality number does not start with its county number")
        elif kind == "municipalities" and not re.fullmatch(r"\d{2}", row["county_number"]):
            problem = _("county number must be 2 digits")
        elif kind == "districts" and not number.startswith(row.get("municipality_number", "x")):
            problem = _("district number does not start with its municipality number")
        if problem:
            errors[f"line {line}"] = _("Line %(line)d: %(problem)s", line=line, problem=problem)
        seen.add(number)
        rows.append(row)
    if errors:
        raise ValidationFailed(_("The file has errors; nothing was imported."), fields=errors)
    if not rows:
        raise ValidationFailed(_("The file has no rows."), field="file")
    return kind, rows


def _check_records(text: str) -> None:
    """Refuse, naming its line, a record the csv module cannot read: a field over its limit
    (128 KB), or a quote never closed, which makes the rest of the file one field."""
    reader = csv.reader(io.StringIO(text))
    starts = 1  # the line the next record starts on
    try:
        for _row in reader:
            starts = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationFailed(_(
            "Line %(line)d has a field longer than %(n)d characters, or a quote (\") that is "
            "never closed. Check the file and save it as CSV again.",
            line=starts, n=csv.field_size_limit()), field="file") from exc


def plan_import(kind: str, rows: list[dict]) -> ImportPlan:
    """What importing ``rows`` would change, without changing anything."""
    plan = ImportPlan(kind=kind, rows=rows)
    if kind == "counties":
        existing = {c.number: c for c in db.session.scalars(select(County))}
        wanted = {r["number"]: {"name": r["name"]} for r in rows}
    elif kind == "municipalities":
        existing = {
            m.number: m
            for m in db.session.scalars(select(Municipality).where(Municipality.kind == "municipality"))
        }
        wanted = {r["number"]: {"name": r["name"]} for r in rows}
    else:
        existing = {
            m.number: m
            for m in db.session.scalars(select(Municipality).where(Municipality.kind == "district"))
        }
        known_parents = set(
            db.session.scalars(select(Municipality.number).where(Municipality.kind == "municipality"))
        )
        missing = sorted({r["municipality_number"] for r in rows} - known_parents)
        if missing:
            raise ValidationFailed(
                _("Unknown municipality numbers: %(numbers)s. Import municipalities first.",
                  numbers=", ".join(missing)),
                field="file",
            )
        wanted = {r["number"]: {"name": r["name"]} for r in rows}
    for number, values in sorted(wanted.items()):
        current = existing.get(number)
        if current is None:
            plan.changes.append(Change(number, values["name"], "added"))
        elif not current.active:
            plan.changes.append(Change(number, values["name"], "reactivated"))
        elif current.name != values["name"]:
            plan.changes.append(Change(number, values["name"], "changed", current.name))
        else:
            plan.unchanged += 1
    for number, current in sorted(existing.items()):
        if number not in wanted and current.active:
            plan.changes.append(Change(number, current.name, "retired"))
    return plan


def apply_import(plan: ImportPlan) -> ImportPlan:
    """Carry out a plan made by ``plan_import`` in the caller's transaction."""
    if plan.kind == "counties":
        _upsert_counties({r["number"]: r["name"] for r in plan.rows}, retire=True)
    elif plan.kind == "municipalities":
        counties = {r["county_number"]: r["county_name"] for r in plan.rows if r.get("county_name")}
        county_ids = _upsert_counties(counties, retire=False)
        _upsert_units("municipality", plan.rows, lambda r: (county_ids[r["county_number"]], None))
    else:
        parents = {
            m.number: m
            for m in db.session.scalars(select(Municipality).where(Municipality.kind == "municipality"))
        }
        _upsert_units(
            "district",
            plan.rows,
            lambda r: (
                parents[r["municipality_number"]].county_id,
                parents[r["municipality_number"]].id,
            ),
        )
    db.session.flush()
    return plan


def _upsert_counties(names: dict[str, str], retire: bool) -> dict[str, int]:
    existing = {c.number: c for c in db.session.scalars(select(County))}
    for number, name in names.items():
        county = existing.get(number)
        if county is None:
            county = County(number=number, name=name)
            db.session.add(county)
            existing[number] = county
        else:
            county.name = name
            county.active = True
    if retire:
        for number, county in existing.items():
            if number not in names:
                county.active = False
    db.session.flush()
    return {number: c.id for number, c in existing.items()}


def _upsert_units(kind: str, rows: list[dict], owners) -> None:
    existing = {
        m.number: m for m in db.session.scalars(select(Municipality).where(Municipality.kind == kind))
    }
    numbers = set()
    for row in rows:
        county_id, parent_id = owners(row)
        unit = existing.get(row["number"])
        if unit is None:
            unit = Municipality(number=row["number"], kind=kind)
            db.session.add(unit)
        unit.name = row["name"]
        unit.county_id = county_id
        unit.parent_id = parent_id
        unit.active = True
        numbers.add(row["number"])
    for number, unit in existing.items():
        if number not in numbers:
            unit.active = False


def import_csv(text: str) -> ImportPlan:
    kind, rows = read_csv(text)
    return apply_import(plan_import(kind, rows))


def shipped_csv(name: str) -> str:
    return resources.files("eventapp.places").joinpath("data", name).read_text("utf-8")


def load_shipped() -> list[ImportPlan]:
    """The lists shipped with the package: counties, then municipalities, then districts."""
    return [
        import_csv(shipped_csv(name))
        for name in ("counties.csv", "municipalities.csv", "oslo_districts.csv")
    ]


# Municipality facts per year (settlement figures, size classes): see facts.py. Other features
# read ``size_classes`` and ``settling`` from here.
from eventapp.places.services.facts import settling, size_classes  # noqa: E402,F401
