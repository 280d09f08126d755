"""listInvitationStatus, as API.md names it: the municipality board."""

from flask import jsonify, request
from flask_babel import gettext as _

from eventapp.api import bp
from eventapp.api.spec import operation, path_param, query_param
from eventapp.core import policy
from eventapp.core.errors import ValidationFailed
from eventapp.gatherings.models import Gathering
from eventapp.invitations import services

INVITATION_STATUS_ROW = {
    "type": "object",
    "additionalProperties": False,
    "required": ["organisation_number", "name", "kind", "state", "channels", "opened", "registered",
                 "waitlisted", "cap", "contacts", "barriers", "offers", "next_step"],
    "properties": {
        "organisation_number": {"type": "string", "pattern": "^[0-9]{4}([0-9]{2})?$",
                                "description": "Municipality number (4 digits) or Oslo district "
                                               "number (6 digits)."},
        "name": {"type": "string"},
        "kind": {"enum": ["municipality", "district"]},
        "state": {"enum": ["not_reached", "reached", "registered"],
                  "description": "registered: a confirmed or waitlisted registration; reached: "
                                 "invited by mail that did not fail, or contacted by a "
                                 "counsellor; else not_reached."},
        "channels": {
            "type": "array",
            "description": "Channels used towards the municipality: campaign mail by sender "
                           "(mail_career_centre, mail_integration_adviser, mail_counsellor) and "
                           "counsellors' outreach (visit, phone, video, own_mail, other).",
            "items": {"enum": ["mail_career_centre", "mail_integration_adviser", "mail_counsellor",
                               "visit", "phone", "video", "own_mail", "other"]},
        },
        "channel_details": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["channel", "count", "failed", "first", "last"],
                "properties": {
                    "channel": {"type": "string"},
                    "count": {"type": "integer", "minimum": 0},
                    "failed": {"type": "integer", "minimum": 0},
                    "first": {"type": "string", "format": "date"},
                    "last": {"type": "string", "format": "date"},
                },
            },
        },
        "opened": {"type": "integer", "minimum": 0,
                   "description": "Personal invitation links opened."},
        "registered": {"type": "integer", "minimum": 0, "description": "Confirmed registrations."},
        "waitlisted": {"type": "integer", "minimum": 0},
        "cap": {"type": "integer", "minimum": 0},
        "contacts": {"type": "integer", "minimum": 0, "description": "Active contacts."},
        "barriers": {"type": "array",
                     "items": {"enum": ["travel_cost", "finances", "staffing", "timing", "other"]}},
        "barrier_other": {"type": ["string", "null"]},
        "offers": {"type": "array", "items": {"enum": ["travel_support", "digital"]}},
        "next_step": {"type": ["string", "null"]},
    },
}


def invitation_status_json(row) -> dict:
    return {
        "organisation_number": row.municipality.number,
        "name": row.municipality.name,
        "kind": row.municipality.kind,
        "state": row.state,
        "channels": row.channel_names,
        "channel_details": [
            {"channel": c.name, "count": c.count, "failed": c.failed,
             "first": c.first.isoformat() if c.first else None,
             "last": c.last.isoformat() if c.last else None}
            for c in row.channels
        ],
        "opened": row.opened,
        "registered": row.confirmed,
        "waitlisted": row.waitlisted,
        "cap": row.cap,
        "contacts": len(row.contacts),
        "barriers": list(row.barriers),
        "barrier_other": row.barrier_other,
        "offers": list(row.offers),
        "next_step": row.next_step,
    }


@operation(
    bp, "listInvitationStatus", "GET", "/gatherings/{id}/invitations/status",
    summary="The municipality board: one row per municipality (Oslo: per city district) of the "
            "gathering's county, with the channels used, opened links, registrations against "
            "the cap, barriers, offers and the next step. For the county's host and counsellors "
            "and the directorate.",
    response={"type": "array", "items": INVITATION_STATUS_ROW},
    parameters=[path_param("id", {"type": "integer"}),
                query_param("state", {"enum": ["not_reached", "reached", "registered"]},
                            "Only the rows in this state.")],
    converters={"id": "int"},
    action="board.view",
)
def list_invitation_status(id: int):  # noqa: A002 - the name is the API's
    gathering = policy.load(Gathering, id, missing=_("No such gathering."))
    state = request.args.get("state")
    if state is not None and state not in services.BOARD_STATES:
        raise ValidationFailed(_("state must be one of: %(states)s.",
                                 states=", ".join(services.BOARD_STATES)),
                               field="state")
    return jsonify([invitation_status_json(r)
                    for r in services.board_rows(gathering, state=state)])


list_invitation_status.operation.errors = (400, 401, 403, 404, 422)
