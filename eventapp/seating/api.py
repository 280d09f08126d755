"""allocateTables and getSeatingPlan: the table plan as JSON, made by the same services as the
plan page."""

from flask import jsonify, url_for
from flask_babel import gettext as _

from eventapp.api import bp
from eventapp.api.auth import api_user
from eventapp.api.spec import operation, path_param
from eventapp.core import policy
from eventapp.core.errors import NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.seating import services
from eventapp.seating.models import JOB_STATUSES, MODES, SeatingJob
from eventapp.seating.services import jobs as plan_jobs
from eventapp.seating.solver import RULES

_COUNT = {"type": "integer", "minimum": 0}
_ID = {"type": "integer"}
RULE_NUMBERS = {
    "min_counsellors_per_table": {"type": "integer", "minimum": 0, "maximum": 10,
                                  "description": "At least this many career counsellors at "
                                                 "every table; 0 is off."},
    "max_county_staff_per_table": {"type": "integer", "minimum": 0, "maximum": 30,
                                   "description": "At most this many county staff (career "
                                                  "counsellors included) per table; 0 is off."},
    "max_per_organisation": {"type": "integer", "minimum": 0, "maximum": 30,
                             "description": "At most this many people from one municipality, "
                                            "district, county or partner per table (county "
                                            "staff not counted); 0 is off."},
}
# The rules hosts asked for (issue 19), kept with the numbers in the gathering's settings.
RULE_SWITCHES = {
    "spread_partner_kinds": {"type": "boolean",
                             "description": "Spread NAV and adult education so that as many "
                                            "tables as possible have one (kept as far as the "
                                            "rules allow)."},
    "apart_neighbours": {"type": "boolean",
                         "description": "Keep the municipalities the host marked as neighbours "
                                        "at different tables (a rule)."},
    "spread_large": {"type": "boolean",
                     "description": "Spread the staff of large municipalities evenly over the "
                                    "tables (kept as far as the rules allow)."},
    "follow_attendance": {"type": "boolean",
                          "description": "Once check-in has started, plan for who came: "
                                         "people are seated on the days they were checked in."},
    "apart_regions": {"type": "array", "uniqueItems": True, "maxItems": 100,
                      "items": {"type": "integer"},
                      "description": "The regions whose municipalities sit at different "
                                     "tables, by the user id of the career counsellor who "
                                     "serves them; replaces the list."},
}
# Every rule a violation may name: the solver's hard rules and the soft ones.
ALL_RULES = list(dict.fromkeys([*RULES, "apart_organisations", *services.SOFT_RULES]))
REASON = {"type": "object", "additionalProperties": False, "required": ["code", "text"],
          "description": "Why it is broken or unmet: too_few (no plan can meet it from the "
                         "counts) or conflict (every move that would mend it makes something "
                         "weightier worse: blocked_by).",
          "properties": {"code": {"enum": ["too_few", "conflict"]},
                         "blocked_by": {"type": "array", "items": {"type": "string"}},
                         "text": {"type": "string", "description": "In words."}}}
ALLOCATE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "tables": {"type": "integer", "minimum": 1, "maximum": services.MAX_TABLES,
                   "description": "How many tables; with seats_per_table. Tables beyond the "
                                  "number go, the others keep their names."},
        "seats_per_table": {"type": "integer", "minimum": 1, "maximum": services.MAX_SEATS},
        "rounds": {
            "type": "array", "minItems": 1, "maxItems": services.MAX_ROUNDS,
            "description": "The rounds of group work in order; replaces the gathering's rounds.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["mode"],
                "properties": {
                    "mode": {"enum": list(MODES)},
                    "programme_item_id": {"type": ["integer", "null"],
                                          "description": "A group-work item of the programme."},
                },
            },
        },
        "rules": {"type": "object", "additionalProperties": False,
                  "properties": {**RULE_NUMBERS, **RULE_SWITCHES}},
        "seed": {"type": "integer", "minimum": 0, "maximum": services.MAX_SEED},
        "time_limit_s": {"type": "integer", "minimum": 1, "maximum": 60},
        "replan": {"type": "boolean",
                   "description": "Start from the stored plan and move as few people as "
                                  "possible (after a cancellation or a walk-in)."},
    },
}
PERSON = {"type": "object", "additionalProperties": False,
          "required": ["registration_id", "name"],
          "properties": {"registration_id": _ID, "name": {"type": "string"}}}
PLAN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["gathering_id", "planned_at", "rounds", "metrics", "violations", "infeasible",
                 "stale"],
    "properties": {
        "gathering_id": _ID,
        "planned_at": {"type": ["string", "null"], "format": "date-time"},
        "rounds": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["round_id", "number", "mode", "programme_item_id", "tables"],
            "properties": {
                "round_id": _ID,
                "number": {"type": "integer", "minimum": 1},
                "mode": {"enum": list(MODES)},
                "programme_item_id": {"type": ["integer", "null"]},
                "tables": {"type": "object", "description": "Table name → who sits there.",
                           "additionalProperties": {"type": "array", "items": PERSON}},
            },
        }},
        "metrics": {
            "type": "object",
            "required": ["hard_violations", "hard_violations_by_rule", "repeat_pairs",
                         "repeat_pairs_lower_bound", "new_tablemates_share"],
            "properties": {
                "hard_violations": _COUNT,
                "hard_violations_by_rule": {
                    "type": "object", "required": list(RULES), "additionalProperties": False,
                    "properties": {rule: _COUNT for rule in ALL_RULES}},
                "soft_violations": {**_COUNT, "description": "Soft rules and wishes not met "
                                                            "(never counted as broken)."},
                "soft_violations_by_rule": {
                    "type": "object", "additionalProperties": _COUNT,
                    "properties": {rule: _COUNT for rule in services.SOFT_RULES}},
                "repeat_pairs": {**_COUNT, "description": "Times pairs share a table beyond "
                                                          "the first."},
                "repeat_pairs_lower_bound": _COUNT,
                "new_tablemates_share": {"type": "number", "minimum": 0, "maximum": 1},
                "new_tablemates_share_min": {"type": "number", "minimum": 0, "maximum": 1},
                "role_spread": {"type": "array", "description": "Per round: table name → role "
                                "→ count.", "items": {"type": "object"}},
                "seconds": {"type": "number", "minimum": 0},
            },
        },
        "violations": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["rule", "round_number", "round_id", "table", "count", "message",
                         "registration_ids"],
            "properties": {
                "rule": {"enum": ALL_RULES},
                "round_number": {"type": ["integer", "null"]},
                "round_id": {"type": ["integer", "null"]},
                "table": {"type": ["string", "null"]},
                "count": _COUNT,
                "message": {"type": "string", "description": "In words, with names."},
                "registration_ids": {"type": "array", "items": _ID},
                "organisation": {"type": "string"},
                "soft": {"type": "boolean", "description": "A soft rule or a wish, kept as far "
                                                           "as the rules allow."},
                "reason": REASON,
            },
        }},
        "infeasible": {"type": "array", "description": "Rules no plan can meet, and why.",
                       "items": {"type": "object", "additionalProperties": False,
                                 "required": ["rule", "message"],
                                 "properties": {"rule": {"enum": ALL_RULES},
                                                "message": {"type": "string"}}}},
        "stale": {
            "type": "object",
            "additionalProperties": False,
            "required": ["changed", "unseated", "dropped"],
            "description": "What changed since the plan was made; re-plan with replan: true.",
            "properties": {
                "changed": {"type": "boolean",
                            "description": "Tables, rounds, rules or people changed."},
                "unseated": {"type": "array", "items": _ID,
                             "description": "Confirmed people without a seat in some round."},
                "dropped": {"type": "array", "items": _ID,
                            "description": "Seated people no longer confirmed."},
            },
        },
    },
}
ID = [path_param("id", {"type": "integer"})]
JOB_ID = [*ID, path_param("job_id", {"type": "integer"})]
_WHEN = {"type": ["string", "null"], "format": "date-time"}
JOB = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "gathering_id", "status", "replan", "stop_requested", "time_limit_s",
                 "created_at", "started_at", "finished_at", "progress", "message"],
    "description": "A table plan being made in the background. Poll it (getSeatingJob) until "
                   "status is done, stopped, conflict or failed; done and stopped have stored "
                   "the plan (getSeatingPlan).",
    "properties": {
        "id": _ID,
        "gathering_id": _ID,
        "status": {"enum": list(JOB_STATUSES),
                   "description": "queued, running; then done (stored), stopped (stopped early, "
                                  "the best so far stored; nothing if it had not begun), "
                                  "conflict (people, tables or rules changed meanwhile: "
                                  "nothing stored) or failed."},
        "replan": {"type": "boolean"},
        "stop_requested": {"type": "boolean"},
        "time_limit_s": {"type": "integer", "minimum": 1},
        "created_at": {"type": "string", "format": "date-time"},
        "started_at": _WHEN,
        "finished_at": _WHEN,
        "progress": {
            "type": "object",
            "description": "The latest report: seconds searched, iterations, the best plan so "
                           "far and the fewest repeated pairs possible; empty before the first.",
            "properties": {
                "seconds": {"type": ["number", "null"], "minimum": 0},
                "iterations": {"type": ["integer", "null"], "minimum": 0},
                "best": {"type": ["object", "null"], "properties": {
                    "hard_violations": _COUNT, "soft_violations": _COUNT,
                    "repeat_pairs": _COUNT}},
                "lower_bound": {"type": ["integer", "null"], "minimum": 0},
            },
        },
        "message": {"type": ["string", "null"], "description": "Why it ended as it did."},
    },
}


def plan_json(gathering: Gathering, view: services.PlanView) -> dict:
    names = view.names
    tables = {services.table_id(tv.table.id): tv.table.name
              for rv in view.rounds for tv in rv.tables}
    rounds = [rv.round for rv in view.rounds]
    metrics = dict(view.metrics)
    if isinstance(metrics.get("role_spread"), list):
        metrics["role_spread"] = [{tables.get(t, t): counts for t, counts in per_round.items()}
                                  for per_round in metrics["role_spread"]]
    violations = []
    for v in view.violations:
        index = v.get("round")
        rnd = rounds[index] if isinstance(index, int) and 0 <= index < len(rounds) else None
        people = v.get("people") or ([v["person"]] if v.get("person") else [])
        entry = {
            "rule": v.get("rule"), "round_number": index + 1 if rnd is not None else None,
            "round_id": rnd.id if rnd is not None else None,
            "table": tables.get(v.get("table")), "count": int(v.get("count") or 0),
            "message": services.describe(v, names),
            "registration_ids": [i for i in (services._ident(p) for p in people)
                                 if i is not None],
        }
        if v.get("organisation") is not None:
            entry["organisation"] = names.get(str(v["organisation"]), str(v["organisation"]))
        entry["soft"] = bool(v.get("soft", v.get("rule") in services.SOFT_RULES))
        if isinstance(v.get("reason"), dict) and v["reason"].get("code") in ("too_few",
                                                                             "conflict"):
            entry["reason"] = {"code": v["reason"]["code"],
                               "blocked_by": list(v["reason"].get("blocked_by") or []),
                               "text": services.describe_reason(v, names)}
        violations.append(entry)
    return {
        "gathering_id": gathering.id,
        "planned_at": view.planned_at.isoformat() if view.planned_at else None,
        "rounds": [{
            "round_id": rv.round.id, "number": rv.number, "mode": rv.round.mode,
            "programme_item_id": rv.round.programme_item_id,
            "tables": {tv.table.name: [{"registration_id": p.id, "name": p.name}
                                       for p in tv.people] for tv in rv.tables},
        } for rv in view.rounds],
        "metrics": metrics,
        "violations": violations,
        "infeasible": [{"rule": raw.get("rule"), "message": text}
                       for raw, text in zip(view.infeasible_raw, view.infeasible, strict=True)],
        "stale": {"changed": bool(view.stale.changed),
                  "unseated": [r.id for r in view.stale.unseated],
                  "dropped": [r.id for r in view.stale.dropped]},
    }


def job_json(job: SeatingJob) -> dict:
    def when(value):
        return value.isoformat() if value else None

    return {"id": job.id, "gathering_id": job.gathering_id, "status": job.status,
            "replan": job.replan, "stop_requested": job.stop_requested,
            "time_limit_s": job.time_limit_s, "created_at": when(job.created_at),
            "started_at": when(job.started_at), "finished_at": when(job.finished_at),
            "progress": plan_jobs.progress_of(job), "message": job.message}


def _job_answer(job: SeatingJob, status: int = 200):
    location = url_for("api.getSeatingJob", id=job.gathering_id, job_id=job.id)
    return jsonify(job_json(job)), status, {"Location": location}


def _gathering(ident: int) -> Gathering:
    """404 outside the caller's county; 403 for whoever may not read the plan. Changing it
    (``seating.manage``) is asked by the services, after the body's own checks."""
    return policy.load(Gathering, ident, "seating.view", missing=_("No such gathering."))


@operation(bp, "allocateTables", "POST", "/gatherings/{id}/seating",
           summary="Set the tables (tables × seats_per_table), the rounds and the rules where "
           "given, then make the table plan and store it: every confirmed participant once per "
           "round, with the solver's metrics, each broken rule in words and the rules no plan "
           "can meet. replan: true moves as few people as possible from the stored plan. A "
           "small gathering (people × the rounds each attends at most the server's "
           "JOBS_INLINE_MAX_SEATINGS, 100 by default) is planned at once: 200 with the plan. A "
           "larger one is planned in the background: 202 with the job and its Location "
           "(getSeatingJob) to poll. The county's host only: 404 outside the caller's county, "
           "403 for others; 409 when there are no tables, rounds or confirmed participants, or "
           "a plan is being made already.",
           response={"oneOf": [PLAN, JOB]}, request_schema=ALLOCATE, parameters=ID,
           converters={"id": "int"},
           action="seating.manage")
def allocate_tables(id: int, body: dict):  # noqa: A002 - the name is the API's
    user = api_user()
    gathering = _gathering(id)
    if ("tables" in body) != ("seats_per_table" in body):
        missing = "seats_per_table" if "tables" in body else "tables"
        raise ValidationFailed(_("Give tables and seats_per_table together."),
                               fields={missing: _("Give tables and seats_per_table together.")})
    if "tables" in body:
        services.set_tables(gathering, user, count=body["tables"], seats=body["seats_per_table"])
    if "rounds" in body:
        services.set_rounds(gathering, user, [(r["mode"], r.get("programme_item_id"))
                                              for r in body["rounds"]])
    if any(name in body for name in ("rules", "seed", "time_limit_s")):
        settings = services.settings_for(gathering)
        values = {name: getattr(settings, name) for name in
                  (*RULE_NUMBERS, "seed", "time_limit_s")}
        values.update(body.get("rules") or {})
        values.update({k: body[k] for k in ("seed", "time_limit_s") if k in body})
        services.update_settings(gathering, user, **values)
    made = plan_jobs.start(gathering, user, replan=bool(body.get("replan")))
    db.session.commit()
    if isinstance(made, SeatingJob):
        plan_jobs.send(made)
        return _job_answer(made, 202)
    return jsonify(plan_json(gathering, made))


@operation(bp, "getSeatingPlan", "GET", "/gatherings/{id}/seating",
           summary="The stored table plan in allocateTables' shape; stale says who has no seat "
           "or lost their place since it was made. The county's host and career counsellors: "
           "404 outside the caller's county or before the first plan, 403 for others.",
           response=PLAN, parameters=ID, converters={"id": "int"}, action="seating.view")
def get_seating_plan(id: int):  # noqa: A002 - the name is the API's
    gathering = _gathering(id)
    view = services.current_plan(gathering)
    if view is None:
        raise NotFound(_("There is no table plan yet."))
    return jsonify(plan_json(gathering, view))


def _job(gathering: Gathering, job_id: int) -> SeatingJob:
    job = db.session.get(SeatingJob, job_id)
    if job is None or job.gathering_id != gathering.id:
        raise NotFound(_("No such planning job."))
    return job


@operation(bp, "getSeatingJob", "GET", "/gatherings/{id}/seating/jobs/{job_id}",
           summary="A table plan being made in the background (allocateTables' 202): its "
           "status, the best so far and how it ended. The county's host and career "
           "counsellors: 404 outside the caller's county or for another gathering's job.",
           response=JOB, parameters=JOB_ID, converters={"id": "int", "job_id": "int"},
           action="seating.view")
def get_seating_job(id: int, job_id: int):  # noqa: A002 - the name is the API's
    return jsonify(job_json(_job(_gathering(id), job_id)))


@operation(bp, "stopSeatingJob", "POST", "/gatherings/{id}/seating/jobs/{job_id}/stop",
           summary="Stop a planning job early and keep the best plan so far (stored when the "
           "worker sees the stop, within a second or so: poll the job); a queued job ends at "
           "once with nothing stored; an ended job is answered as it is. The county's host "
           "only: 404 outside the caller's county or for another gathering's job.",
           response=JOB, parameters=JOB_ID, converters={"id": "int", "job_id": "int"},
           action="seating.manage")
def stop_seating_job(id: int, job_id: int):  # noqa: A002 - the name is the API's
    job = plan_jobs.stop(_job(_gathering(id), job_id), api_user())
    db.session.commit()
    return _job_answer(job)


allocate_tables.operation.errors = (400, 401, 403, 404, 409)
allocate_tables.operation.also = (202,)
get_seating_job.operation.errors = (400, 401, 403, 404)
stop_seating_job.operation.errors = (400, 401, 403, 404)
get_seating_plan.operation.errors = (400, 401, 403, 404)
