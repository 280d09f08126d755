"""listPartners and createPartner: the county's partner organisations and their contacts."""

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.api import bp
from eventapp.api.auth import api_user
from eventapp.api.spec import operation, query_param
from eventapp.core import policy
from eventapp.core.errors import Forbidden, ValidationFailed
from eventapp.extensions import db
from eventapp.partners import services
from eventapp.partners.models import PARTNER_KINDS
from eventapp.places.models import County

CONTACT_IN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "email"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "email": {"type": "string", "maxLength": 254},
        "phone": {"type": "string", "maxLength": 40},
    },
}
CREATE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "kind"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "kind": {"enum": list(PARTNER_KINDS)},
        "contacts": {"type": "array", "items": CONTACT_IN, "maxItems": 50},
    },
}
PARTNER = {
    "type": "object",
    "required": ["id", "county_number", "name", "kind", "active", "contacts"],
    "properties": {
        "id": {"type": "integer"},
        "county_number": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"enum": list(PARTNER_KINDS)},
        "kind_label": {"type": "string", "description": "The kind in the caller's language."},
        "active": {"type": "boolean"},
        "contacts": {"type": "array", "items": {
            "type": "object",
            "required": ["id", "name", "email", "active"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                           "email": {"type": "string"}, "phone": {"type": ["string", "null"]},
                           "active": {"type": "boolean"}},
        }},
    },
}


def partner_json(partner) -> dict:
    return {
        "id": partner.id, "county_number": partner.county.number, "name": partner.name,
        "kind": partner.kind, "kind_label": partner.kind_label, "active": partner.active,
        "contacts": [{"id": c.id, "name": c.name, "email": c.email, "phone": c.phone,
                      "active": c.active} for c in partner.contacts],
    }


@operation(bp, "listPartners", "GET", "/partners",
           summary="Partner organisations (NAV, adult education, IMDi, Statsforvalteren, "
           "interpreter services, voluntary organisations, other) with their contacts. A county's "
           "host and counsellors see their county's, the directorate every county's.",
           response={"type": "array", "items": PARTNER},
           parameters=[query_param("county", {"type": "string", "pattern": "^[0-9]{2}$"},
                                   "Only this county (two digits)."),
                       query_param("include_inactive", {"type": "boolean"},
                                   "Also list deactivated partners (default false).")],
           action="partners.view")
def list_partners():
    user = api_user()
    policy.authorize(user, "partners.view", user.county_id)
    county_id = None
    number = request.args.get("county")
    if number is not None:
        county_id = db.session.scalar(select(County.id).where(County.number == number))
        if county_id is None:
            raise ValidationFailed(_("No county has this number."), field="county")
    inactive = request.args.get("include_inactive", "false").lower() in {"1", "true", "yes"}
    partners = services.list_partners(user, county_id=county_id,
                                      active=None if inactive else True)
    return jsonify([partner_json(p) for p in partners])


@operation(bp, "createPartner", "POST", "/partners",
           summary="Add a partner organisation to the caller's county, with its contacts if "
           "given. County host only. 422 names the field: a name the county already has, a bad "
           "email address (contacts[0].email ...); nothing is saved then.",
           response=PARTNER, status=201, request_schema=CREATE, action="partners.manage")
def create_partner(body: dict):
    user = api_user()
    if user.county_id is None or not policy.can(user, "partners.manage", user.county_id):
        raise Forbidden(_("Only the county's host may change the county's partners."))
    partner = services.create_partner(user, user.county_id, name=body["name"], kind=body["kind"])
    for index, contact in enumerate(body.get("contacts", [])):
        try:
            services.add_contact(user, partner, name=contact["name"], email=contact["email"],
                                 phone=contact.get("phone"))
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, fields={
                f"contacts[{index}].{name}": message for name, message in exc.fields.items()
            }) from exc
    db.session.commit()
    return jsonify(partner_json(partner)), 201


create_partner.operation.errors = (400, 401, 403, 422)
