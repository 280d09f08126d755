"""Counties and municipalities are public reference data: every authenticated caller reads them."""

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.api import bp
from eventapp.api.spec import operation, query_param
from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.places.models import County, Municipality, SizeThresholds
from eventapp.places.services import facts

COUNTY = {
    "type": "object",
    "required": ["number", "name"],
    "properties": {"number": {"type": "string"}, "name": {"type": "string"}},
}
MUNICIPALITY = {
    "type": "object",
    "required": ["number", "name", "county_number", "kind", "active"],
    "properties": {
        "number": {"type": "string"},
        "name": {"type": "string"},
        "county_number": {"type": "string"},
        "kind": {"enum": ["municipality", "district"]},
        "parent_number": {"type": "string"},
        "active": {"type": "boolean"},
    },
}
INCLUDE_INACTIVE = query_param(
    "include_inactive", {"type": "boolean"}, "Also list retired numbers (default false)."
)


def _include_inactive() -> bool:
    return request.args.get("include_inactive", "false").lower() in {"1", "true", "yes"}


@operation(bp, "listCounties", "GET", "/counties", summary="Norway's counties.",
           response={"type": "array", "items": COUNTY}, parameters=[INCLUDE_INACTIVE],
           action="places.view")
def list_counties():
    stmt = select(County).order_by(County.number)
    if not _include_inactive():
        stmt = stmt.where(County.active.is_(True))
    return jsonify([{"number": c.number, "name": c.name} for c in db.session.scalars(stmt)])


@operation(
    bp, "listMunicipalities", "GET", "/municipalities",
    summary="Municipalities, and Oslo's city districts with kind 'district'.",
    response={"type": "array", "items": MUNICIPALITY},
    parameters=[query_param("county", {"type": "string", "pattern": "^[0-9]{2}$"},
                            "Only this county (two digits)."), INCLUDE_INACTIVE],
    action="places.view",
)
def list_municipalities():
    stmt = select(Municipality).join(County).order_by(Municipality.number)
    county = request.args.get("county")
    if county is not None:
        if not (len(county) == 2 and county.isdigit()):
            raise ValidationFailed(_("county must be a two-digit county number."), field="county")
        stmt = stmt.where(County.number == county)
    if not _include_inactive():
        stmt = stmt.where(Municipality.active.is_(True))
    rows = []
    for m in db.session.scalars(stmt):
        row = {"number": m.number, "name": m.name, "county_number": m.county.number,
               "kind": m.kind, "active": m.active}
        if m.parent is not None:
            row["parent_number"] = m.parent.number
        rows.append(row)
    return jsonify(rows)


FACT = {
    "type": "object",
    "required": ["number", "name", "county_number", "kind", "requested", "decided", "settled",
                 "settles", "size_class"],
    "properties": {
        "number": {"type": "string"},
        "name": {"type": "string"},
        "county_number": {"type": "string"},
        "kind": {"enum": ["municipality", "district"]},
        "requested": {"type": ["integer", "null"]},
        "decided": {"type": ["integer", "null"]},
        "settled": {"type": ["integer", "null"]},
        "settles": {"type": "boolean"},
        "size_class": {"enum": ["small", "medium", "large", None]},
    },
}
FACTS = {
    "type": "object",
    "required": ["year", "thresholds", "municipalities"],
    "properties": {
        "year": {"type": "integer"},
        "thresholds": {
            "type": "object",
            "required": ["medium_from", "large_from", "default"],
            "properties": {"medium_from": {"type": "integer"}, "large_from": {"type": "integer"},
                           "default": {"type": "boolean"}},
        },
        "municipalities": {"type": "array", "items": FACT},
    },
}


@operation(
    bp, "municipalityFacts", "GET", "/municipalities/facts",
    summary="A year's settlement figures per municipality (as imported from IMDi's tables), "
            "whether each settles refugees and its size class by the year's thresholds. Only "
            "municipalities with figures are listed (an empty list: none imported); Oslo's "
            "districts take Oslo's class unless listed themselves.",
    response=FACTS,
    parameters=[query_param("year", {"type": "integer", "minimum": 2000, "maximum": 2100},
                            "The year (four digits).", required=True)],
    action="facts.view",
)
def municipality_facts():
    year = int(request.args["year"])
    medium_from, large_from = facts.thresholds(year)
    rows = [{"number": f.municipality.number, "name": f.municipality.name,
             "county_number": f.municipality.county.number, "kind": f.municipality.kind,
             "requested": f.requested, "decided": f.decided, "settled": f.settled,
             "settles": f.settles, "size_class": f.size_class}
            for f in facts.year_facts(year)]
    return jsonify({"year": year,
                    "thresholds": {"medium_from": medium_from, "large_from": large_from,
                                   "default": db.session.get(SizeThresholds, year) is None},
                    "municipalities": rows})
