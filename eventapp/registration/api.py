"""createRegistration and listRegistrations, as API.md names them."""

from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.api import bp
from eventapp.api.auth import api_user
from eventapp.api.spec import operation, path_param
from eventapp.core.access import get_scoped, may_manage_county
from eventapp.core.errors import Forbidden, NotFound
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration import services
from eventapp.registration.models import ROLES, STATUSES, Registration

ORGANISATION = {
    "type": "object",
    "required": ["kind"],
    "additionalProperties": False,
    "properties": {
        "kind": {"enum": ["municipality", "district", "county", "partner"]},
        "number": {"type": "string", "pattern": "^[0-9]{2,6}$"},
        "name": {"type": "string", "maxLength": 200},
    },
}
CREATE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "email", "organisation", "role"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "email": {"type": "string", "maxLength": 254},
        "phone": {"type": "string", "maxLength": 40},
        "organisation": ORGANISATION,
        "role": {"enum": list(ROLES)},
        "days": {"type": "array", "items": {"enum": [1, 2]}, "minItems": 1, "uniqueItems": True},
        "attends_dinner": {"type": "boolean"},
        "dietary_needs": {"type": "string", "maxLength": 500},
        "dietary_consent": {"type": "boolean"},
        "accessibility_needs": {"type": "string", "maxLength": 500},
        "accommodation": {"type": "boolean"},
        "travel_support_requested": {"type": "boolean"},
        "list_consent": {"type": "boolean"},
    },
}
REGISTRATION = {
    "type": "object",
    "required": ["id", "status", "name", "email", "organisation", "role", "days", "channel"],
    "properties": {
        "id": {"type": "integer"},
        "status": {"enum": list(STATUSES)},
        "name": {"type": "string"},
        "email": {"type": "string"},
        "organisation": {"type": "object"},
        "role": {"enum": list(ROLES)},
        "days": {"type": "array", "items": {"type": "integer"}},
        "channel": {"type": "string"},
        "attends_dinner": {"type": "boolean"},
        "attended": {"type": ["boolean", "null"]},
    },
}
ID = [path_param("id", {"type": "integer"})]


def registration_json(r: Registration) -> dict:
    organisation = {"kind": r.organisation_kind, "name": r.organisation_name}
    if r.municipality is not None:
        organisation["number"] = r.municipality.number
    elif r.county is not None:
        organisation["number"] = r.county.number
    return {
        "id": r.id, "status": r.status, "name": r.name, "email": r.email,
        "organisation": organisation, "role": r.role,
        "days": [d for d, on in ((1, r.day1), (2, r.day2)) if on], "channel": r.channel,
        "attends_dinner": r.attends_dinner, "attended": r.attended,
    }


def _gathering(ident: int) -> Gathering:
    gathering = get_scoped(Gathering, ident, api_user())
    if gathering is None:
        raise NotFound(_("No such gathering."))
    return gathering


@operation(bp, "createRegistration", "POST", "/gatherings/{id}/registrations",
           summary="Register a person. Takes a place if the organisation's cap allows, else "
           "joins its waitlist (status tells which). County host only; hosts may register "
           "after the deadline.", response=REGISTRATION, status=201, request_schema=CREATE,
           parameters=ID, converters={"id": "int"})
def create(id: int, body: dict):  # noqa: A002 - the name is the API's
    gathering = _gathering(id)
    if not may_manage_county(api_user(), gathering.county_id):
        raise Forbidden(_("Only the county's host may register people through the API."))
    organisation = body["organisation"]
    days = set(body.get("days", [1, 2]))
    data = services.RegistrationData(
        name=body["name"], email=body["email"], organisation_kind=organisation["kind"],
        municipality_number=organisation.get("number") if organisation["kind"] in
        ("municipality", "district") else None,
        county_number=organisation.get("number") if organisation["kind"] == "county" else None,
        partner_name=organisation.get("name"), role=body["role"], phone=body.get("phone", ""),
        day1=1 in days, day2=2 in days, attends_dinner=body.get("attends_dinner", False),
        dietary_needs=body.get("dietary_needs", ""),
        dietary_consent=body.get("dietary_consent", False),
        accessibility_needs=body.get("accessibility_needs", ""),
        accommodation=body.get("accommodation", False),
        travel_support_requested=body.get("travel_support_requested", False),
        list_consent=body.get("list_consent", False),
    )
    registration = services.register(gathering, data, channel="api", actor=api_user())
    db.session.commit()
    return jsonify(registration_json(registration)), 201


@operation(bp, "listRegistrations", "GET", "/gatherings/{id}/registrations",
           summary="The gathering's registrations (county host and the directorate).",
           response={"type": "array", "items": REGISTRATION}, parameters=ID,
           converters={"id": "int"})
def list_all(id: int):  # noqa: A002
    gathering = _gathering(id)
    user = api_user()
    if user.role != "directorate" and not may_manage_county(user, gathering.county_id):
        raise Forbidden(_("Only the county's host sees the registrations."))
    rows = db.session.scalars(select(Registration).where(Registration.gathering_id == gathering.id)
                              .order_by(Registration.created_at, Registration.id))
    return jsonify([registration_json(r) for r in rows])
