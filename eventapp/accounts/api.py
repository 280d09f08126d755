from flask import jsonify

from eventapp.api import bp
from eventapp.api.auth import api_user
from eventapp.api.spec import operation

ME_SCHEMA = {
    "type": "object",
    "required": ["email", "role", "name"],
    "properties": {
        "email": {"type": "string"},
        "name": {"type": "string"},
        "role": {"enum": ["directorate", "county_host", "counsellor", "municipal_contact"]},
        "county_number": {"type": "string"},
        "municipality_number": {"type": "string"},
        "municipality_numbers": {"type": "array", "items": {"type": "string"}},
    },
}


@operation(bp, "whoAmI", "GET", "/me", summary="The user the token acts as.", response=ME_SCHEMA,
           action="account.own")
def who_am_i():
    user = api_user()
    body = {"email": user.email, "name": user.name, "role": user.role}
    if user.county is not None:
        body["county_number"] = user.county.number
    if user.municipality is not None:
        body["municipality_number"] = user.municipality.number
    if user.role == "counsellor":
        body["municipality_numbers"] = [m.number for m in user.assigned_municipalities]
    return jsonify(body)
