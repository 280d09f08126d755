"""nationalReport and nationalSurveyReport, as API.md names them: the directorate's table of
counties over a year or a period, with who came by role, partner kind and size class, and the
national survey comparison over the same period."""

from flask import jsonify, request
from flask_babel import gettext as _

from eventapp.api import bp
from eventapp.api.auth import api_user
from eventapp.api.spec import operation, query_param
from eventapp.core.errors import ValidationFailed
from eventapp.partners.models import PARTNER_KINDS
from eventapp.places.models import SIZE_CLASSES
from eventapp.registration.models import ROLES
from eventapp.reporting import services
from eventapp.surveys import services as surveys

RULE = {
    "type": "object",
    "required": ["rate_nok", "attendance", "include_speakers"],
    "properties": {
        "rate_nok": {"type": "integer"},
        "attendance": {"enum": ["any_day", "all_days"]},
        "include_speakers": {"type": "boolean"},
    },
}
REPORT_STATUS = {"enum": list(services.STATUS_ORDER),
                 "description": "The least advanced final report among the gatherings "
                 "(none: no report started)."}
FIGURES = {
    "gatherings": {"type": "integer"},
    "participants_attended": {"type": "integer"},
    "municipalities_covered": {"type": "integer",
                               "description": "For a county with several gatherings, the most "
                               "any one of them reached; in the totals, the counties' sum."},
    "municipalities_total": {"type": "integer"},
    "grant_ceiling_nok": {"type": "integer"},
    "granted_nok": {"type": "integer", "description": "Undecided applications count as 0."},
    "spent_nok": {"type": "integer"},
    "per_participant_nok": {"type": ["integer", "null"],
                            "description": "Spent divided by participants, whole NOK rounded "
                            "half up; null when nobody attended."},
    "repay_nok": {"type": "integer"},
    "report_status": REPORT_STATUS,
    "reports_approved": {"type": "integer"},
    "live_gatherings": {"type": "integer",
                        "description": "Gatherings whose report is not submitted: their figures "
                        "are live and may change."},
    "undecided_gatherings": {"type": "integer"},
    "rules": {"type": "array", "items": RULE,
              "description": "Each participant rule the figures were counted by."},
}
_COUNTS = {"type": "integer", "minimum": 0}


def _by(keys) -> dict:
    return {"type": "object", "additionalProperties": False, "required": list(keys),
            "properties": {k: _COUNTS for k in keys}}


WHO = {
    "type": "object",
    "description": "Who came, from the registrations: confirmed and attended by the attendance "
                   "rule each gathering's figures were counted by (any day or every day); "
                   "speakers are a role whether or not the grant counts them.",
    "required": ["attended", "roles", "partner_kinds", "size_classes"],
    "properties": {
        "attended": _COUNTS,
        "roles": _by(ROLES),
        "partner_kinds": {**_by(PARTNER_KINDS),
                          "description": "Those who came for a partner organisation, by the "
                          "kind of the partner picked; a partner written in by name is other."},
        "size_classes": {
            "type": "object",
            "description": "Municipal staff counted by the grant's rule (participants), the "
                           "municipalities they came from (municipalities_came) by the "
                           "municipality's size class in the gathering's year, and the "
                           "county's municipalities of each class in the period's last year "
                           "(municipalities_total); unknown: no figures for the year.",
            "required": list(services.SIZE_KEYS),
            "properties": {k: {"type": "object",
                               "required": ["participants", "municipalities_came",
                                            "municipalities_total"],
                               "properties": {"participants": _COUNTS,
                                              "municipalities_came": _COUNTS,
                                              "municipalities_total": _COUNTS}}
                           for k in services.SIZE_KEYS},
        },
    },
}
ROW = {
    "type": "object",
    "required": ["county_number", "county_name", *FIGURES, "who"],
    "properties": {"county_number": {"type": "string"}, "county_name": {"type": "string"},
                   **FIGURES, "who": WHO},
}
NATIONAL = {
    "type": "object",
    "required": ["year", "from", "to", "rule", "rules", "rows", "totals",
                 "counties_without_gatherings"],
    "properties": {
        "year": {"type": "integer", "description": "The period's last year (kept for clients "
                 "that ask for one year)."},
        "from": {"type": "integer"},
        "to": {"type": "integer"},
        "rule": {**RULE, "description": "The last year's participant rule today; submitted "
                 "reports keep the rule they were counted by (see each row's rules)."},
        "rules": {"type": "array", "description": "Each year's participant rule today.",
                  "items": {"type": "object", "required": ["year", "rule"],
                            "properties": {"year": {"type": "integer"}, "rule": RULE}}},
        "rows": {"type": "array", "items": ROW},
        "totals": {"type": "object", "required": list(FIGURES),
                   "properties": {**FIGURES, "who": WHO}},
        "counties_without_gatherings": {
            "type": "array",
            "items": {"type": "object", "required": ["number", "name"],
                      "properties": {"number": {"type": "string"}, "name": {"type": "string"}}},
        },
    },
}


def figures_json(line: services.Line) -> dict:
    return {
        "gatherings": line.gatherings,
        "participants_attended": line.participants,
        "municipalities_covered": line.municipalities_covered,
        "municipalities_total": line.municipalities_total,
        "grant_ceiling_nok": line.ceiling_nok,
        "granted_nok": line.granted_nok,
        "spent_nok": line.spent_nok,
        "per_participant_nok": line.per_participant_nok,
        "repay_nok": line.repay_nok,
        "report_status": line.report_status,
        "reports_approved": line.approved,
        "live_gatherings": line.live,
        "undecided_gatherings": line.undecided,
        "rules": [r.as_json() for r in line.rules],
    }


def who_json(who: services.Breakdown) -> dict:
    return {
        "attended": who.attended,
        "roles": dict(who.roles),
        "partner_kinds": dict(who.partner_kinds),
        "size_classes": {k: {"participants": who.size_people[k],
                             "municipalities_came": who.size_municipalities[k],
                             "municipalities_total": who.size_total[k]}
                         for k in services.SIZE_KEYS},
    }


YEAR = {"type": "integer", "minimum": services.FIRST_YEAR, "maximum": services.LAST_YEAR}
PERIOD_PARAMS = [
    query_param("from", YEAR, "The period's first year; alone, that one year."),
    query_param("to", YEAR, "The period's last year (not before from); alone, that one year."),
    query_param("year", YEAR, "One year, as from = to = year; not together with from or to."),
]


@operation(bp, "nationalReport", "GET", "/reports/national",
           summary="One row per county with gatherings (not drafts) starting in the period, "
           "summed from the same figures as each gathering's grant page, who came by role, "
           "partner kind and size class, the totals, and the counties without a gathering. "
           "The period is from..to (years, both included), or year; without any, the latest "
           "year up to this one with gatherings. The directorate only (403 for others); 422 "
           "for a year that is not one, from after to, or year beside from/to.",
           response=NATIONAL, parameters=PERIOD_PARAMS, action="report.national")
def national_report():
    user = api_user()
    period = services.parse_period(request.args, services.default_year(user))
    report = services.national(user, period.start, period.end)
    totals = figures_json(report.totals)
    if report.who is not None:
        totals["who"] = who_json(report.who)
    return jsonify({
        "year": report.year, "from": period.start, "to": period.end,
        "rule": report.rule.as_json(),
        "rules": [{"year": y, "rule": r.as_json()} for y, r in sorted(report.rules.items())],
        "rows": [{"county_number": row.county.number, "county_name": row.county.name,
                  **figures_json(row.line), "who": who_json(row.who)} for row in report.rows],
        "totals": totals,
        "counties_without_gatherings": [{"number": c.number, "name": c.name}
                                        for c in report.counties_without],
    })


national_report.operation.errors = (401, 403, 422)


# --- nationalSurveyReport -----------------------------------------------------------------------

_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_RANGE = {"type": ["object", "null"], "properties": {"min": _SHARE, "max": _SHARE}}
SPLIT_OPTION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["value", "label", "label_en", "years", "count", "share"],
    "properties": {
        "value": {"type": "string"}, "label": {"type": "string"},
        "label_en": {"type": ["string", "null"]},
        "years": {"type": "array", "items": {"type": "integer"},
                  "description": "The years of the period whose template offers the option "
                                 "(an option added later belongs to the years that have it)."},
        "count": _COUNTS,
        "share": {**_SHARE, "description": "count / those who answered the question."},
    },
}
SURVEY_COUNTY_ROW = {
    "type": "object",
    "additionalProperties": False,
    "required": ["county_number", "county_name", "responses", "answered", "suppressed"],
    "properties": {
        "county_number": {"type": "string"},
        "county_name": {"type": "string"},
        "responses": {"type": ["integer", "null"],
                      "description": "Null under size_class when the row is suppressed."},
        "answered": {"type": ["integer", "null"]},
        "suppressed": {"type": "boolean",
                       "description": "Figures hidden: fewer than min_group responses, or the "
                                      "next smallest county when one would otherwise follow "
                                      "from the national figure (under size_class also when "
                                      "the class is hidden among the county's classes)."},
        "agree_share": _SHARE,
        "considered": {"type": ["integer", "null"]},
        "counts": {"type": ["object", "null"], "additionalProperties": _COUNTS},
        "options": {"type": ["array", "null"], "items": SPLIT_OPTION},
    },
}
RATE_ROW = {
    "type": "object",
    "additionalProperties": False,
    "required": ["county_number", "county_name", "invited", "responses", "responses_personal",
                 "responses_qr", "response_rate"],
    "properties": {
        "county_number": {"type": "string"}, "county_name": {"type": "string"},
        "invited": _COUNTS, "responses": _COUNTS, "responses_personal": _COUNTS,
        "responses_qr": _COUNTS,
        "response_rate": {**_SHARE, "description": "responses_personal / invited."},
    },
}
NATIONAL_SURVEY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["year", "from", "to", "size_class", "responses", "surveys", "min_group",
                 "invited", "responses_personal", "responses_qr", "response_rate",
                 "response_rates", "counties_without", "template_changes", "questions"],
    "properties": {
        "year": {"type": "integer", "description": "The period's last year."},
        "from": {"type": "integer"},
        "to": {"type": "integer"},
        "size_class": {"type": ["string", "null"]},
        "responses": {"type": ["integer", "null"],
                      "description": "Null under size_class when the class is too small."},
        "surveys": _COUNTS,
        "min_group": {"type": "integer"},
        "invited": {"type": ["integer", "null"], "description": "Null under size_class."},
        "responses_personal": {"type": ["integer", "null"]},
        "responses_qr": {"type": ["integer", "null"],
                         "description": "Through the QR code, counted apart from the rate."},
        "response_rate": {**_SHARE, "description": "responses_personal / invited."},
        "response_rates": {"type": "array", "items": RATE_ROW,
                           "description": "Per county with a survey; empty under size_class."},
        "counties_without": {
            "type": "array", "description": "Counties without a survey response in the period.",
            "items": {"type": "object", "required": ["number", "name"],
                      "properties": {"number": {"type": "string"}, "name": {"type": "string"}}},
        },
        "template_changes": {
            "type": "array",
            "description": "What the national template changed from one year of the period "
                           "to the next (years without change left out).",
            "items": {"type": "object", "required": ["from", "to", "changes"],
                      "properties": {"from": {"type": "integer"}, "to": {"type": "integer"},
                                     "changes": {"type": "array",
                                                 "items": {"type": "object"}}}},
        },
        "questions": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["code", "kind", "text", "text_en", "counties", "answered"],
            "properties": {
                "code": {"type": "string"},
                "kind": {"type": "string"},
                "text": {"type": "string"},
                "text_en": {"type": ["string", "null"]},
                "counties": {"type": "array", "items": SURVEY_COUNTY_ROW},
                "suppressed": {"type": "boolean",
                               "description": "Fewer than min_group responses in the period "
                                              "(or the class): no national figures."},
                "answered": {"type": ["integer", "null"]},
                "agree_share": {**_SHARE, "description": "Of all who answered the question "
                                                         "(vet_ikke included)."},
                "considered": {"type": ["integer", "null"]},
                "range": _RANGE,
                "counts": {"type": ["object", "null"], "additionalProperties": _COUNTS},
                "options": {"type": ["array", "null"], "items": SPLIT_OPTION,
                            "description": "Agreement and single choice: every option of the "
                                           "period's templates, its count and its share of "
                                           "all who answered the question."},
                "ranges": {"type": ["object", "null"], "additionalProperties": _RANGE,
                           "description": "Per option value, the lowest and highest share over "
                                          "the counties shown."},
            },
        }},
    },
}


@operation(bp, "nationalSurveyReport", "GET", "/reports/national/survey",
           summary="Every national question compared across counties over a period: per "
           "county and nationally every option's count and share of those who answered "
           "(agreement and single choice), the agree share, the range over counties with at "
           "least five responses, the response rate with the QR answers apart, and the "
           "counties without responses. The period is from..to or year (one of them is "
           "required); size_class keeps the responses from municipalities of that class. "
           "Directorate only (403 for others); 422 for a year that is not one, from after "
           "to, no period, or an unknown size class.",
           response=NATIONAL_SURVEY,
           parameters=[*PERIOD_PARAMS,
                       query_param("size_class", {"enum": list(SIZE_CLASSES)},
                                   "Only the responses from municipalities of this size class "
                                   "in the gathering's year, of surveys that have closed.")],
           action="survey.national_report")
def national_survey_report():
    if not any(request.args.get(k) for k in ("year", "from", "to")):
        raise ValidationFailed(_("Give a year from %(first)d to %(last)d.",
                                 first=services.FIRST_YEAR, last=services.LAST_YEAR),
                               field="year")
    period = services.parse_period(request.args, services.this_year())
    report = surveys.national_report(period.start, period.end,
                                     size_class=request.args.get("size_class") or None)
    return jsonify(report)


national_survey_report.operation.errors = (400, 401, 403, 422)
