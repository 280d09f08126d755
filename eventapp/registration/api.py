"""createRegistration and listRegistrations, as API.md names them."""

from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventapp.api import bp
from eventapp.api.auth import api_user
from eventapp.api.spec import operation, path_param
from eventapp.core import policy
from eventapp.core.access import get_scoped
from eventapp.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.services import MAX_MUNICIPAL_CAP
from eventapp.registration import services
from eventapp.registration.models import ROLES, SEATING_WISHES, STATUSES, Registration

ORGANISATION = {
    "type": "object",
    "required": ["kind"],
    "additionalProperties": False,
    "properties": {
        "kind": {"enum": ["municipality", "district", "county", "partner"]},
        "number": {"type": "string", "pattern": "^[0-9]{2,6}$"},
        "name": {"type": "string", "maxLength": 200},
        "partner_id": {"type": "integer", "minimum": 1,
                       "description": "For kind partner: one of the gathering's county's active "
                       "partners (listPartners); its name is used. Without it, name is the "
                       "partner's name as free text."},
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
        "seating_wish": {"enum": [*SEATING_WISHES, None],
                         "description": "A wish for the group-work tables: a regional table, or "
                         "not with the neighbour municipality (as the host marked them); null "
                         "or left out for none."},
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
        "attended": {"type": ["boolean", "null"],
                     "description": "Came on at least one day; null until recorded."},
        "attended_day1": {"type": ["boolean", "null"],
                          "description": "Checked in on day 1; null until recorded."},
        "attended_day2": {"type": ["boolean", "null"],
                          "description": "Checked in on day 2; null until recorded (and always "
                          "on a one-day gathering)."},
        "seating_wish": {"enum": [*SEATING_WISHES, None],
                         "description": "The wish for the group-work tables; null for none."},
    },
}
ID = [path_param("id", {"type": "integer"})]


def registration_json(r: Registration) -> dict:
    organisation = {"kind": r.organisation_kind, "name": r.organisation_name}
    if r.partner_id is not None:
        organisation["partner_id"] = r.partner_id
    if r.municipality is not None:
        organisation["number"] = r.municipality.number
    elif r.county is not None:
        organisation["number"] = r.county.number
    return {
        "id": r.id, "status": r.status, "name": r.name, "email": r.email,
        "organisation": organisation, "role": r.role,
        "days": [d for d, on in ((1, r.day1), (2, r.day2)) if on], "channel": r.channel,
        "attends_dinner": r.attends_dinner, "attended": r.attended,
        "attended_day1": r.attended_day1, "attended_day2": r.attended_day2,
        "seating_wish": r.seating_wish,
    }


def _gathering(ident: int) -> Gathering:
    """The gathering if the token's user may see it (else 404) and may do the operation's
    action on it (else 403)."""
    return policy.load(Gathering, ident, missing=_("No such gathering."))


@operation(bp, "createRegistration", "POST", "/gatherings/{id}/registrations",
           summary="Register a person. Takes a place if the organisation's cap allows, else "
           "joins its waitlist (status tells which). County host only; hosts may register "
           "after the deadline.", response=REGISTRATION, status=201, request_schema=CREATE,
           parameters=ID, converters={"id": "int"}, action="registration.manage")
def create(id: int, body: dict):  # noqa: A002 - the name is the API's
    gathering = get_scoped(Gathering, id, api_user())
    if gathering is None:
        raise NotFound(_("No such gathering."))
    # The policy's rule, with the API's own refusal.
    if not policy.can(api_user(), "registration.manage", gathering):
        raise Forbidden(_("Only the county's host may register people through the API."))
    organisation = body["organisation"]
    if "partner_id" in organisation and organisation["kind"] != "partner":
        raise ValidationFailed(_("partner_id is only for an organisation of kind partner."),
                               field="organisation.partner_id")
    days = set(body.get("days", [1, 2]))
    data = services.RegistrationData(
        name=body["name"], email=body["email"], organisation_kind=organisation["kind"],
        municipality_number=organisation.get("number") if organisation["kind"] in
        ("municipality", "district") else None,
        county_number=organisation.get("number") if organisation["kind"] == "county" else None,
        partner_name=organisation.get("name"), partner_id=organisation.get("partner_id"),
        role=body["role"], phone=body.get("phone", ""),
        day1=1 in days, day2=2 in days, attends_dinner=body.get("attends_dinner", False),
        dietary_needs=body.get("dietary_needs", ""),
        dietary_consent=body.get("dietary_consent", False),
        accessibility_needs=body.get("accessibility_needs", ""),
        accommodation=body.get("accommodation", False),
        travel_support_requested=body.get("travel_support_requested", False),
        seating_wish=body.get("seating_wish"),
        list_consent=body.get("list_consent", False),
    )
    registration = services.register(gathering, data, channel="api", actor=api_user())
    db.session.commit()
    return jsonify(registration_json(registration)), 201


# 409: the gathering's final report is approved, so its registrations no longer change.
create.operation.errors = (400, 401, 403, 404, 409)


@operation(bp, "listRegistrations", "GET", "/gatherings/{id}/registrations",
           summary="The gathering's registrations (county host and the directorate).",
           response={"type": "array", "items": REGISTRATION}, parameters=ID,
           converters={"id": "int"}, action="registration.list")
def list_all(id: int):  # noqa: A002
    gathering = _gathering(id)
    # Each row names its organisation: municipalities and counties read with the rows.
    rows = db.session.scalars(select(Registration).where(Registration.gathering_id == gathering.id)
                              .options(joinedload(Registration.municipality),
                                       joinedload(Registration.county))
                              .order_by(Registration.created_at, Registration.id))
    return jsonify([registration_json(r) for r in rows])


# --- lists and the day ---------------------------------------------------------------------
ATTENDANCE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["attended"],
    "properties": {
        "attended": {"type": "boolean"},
        "day": {"type": "integer", "enum": [1, 2],
                "description": "The day checked in (or out) for. Without it, attended: true "
                "ticks every day the person registered for and false clears every day. A day "
                "they did not register for may be ticked (walk-ins); day 2 of a one-day "
                "gathering is refused with 422."},
    },
}


@operation(bp, "recordAttendance", "POST", "/registrations/{id}/attendance",
           summary="Record whether a confirmed person attended, on one day or on the days they "
           "registered for (attendance per day is what the grant counts). The county's host and "
           "career counsellors; 404 for anyone else, 409 if the registration has no confirmed "
           "place, 422 for a day the gathering does not have.", response=REGISTRATION,
           request_schema=ATTENDANCE, parameters=ID, converters={"id": "int"},
           action="checkin.record")
def record_attendance(id: int, body: dict):  # noqa: A002
    registration = services.registration_for_the_day(api_user(), id)
    if registration is None:
        raise NotFound(_("No such registration."))
    day = body.get("day")
    services.record_attendance(registration, body["attended"], api_user(),
                               day=None if day is None else int(day))
    db.session.commit()
    return jsonify(registration_json(registration))


record_attendance.operation.errors = (400, 401, 404, 409)


# --- host and municipal registration ---
# setOrganisationCap, getCapStatus and cancelRegistration, as API.md names them.

CAP_BODY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["cap"],
    "properties": {
        "cap": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_MUNICIPAL_CAP,
                "description": "Places for this municipality; null: the gathering's cap applies."},
    },
}
CAP_LINE = {
    "type": "object",
    "required": ["organisation_number", "name", "cap", "confirmed", "waitlisted"],
    "properties": {
        "organisation_number": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"enum": ["municipality", "district"]},
        "cap": {"type": "integer", "minimum": 0},
        "confirmed": {"type": "integer", "minimum": 0},
        "waitlisted": {"type": "integer", "minimum": 0},
    },
}
CAP_SET = {
    **CAP_LINE,
    "required": [*CAP_LINE["required"], "overridden", "promoted"],
    "properties": {
        **CAP_LINE["properties"],
        "overridden": {"type": "boolean", "description": "false: the gathering's cap applies"},
        "promoted": {"type": "array", "items": {"type": "integer"},
                     "description": "ids of registrations confirmed from the waitlist"},
    },
}
POOL = {
    "type": "object",
    "required": ["cap", "confirmed", "waitlisted"],
    "properties": {"cap": {"type": "integer"}, "confirmed": {"type": "integer"},
                   "waitlisted": {"type": "integer"}},
}
CAP_STATUS = {
    "type": "object",
    "required": ["organisations", "pool"],
    "properties": {"organisations": {"type": "array", "items": CAP_LINE}, "pool": POOL},
}
CANCELLED = {
    **REGISTRATION,
    "required": [*REGISTRATION["required"], "promoted"],
    "properties": {
        **REGISTRATION["properties"],
        "promoted": {"type": "array", "items": {"type": "integer"},
                     "description": "ids of registrations confirmed from the waitlist"},
    },
}
ORG_NUMBER = path_param("organisation_number", {"type": "string", "pattern": "^[0-9]{4,6}$"})


@operation(bp, "setOrganisationCap", "PUT", "/gatherings/{id}/caps/{organisation_number}",
           summary="Raise or lower one municipality's (or Oslo district's) places. Lowering "
           "below those already confirmed removes nobody; raising confirms the first on its "
           "waitlist. County host only.", response=CAP_SET, request_schema=CAP_BODY,
           parameters=[*ID, ORG_NUMBER], converters={"id": "int"}, action="caps.set")
def set_organisation_cap(id: int, organisation_number: str, body: dict):  # noqa: A002
    gathering = _gathering(id)
    unit = services.unit_by_number(gathering, organisation_number)
    if unit is None:
        raise ValidationFailed(_("No municipality or city district %(number)s in %(county)s.",
                         number=organisation_number, county=gathering.county.name),
                       field="organisation_number")
    promoted = services.set_municipality_cap(gathering, api_user(), unit, body["cap"])
    db.session.commit()
    line = services.cap_lines(gathering, unit)[0]
    return jsonify({"organisation_number": unit.number, "name": unit.name, "kind": unit.kind,
                    "cap": line.cap, "confirmed": line.confirmed, "waitlisted": line.waitlisted,
                    "overridden": line.overridden, "promoted": [r.id for r in promoted]})


set_organisation_cap.operation.errors = (400, 401, 403, 404)


@operation(bp, "getCapStatus", "GET", "/gatherings/{id}/caps",
           summary="Places per municipality (or Oslo district): cap, confirmed, waitlisted; and "
           "the county and partners pool. The county's host and counsellors, and the "
           "directorate.", response=CAP_STATUS, parameters=ID, converters={"id": "int"},
           action="caps.view")
def get_cap_status(id: int):  # noqa: A002
    gathering = _gathering(id)
    return jsonify(services.cap_status(gathering))


get_cap_status.operation.errors = (401, 403, 404)


@operation(bp, "cancelRegistration", "POST", "/registrations/{id}/cancel",
           summary="Cancel a registration: its place is freed and the first on that "
           "municipality's (or the pool's) waitlist is confirmed and mailed. County host only; "
           "409 if already cancelled.", response=CANCELLED, parameters=ID,
           converters={"id": "int"}, action="registration.cancel")
def cancel_registration(id: int):  # noqa: A002
    registration = db.session.get(Registration, id)
    # 404, not 403, for anyone but the host: the API does not tell whether it exists.
    if registration is None or not policy.can(api_user(), "registration.cancel",
                                              registration.gathering):
        raise NotFound(_("No such registration."))
    if registration.status == "cancelled":
        raise Conflict(_("This registration is already cancelled."))
    promoted = services.host_cancel(registration, api_user())
    db.session.commit()
    return jsonify({**registration_json(registration), "promoted": [r.id for r in promoted]})


cancel_registration.operation.errors = (401, 404, 409)
