"""getGrant, as API.md names it: the same figures the grant page shows."""

from flask import jsonify
from flask_babel import gettext as _

from eventapp.api import bp
from eventapp.api.spec import operation, path_param
from eventapp.core import policy
from eventapp.gatherings.models import Gathering
from eventapp.grants import services
from eventapp.grants.models import ATTENDANCE_RULES, REPORT_STATUSES

_NOK = {"type": "integer", "minimum": 0}
_NOK_OR_NULL = {"type": ["integer", "null"], "minimum": 0}
_COUNT = {"type": "integer", "minimum": 0}
GRANT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["gathering_id", "participants_attended", "grant_ceiling_nok", "granted_nok",
                 "spent_nok", "per_participant_nok", "planned_nok", "applied_nok", "keep_nok",
                 "repay_nok", "over_ceiling_nok", "unspent_nok", "overspent_nok",
                 "application_status", "report_status", "frozen", "settled", "participant_rule",
                 "groups"],
    "properties": {
        "gathering_id": {"type": "integer"},
        "settled": {"type": "boolean", "description": "The grant is decided and the gathering "
                    "held: keep and repay are final figures (before that they read 0)."},
        "participants_attended": {**_COUNT, "description": "Counted by participant_rule."},
        "grant_ceiling_nok": {**_NOK, "description": "rate_nok × participants_attended."},
        "granted_nok": {**_NOK_OR_NULL, "description": "null until the directorate decides."},
        "spent_nok": {**_NOK, "description": "The budget's actual amounts, summed."},
        "per_participant_nok": {**_NOK_OR_NULL,
                                "description": "spent_nok / participants, half up; null when "
                                               "nobody attended."},
        "planned_nok": {**_NOK, "description": "The budget's planned amounts, summed."},
        "applied_nok": _NOK_OR_NULL,
        "keep_nok": {**_NOK, "description": "The least of granted, ceiling and spent."},
        "repay_nok": {**_NOK, "description": "granted − keep = over_ceiling + unspent."},
        "over_ceiling_nok": {**_NOK, "description": "Granted beyond the ceiling."},
        "unspent_nok": {**_NOK, "description": "Allowed by grant and ceiling, but not spent."},
        "overspent_nok": {**_NOK, "description": "Spent beyond the grant; the county's cost."},
        "application_status": {"enum": ["none", "submitted", "decided"]},
        "report_status": {"enum": ["none", *REPORT_STATUSES]},
        "frozen": {"type": "boolean",
                   "description": "true: the figures are the copy in the submitted report."},
        "participant_rule": {
            "type": "object",
            "additionalProperties": False,
            "required": ["rate_nok", "attendance", "include_speakers"],
            "properties": {
                "rate_nok": {"type": "integer", "minimum": 1},
                "attendance": {"enum": list(ATTENDANCE_RULES)},
                "include_speakers": {"type": "boolean"},
            },
        },
        "groups": {
            "type": "object",
            "additionalProperties": False,
            "required": ["municipal_staff", "county_staff", "partners", "speakers",
                         "municipalities_covered", "municipalities_total"],
            "properties": {
                "municipal_staff": _COUNT,
                "county_staff": _COUNT,
                "partners": _COUNT,
                "speakers": {**_COUNT, "description": "Speakers who attended; inside the groups "
                                                      "only when include_speakers is true."},
                "municipalities_covered": _COUNT,
                "municipalities_total": _COUNT,
            },
        },
    },
}
ID = [path_param("id", {"type": "integer"})]


def grant_json(figures: services.GrantFigures) -> dict:
    s = figures.settlement
    c = figures.counts
    settled = figures.settled
    application = figures.application
    return {
        "gathering_id": figures.gathering.id,
        "participants_attended": c.participants,
        "grant_ceiling_nok": s.ceiling_nok,
        "granted_nok": figures.granted_nok,
        "spent_nok": s.spent_nok,
        "per_participant_nok": s.per_participant_nok,
        "planned_nok": figures.planned_nok,
        "applied_nok": application.applied_nok if application is not None else None,
        # Until the grant is decided and the gathering held, nothing is kept or repaid yet.
        "keep_nok": s.keep_nok if settled else 0,
        "repay_nok": s.repay_nok if settled else 0,
        "over_ceiling_nok": s.over_ceiling_nok if settled else 0,
        "unspent_nok": s.unspent_nok if settled else 0,
        "overspent_nok": s.overspent_nok if figures.granted_nok is not None else 0,
        "application_status": application.status if application is not None else "none",
        "report_status": figures.report_status,
        "frozen": figures.frozen,
        "settled": settled,
        "participant_rule": {"rate_nok": figures.rate_nok, "attendance": figures.attendance,
                             "include_speakers": bool(figures.include_speakers)},
        "groups": {"municipal_staff": c.municipal_staff, "county_staff": c.county_staff,
                   "partners": c.partners, "speakers": c.speakers,
                   "municipalities_covered": c.municipalities_covered,
                   "municipalities_total": c.municipalities_total},
    }


@operation(bp, "getGrant", "GET", "/gatherings/{id}/grant",
           summary="The gathering's grant figures, as its grant page shows them: participants by "
           "the directorate's rule, ceiling, granted, spent, per participant, what the county "
           "keeps and repays. Live until the final report is submitted, then the report's "
           "copy. The directorate and the county's host and career counsellors; 404 outside "
           "the caller's county, 403 for the county's municipal contacts.",
           response=GRANT, parameters=ID, converters={"id": "int"}, action="grant.view")
def get_grant(id: int):  # noqa: A002 - the name is the API's
    gathering = policy.load(Gathering, id, missing=_("No such gathering."))
    return jsonify(grant_json(services.figures(gathering)))
