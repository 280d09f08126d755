"""nationalReport, as API.md names it: the directorate's table of counties for a year."""

from flask import jsonify, request

from eventapp.api import bp
from eventapp.api.auth import api_user
from eventapp.api.spec import operation, query_param
from eventapp.reporting import services

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
ROW = {
    "type": "object",
    "required": ["county_number", "county_name", *FIGURES],
    "properties": {"county_number": {"type": "string"}, "county_name": {"type": "string"},
                   **FIGURES},
}
NATIONAL = {
    "type": "object",
    "required": ["year", "rule", "rows", "totals", "counties_without_gatherings"],
    "properties": {
        "year": {"type": "integer"},
        "rule": {**RULE, "description": "The year's participant rule today; submitted reports "
                 "keep the rule they were counted by (see each row's rules)."},
        "rows": {"type": "array", "items": ROW},
        "totals": {"type": "object", "required": list(FIGURES), "properties": FIGURES},
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


@operation(bp, "nationalReport", "GET", "/reports/national",
           summary="One row per county with gatherings (not drafts) starting in the year, summed "
           "from the same figures as each gathering's grant page, and the totals. The "
           "directorate only (403 for others); 422 for a year that is not one.",
           response=NATIONAL,
           parameters=[query_param("year", {"type": "integer", "minimum": services.FIRST_YEAR,
                                            "maximum": services.LAST_YEAR},
                                   "Without it: the latest year up to this one with gatherings.")],
           action="report.national")
def national_report():
    user = api_user()
    year = services.parse_year(request.args.get("year"))
    report = services.national(user, year if year is not None else services.default_year(user))
    return jsonify({
        "year": report.year,
        "rule": report.rule.as_json(),
        "rows": [{"county_number": row.county.number, "county_name": row.county.name,
                  **figures_json(row.line)} for row in report.rows],
        "totals": figures_json(report.totals),
        "counties_without_gatherings": [{"number": c.number, "name": c.name}
                                        for c in report.counties_without],
    })


national_report.operation.errors = (401, 403, 422)
