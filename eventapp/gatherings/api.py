from datetime import date, datetime

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import extract, select
from sqlalchemy.orm import contains_eager

from eventapp.api import bp
from eventapp.api.auth import api_user
from eventapp.api.spec import operation, path_param, query_param
from eventapp.core import policy
from eventapp.core.access import scope
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import OSLO
from eventapp.extensions import db
from eventapp.gatherings.checks import CODES
from eventapp.gatherings.models import (
    ITEM_KINDS,
    MEETING_URL_MAX,
    MODES,
    ORGANISATION_KINDS,
    STATUSES,
    Gathering,
)
from eventapp.gatherings.services import (
    ItemData,
    SpeakerData,
    add_item,
    change_status,
    create_gathering,
    update_gathering,
)
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
        "venue": {"type": ["string", "null"],
                  "description": "Null only for a digital gathering."},
        "address": {"type": ["string", "null"]},
        "registration_opens": {"type": ["string", "null"], "format": "date"},
        "registration_closes": {"type": ["string", "null"], "format": "date"},
        "status": {"enum": list(STATUSES)},
        "municipal_cap": {"type": "integer"},
        "pool_cap": {"type": "integer"},
        "capacity": {"type": ["integer", "null"]},
        "mode": {"enum": list(MODES),
                 "description": "in_person (the default), digital (a meeting link and no "
                 "venue, e.g. a follow-up webinar) or hybrid (a venue and a meeting link)."},
        "meeting_url": {"type": ["string", "null"],
                        "description": "The https:// link for those who take part digitally; "
                        "set for digital and hybrid gatherings, null in person. Not public."},
    },
}
MEETING_URL = {"type": ["string", "null"], "maxLength": MEETING_URL_MAX,
               "description": "A whole https:// address (no blanks, no user name), at most "
               f"{MEETING_URL_MAX} characters; anything else is refused with 422 naming the "
               "field."}


def gathering_json(g: Gathering) -> dict:
    def iso(d):
        return d.isoformat() if d else None

    return {
        "id": g.id, "county_number": g.county.number, "title": g.title,
        "start_date": iso(g.start_date), "end_date": iso(g.end_date), "venue": g.venue,
        "address": g.address, "registration_opens": iso(g.registration_opens),
        "registration_closes": iso(g.registration_closes), "status": g.status,
        "municipal_cap": g.municipal_cap, "pool_cap": g.pool_cap, "capacity": g.capacity,
        "mode": g.mode, "meeting_url": g.meeting_url,
    }


@operation(
    bp, "listGatherings", "GET", "/gatherings", summary="Gatherings the caller may see.",
    response={"type": "array", "items": GATHERING},
    parameters=[query_param("county", {"type": "string", "pattern": "^[0-9]{2}$"}),
                query_param("year", {"type": "integer", "minimum": 2000, "maximum": 2100})],
    action="gathering.list",
)
def list_gatherings():
    # The county is joined for the filter and read from the join (each row gives its number).
    stmt = scope(select(Gathering), Gathering, api_user()).join(County) \
        .options(contains_eager(Gathering.county))
    county, year = request.args.get("county"), request.args.get("year")
    if county:
        stmt = stmt.where(County.number == county)
    if year:  # checked against its schema by the plumbing
        stmt = stmt.where(extract("year", Gathering.start_date) == int(year))
    stmt = stmt.order_by(Gathering.start_date, Gathering.id)
    return jsonify([gathering_json(g) for g in db.session.scalars(stmt)])


@operation(bp, "getGathering", "GET", "/gatherings/{id}", summary="One gathering.",
           response=GATHERING, parameters=[path_param("id", {"type": "integer"})],
           converters={"id": "int"}, action="gathering.view")
def get_gathering(id: int):  # noqa: A002 - the name is the API's
    gathering = _scoped_gathering(id)
    return jsonify(gathering_json(gathering))


CREATE_GATHERING = {
    "type": "object",
    "additionalProperties": False,
    "required": ["county_number", "title", "start_date", "end_date"],
    "properties": {
        "county_number": {"type": "string", "pattern": "^[0-9]{2}$"},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "start_date": {"type": "string", "format": "date"},
        "end_date": {"type": "string", "format": "date"},
        "venue": {"type": ["string", "null"], "maxLength": 200,
                  "description": "Required unless mode is digital (a digital gathering's venue "
                  "is dropped)."},
        "address": {"type": "string", "maxLength": 300},
        "registration_opens": {"type": "string", "format": "date"},
        "registration_closes": {"type": "string", "format": "date"},
        "capacity": {"type": "integer", "minimum": 1},
        "mode": {"enum": list(MODES), "description": "Default in_person."},
        "meeting_url": {**MEETING_URL, "description": "Required for digital and hybrid, refused "
                        "in person. " + MEETING_URL["description"]},
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
           request_schema=CREATE_GATHERING, action="gathering.create")
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
        end_date=dates["end_date"], venue=body.get("venue"), actor=api_user(),
        address=body.get("address"), registration_opens=dates["registration_opens"],
        registration_closes=dates["registration_closes"], capacity=body.get("capacity"),
        mode=body.get("mode", "in_person"), meeting_url=body.get("meeting_url"),
    )
    db.session.commit()
    return jsonify(gathering_json(gathering)), 201


# --- updating a gathering and its programme (the lead's section) -----------------------------

UPDATE_GATHERING = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        **{k: v for k, v in CREATE_GATHERING["properties"].items() if k != "county_number"},
        "description": {"type": ["string", "null"], "maxLength": 5000},
        "address": {"type": ["string", "null"], "maxLength": 300},
        "registration_opens": {"type": ["string", "null"], "format": "date"},
        "registration_closes": {"type": ["string", "null"], "format": "date"},
        "capacity": {"type": ["integer", "null"], "minimum": 1},
        "municipal_cap": {"type": "integer", "minimum": 0},
        "pool_cap": {"type": "integer", "minimum": 0},
        "status": {"enum": list(STATUSES)},
        "move_programme": {
            "type": "boolean",
            "description": "With new dates that would leave programme items outside them: true "
            "moves every item with the dates (same day number and clock time), in the same "
            "transaction, logged in the programme's change log. Without it such dates are "
            "refused with 422.",
        },
    },
}

SPEAKER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "organisation": {"type": "string", "maxLength": 200},
        "organisation_kind": {"enum": list(ORGANISATION_KINDS)},
    },
}
ITEM = {
    "type": "object",
    "required": ["id", "uid", "day", "starts_at", "ends_at", "kind", "title", "question_minutes",
                 "sequence", "speakers", "topics"],
    "properties": {
        "id": {"type": "integer"},
        "uid": {"type": "string"},
        "day": {"type": "integer"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "kind": {"enum": list(ITEM_KINDS)},
        "title": {"type": "string"},
        "description": {"type": ["string", "null"]},
        "room": {"type": ["string", "null"]},
        "meeting_url": {"type": ["string", "null"],
                        "description": "The item's own meeting link (an item held online); "
                        "null for one in the room or on the gathering's link."},
        "digital": {"type": "boolean",
                    "description": "Held online: its own link, or a digital gathering."},
        "question_minutes": {"type": "integer"},
        "sequence": {"type": "integer"},
        "speakers": {"type": "array", "items": SPEAKER},
        "topics": {"type": "array", "items": {"type": "string"},
                   "description": "The codes of the item's programme topics, from the "
                   "directorate's list (see the programme item form), in the list's order."},
    },
}
CREATE_ITEM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["starts_at", "ends_at", "kind", "title"],
    "properties": {
        "starts_at": {"type": "string", "format": "date-time",
                      "description": "ISO 8601 with offset, e.g. 2027-03-10T09:00:00+01:00"},
        "ends_at": {"type": "string", "format": "date-time"},
        "kind": {"enum": list(ITEM_KINDS)},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 5000},
        "room": {"type": "string", "maxLength": 100},
        "meeting_url": {**MEETING_URL, "description": "For an item held online on its own link. "
                        + MEETING_URL["description"]},
        "question_minutes": {"type": "integer", "minimum": 0},
        "speakers": {"type": "array", "maxItems": 20, "items": SPEAKER},
        "topics": {"type": "array", "maxItems": 20,
                   "items": {"type": "string", "minLength": 1, "maxLength": 40},
                   "description": "Codes of active programme topics. An unknown or "
                   "deactivated code is refused with 422, naming it in fields.topics."},
    },
}
ID_PARAM = [path_param("id", {"type": "integer"})]


def _scoped_gathering(ident: int) -> Gathering:
    """The caller's gathering (404 outside their scope). A change asks the policy in its service,
    after the body's fields are checked."""
    return policy.load(Gathering, ident, "gathering.view", missing=_("No such gathering."))


def item_json(item) -> dict:
    return {
        "id": item.id, "uid": item.uid, "day": item.gathering.day_of(item.starts_at),
        "starts_at": item.starts_at.astimezone(OSLO).isoformat(),
        "ends_at": item.ends_at.astimezone(OSLO).isoformat(), "kind": item.kind,
        "title": item.title, "description": item.description, "room": item.room,
        "meeting_url": item.meeting_url, "digital": item.digital,
        "question_minutes": item.question_minutes, "sequence": item.sequence,
        "speakers": [{"name": s.name, "organisation": s.organisation,
                      "organisation_kind": s.organisation_kind} for s in item.speakers],
        "topics": [t.code for t in item.topics],
    }


@operation(bp, "updateGathering", "PATCH", "/gatherings/{id}",
           summary="Change a gathering's details, settings (municipal_cap, pool_cap, capacity) "
           "or status. County host of the gathering's county only.",
           response=GATHERING, request_schema=UPDATE_GATHERING, parameters=ID_PARAM,
           converters={"id": "int"}, action="gathering.manage")
def update(id: int, body: dict):  # noqa: A002 - the name is the API's
    gathering = _scoped_gathering(id)
    # Asked here too: a body with nothing to change (only move_programme) changes nothing, and
    # must still be refused to those who may not change the gathering.
    policy.authorize(api_user(), "gathering.manage", gathering)
    fields: dict = {}
    changes = dict(body)
    for name in ("start_date", "end_date", "registration_opens", "registration_closes"):
        if name in changes:
            changes[name] = _date(body, name, fields)
    if fields:
        raise ValidationFailed(_("The request has invalid fields."), fields=fields)
    status = changes.pop("status", None)
    move_programme = bool(changes.pop("move_programme", False))
    if changes:
        update_gathering(gathering, api_user(), move_programme=move_programme, **changes)
    if status is not None:
        change_status(gathering, api_user(), status)
    db.session.commit()
    return jsonify(gathering_json(gathering))


@operation(bp, "listProgrammeItems", "GET", "/gatherings/{id}/programme",
           summary="The gathering's programme, in order.", response={"type": "array", "items": ITEM},
           parameters=ID_PARAM, converters={"id": "int"}, action="gathering.view")
def list_items(id: int):  # noqa: A002
    gathering = _scoped_gathering(id)
    return jsonify([item_json(i) for i in gathering.active_items])


def _moment(body: dict, name: str, fields: dict):
    try:
        value = datetime.fromisoformat(body[name])
    except (TypeError, ValueError):
        fields[name] = _("Use a time as ISO 8601 with offset, e.g. 2027-03-10T09:00:00+01:00.")
        return None
    if value.tzinfo is None:
        fields[name] = _("Give the time with its offset, e.g. +01:00.")
        return None
    return value.astimezone(OSLO)


@operation(bp, "createProgrammeItem", "POST", "/gatherings/{id}/programme",
           summary="Add an item. Refused when it overlaps another item in the same room or falls "
           "outside the gathering's days.", response=ITEM, status=201, request_schema=CREATE_ITEM,
           parameters=ID_PARAM, converters={"id": "int"}, action="programme.edit")
def create_item(id: int, body: dict):  # noqa: A002
    gathering = _scoped_gathering(id)
    fields: dict = {}
    starts, ends = _moment(body, "starts_at", fields), _moment(body, "ends_at", fields)
    day = gathering.day_of(starts) if starts else None
    if starts and day is None:
        fields["starts_at"] = _("The item must be on one of the gathering's days (%(first)s to "
                                "%(last)s).", first=gathering.start_date.isoformat(),
                                last=gathering.end_date.isoformat())
    if starts and ends and ends.date() != starts.date():
        fields["ends_at"] = _("It must end after it starts, on the same day.")
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    data = ItemData(
        day=day, start=starts.time(), end=ends.time(), kind=body["kind"], title=body["title"],
        description=body.get("description", ""), room=body.get("room", ""),
        meeting_url=body.get("meeting_url") or "",
        question_minutes=body.get("question_minutes", 0),
        speakers=[SpeakerData(name=s["name"], organisation=s.get("organisation", ""),
                              organisation_kind=s.get("organisation_kind", "other"))
                  for s in body.get("speakers", [])],
        topics=body.get("topics", []),
    )
    item = add_item(gathering, api_user(), data)
    db.session.commit()
    return jsonify(item_json(item)), 201


# --- programme topics ---------------------------------------------------------------------------

TOPIC = {
    "type": "object",
    "required": ["code", "name", "name_en", "active"],
    "properties": {
        "code": {"type": "string", "description": "What items' ``topics`` hold; never changes."},
        "name": {"type": "string", "description": "Norwegian (Bokmål)."},
        "name_en": {"type": "string"},
        "active": {"type": "boolean",
                   "description": "Deactivated topics stay on the items that carry them but are "
                   "no longer accepted for new ones."},
    },
}


@operation(bp, "listProgrammeTopics", "GET", "/programme-topics",
           summary="The directorate's national list of programme topics, in its order.",
           response={"type": "array", "items": TOPIC}, action="gathering.list")
def list_programme_topics():
    from eventapp.gatherings.services import all_topics

    return jsonify([{"code": t.code, "name": t.name, "name_en": t.name_en, "active": t.active}
                    for t in all_topics()])


# --- programme checks --------------------------------------------------------------------------

PROGRAMME_CHECK = {
    "type": "object",
    "required": ["code", "ok", "label", "message"],
    "properties": {
        "code": {"enum": list(CODES)},
        "ok": {"type": "boolean"},
        "label": {"type": "string", "description": "What the check asks for."},
        "message": {"type": "string", "description": "What is there, or what is missing."},
        "fix_url": {"type": ["string", "null"], "format": "uri",
                    "description": "The page where a failing check is fixed; null when it passes."},
        "item_ids": {"type": "array", "items": {"type": "integer"},
                     "description": "The programme items the message is about."},
    },
}


@operation(bp, "getProgrammeChecks", "GET", "/gatherings/{id}/programme/checks",
           summary="The programme checks (learning points) of a gathering: advice, never a refusal.",
           response={"type": "array", "items": PROGRAMME_CHECK},
           parameters=[path_param("id", {"type": "integer"})], converters={"id": "int"},
           action="gathering.view")
def get_programme_checks(id: int):  # noqa: A002 - the name is the API's
    from eventapp.gatherings.services import programme_checks
    from eventapp.gatherings.views.programme import check_fix_url

    gathering = _scoped_gathering(id)
    return jsonify([
        {"code": c.code, "ok": c.ok, "label": c.label, "message": c.message,
         "fix_url": None if c.ok else check_fix_url(gathering, c.fix, external=True),
         "item_ids": [i.id for i in c.items if i.id is not None]}
        for c in programme_checks(gathering)
    ])


# --- calendars and other events ----------------------------------------------------------------

@operation(bp, "getProgrammeCalendar", "GET", "/gatherings/{id}/programme.ics",
           summary="The programme as iCalendar (RFC 5545): one event per item in Europe/Oslo time "
           "with a VTIMEZONE, stable UIDs, SEQUENCE raised on every change, removed items as "
           "STATUS:CANCELLED.",
           response={"type": "string", "description": "A VCALENDAR object."},
           parameters=[path_param("id", {"type": "integer"})], converters={"id": "int"},
           content_type="text/calendar", action="gathering.view")
def get_programme_calendar(id: int):  # noqa: A002 - the name is the API's
    from flask import Response

    from eventapp.gatherings.services import programme_ics

    gathering = _scoped_gathering(id)
    # For a caller who may see the gathering: with the meeting links.
    response = Response(programme_ics(gathering, links=True),
                        content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="programme.ics"'
    return response
