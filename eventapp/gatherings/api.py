from datetime import date

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import extract, select

from eventapp.api import bp
from eventapp.api.auth import api_user
from eventapp.api.spec import operation, path_param, query_param
from eventapp.core.access import get_scoped, scope
from eventapp.core.errors import NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import STATUSES, Gathering
from eventapp.gatherings.services import create_gathering
from eventapp.places.models import County

GATHERING = {
    "type": "object",
    "required": ["id", "county_number", "title", "start_date", "end_date", "venue", "status",
                 "municipal_cap", "pool_cap"],
    "properties": {
        "id": {"type": "integer"},
        "county_number": {"type": "string"},
        "title": {"type": "string"},
        "start_date": {"type": "string", "format": "date"},
        "end_date": {"type": "string", "format": "date"},
        "venue": {"type": "string"},
        "address": {"type": ["string", "null"]},
        "registration_opens": {"type": ["string", "null"], "format": "date"},
        "registration_closes": {"type": ["string", "null"], "format": "date"},
        "status": {"enum": list(STATUSES)},
        "municipal_cap": {"type": "integer"},
        "pool_cap": {"type": "integer"},
        "capacity": {"type": ["integer", "null"]},
    },
}


def gathering_json(g: Gathering) -> dict:
    def iso(d):
        return d.isoformat() if d else None

    return {
        "id": g.id, "county_number": g.county.number, "title": g.title,
        "start_date": iso(g.start_date), "end_date": iso(g.end_date), "venue": g.venue,
        "address": g.address, "registration_opens": iso(g.registration_opens),
        "registration_closes": iso(g.registration_closes), "status": g.status,
        "municipal_cap": g.municipal_cap, "pool_cap": g.pool_cap, "capacity": g.capacity,
    }


@operation(
    bp, "listGatherings", "GET", "/gatherings", summary="Gatherings the caller may see.",
    response={"type": "array", "items": GATHERING},
    parameters=[query_param("county", {"type": "string", "pattern": "^[0-9]{2}$"}),
                query_param("year", {"type": "integer"})],
)
def list_gatherings():
    stmt = scope(select(Gathering), Gathering, api_user()).join(County)
    county, year = request.args.get("county"), request.args.get("year")
    if county:
        stmt = stmt.where(County.number == county)
    if year:
        if not year.isdigit():
            raise ValidationFailed(_("year must be a four-digit year."), field="year")
        stmt = stmt.where(extract("year", Gathering.start_date) == int(year))
    stmt = stmt.order_by(Gathering.start_date, Gathering.id)
    return jsonify([gathering_json(g) for g in db.session.scalars(stmt)])


@operation(bp, "getGathering", "GET", "/gatherings/{id}", summary="One gathering.",
           response=GATHERING, parameters=[path_param("id", {"type": "integer"})],
           converters={"id": "int"})
def get_gathering(id: int):  # noqa: A002 - the name is the API's
    gathering = get_scoped(Gathering, id, api_user())
    if gathering is None:
        raise NotFound(_("No such gathering."))
    return jsonify(gathering_json(gathering))


CREATE_GATHERING = {
    "type": "object",
    "additionalProperties": False,
    "required": ["county_number", "title", "start_date", "end_date", "venue"],
    "properties": {
        "county_number": {"type": "string", "pattern": "^[0-9]{2}$"},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "start_date": {"type": "string", "format": "date"},
        "end_date": {"type": "string", "format": "date"},
        "venue": {"type": "string", "minLength": 1, "maxLength": 200},
        "address": {"type": "string", "maxLength": 300},
        "registration_opens": {"type": "string", "format": "date"},
        "registration_closes": {"type": "string", "format": "date"},
        "capacity": {"type": "integer", "minimum": 1},
    },
}


def _date(body: dict, name: str, fields: dict):
    value = body.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        fields[name] = _("Use a date as YYYY-MM-DD.")
        return None


@operation(bp, "createGathering", "POST", "/gatherings", summary="A county host creates a draft "
           "gathering for their own county.", response=GATHERING, status=201,
           request_schema=CREATE_GATHERING)
def create(body: dict):
    fields: dict = {}
    dates = {name: _date(body, name, fields) for name in
             ("start_date", "end_date", "registration_opens", "registration_closes")}
    county = db.session.scalars(select(County).where(County.number == body["county_number"])).first()
    if county is None:
        fields["county_number"] = _("No county has this number.")
    if fields:
        raise ValidationFailed(_("The request has invalid fields."), fields=fields)
    gathering = create_gathering(
        county=county, title=body["title"], start_date=dates["start_date"],
        end_date=dates["end_date"], venue=body["venue"], actor=api_user(),
        address=body.get("address"), registration_opens=dates["registration_opens"],
        registration_closes=dates["registration_closes"], capacity=body.get("capacity"),
    )
    db.session.commit()
    return jsonify(gathering_json(gathering)), 201
