"""The "most useful items" by programme topic (``services.topics``): the page with its table and
chart, its CSV and XLSX, and the API's ``topicReport``. The directorate sees every county (or
one, with ``county``), a county host their own county's gatherings."""

from flask import Response, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.api import bp as api_bp
from eventapp.api.auth import api_user
from eventapp.api.spec import operation, query_param
from eventapp.core import policy
from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.places.models import County
from eventapp.reporting import bp, charts
from eventapp.reporting.services import topics as topic_services
from eventapp.reporting.services.years import (
    FIRST_YEAR,
    LAST_YEAR,
    Period,
    default_year,
    parse_period,
    this_year,
    years_with_data,
)
from eventapp.reporting.views import XLSX, _chart_page


def _picker(period: Period, errors: dict, county: County | None) -> dict:
    # The shape reporting/_years.html's period_form takes (as views._picker builds it).
    found = set(years_with_data(current_user)) | {this_year(), period.start, period.end}
    return {"endpoint": "reporting.topic_report", "years": sorted(found), "period": period,
            "errors": errors, "extra": {"county": county.number} if county else {}}


def topic_chart(report: topic_services.TopicReport) -> dict | None:
    """Bars of the share who ticked an item of each topic where it was held; topics with too
    few respondents (or none) are left out of the chart, and the table says why."""
    shown = [row for row in report.rows if row.share is not None]
    if not shown:
        return None
    labels = [charts._wrap(row.name) for row in shown]
    shares = [round(row.share * 100, 1) for row in shown]
    # The bar says the share; the hover label (and the table) where it was held too, which a
    # phone's width has no room for inside the bar.
    hovers = [_("%(share)s · at %(held)d of %(of)d", share=charts.percent(row.share),
                held=row.held, of=report.gatherings) for row in shown]
    texts = [charts.percent(row.share) for row in shown]
    layout = charts._layout(len(shown), 1, "", 100)
    lines = max(label.count("<br>") + 1 for label in labels)
    layout.update({"height": 80 + len(shown) * max(charts.BAR_HEIGHT, lines * 16 + 8)})
    # No axis title: the caption says what the bars are, and on a phone a title under the
    # narrow plot would be cut off.
    layout["xaxis"].update({"range": [0, 100], "tickformat": ",d", "ticksuffix": " %"})
    del layout["xaxis"]["title"]
    figure = charts.plot(
        [charts.bar(x=shares, y=labels, orientation="h", marker={"color": charts.BLUE},
                    text=texts, textposition="auto", customdata=hovers,
                    hovertemplate="%{customdata}<extra></extra>")],
        layout)
    summary = "; ".join(f"{row.name}: {charts.percent(row.share)}" for row in shown)
    return {"id": "chart-topics", "figure": figure,
            "caption": _("Share who ticked an item of the topic, where it was held, %(period)s",
                         period=report.period.label),
            "label": _("Bar chart of the share of respondents who ticked an item of each topic. "
                       "%(summary)s.", summary=summary)}


def _counties() -> list[County]:
    if not policy.can(current_user, "report.national", record=False):
        return []
    return list(db.session.scalars(db.select(County).where(County.active.is_(True))
                                   .order_by(County.number)))


@bp.get("/reports/topics")
@policy.requires("report.topics")
def topic_report():
    county = topic_services.report_county(current_user, request.args.get("county"))
    shown = default_year(current_user)
    try:
        period, problem, errors = parse_period(request.args, shown), None, {}
    except ValidationFailed as exc:
        period, errors = Period(shown, shown), exc.fields
        problem = _("%(reason)s Showing %(shown)d.", reason=exc.message, shown=shown)
    report = topic_services.topic_report(current_user, period, county)
    chart = topic_chart(report)
    return _chart_page(
        "reporting/topics.html", [chart] if chart else [], 422 if problem else 200,
        report=report, period=period, picker=_picker(period, errors, county), problem=problem,
        counties=_counties(), percent=charts.percent,
        export_args={**period.args(), **({"county": county.number} if county else {})})


@bp.get("/reports/topics.<any(csv, xlsx):fmt>")
@policy.requires("report.topics")
def topic_export(fmt: str):
    from eventapp.reporting.services.files import sheets_to_csv, sheets_to_xlsx

    county = topic_services.report_county(current_user, request.args.get("county"))
    # A bad period in a download link gets the error page with the reason (422), not a file.
    period = parse_period(request.args, default_year(current_user))
    report = topic_services.topic_report(current_user, period, county)
    sheets = [(_("Topics %(period)s", period=period.label), *topic_services.topic_table(report))]
    preamble = topic_services.topic_preamble(report)
    body = (sheets_to_csv(sheets, preamble) if fmt == "csv"
            else sheets_to_xlsx(sheets, preamble))
    response = Response(body, content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{topic_services.topic_filename(report)}.{fmt}"')
    return response


# --- the API ---------------------------------------------------------------------------------

TOPIC_ROW = {
    "type": "object",
    "required": ["code", "name", "active", "held_at", "respondents", "ticked", "share"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string", "description": "In the caller's language when it has one."},
        "active": {"type": "boolean"},
        "held_at": {"type": "integer",
                    "description": "Gatherings with an item of the topic (not cancelled)."},
        "respondents": {"type": "integer",
                        "description": "Released responses at those gatherings that answered the "
                        "“most useful items” question."},
        "ticked": {"type": ["integer", "null"],
                   "description": "Of those, how many ticked an item of the topic; null when "
                   "fewer than min_group answered (hidden)."},
        "share": {"type": ["number", "null"],
                  "description": "ticked ÷ respondents, 0–1; null when hidden or nobody answered."},
    },
}
TOPIC_REPORT = {
    "type": "object",
    "required": ["from", "to", "county_number", "gatherings", "respondents", "min_group",
                 "topics"],
    "properties": {
        "from": {"type": "integer"},
        "to": {"type": "integer"},
        "county_number": {"type": ["string", "null"],
                          "description": "The county asked for; null for all the caller sees."},
        "gatherings": {"type": "integer",
                       "description": "Gatherings counted (not drafts, starting in the period): "
                       "the M of “held at N of M”."},
        "respondents": {"type": "integer",
                        "description": "Released responses at them that answered the question."},
        "min_group": {"type": "integer"},
        "topics": {"type": "array", "items": TOPIC_ROW},
    },
}
YEAR = {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}


@operation(api_bp, "topicReport", "GET", "/reports/topics",
           summary="The survey's “most useful items” by programme topic over a period: per "
           "topic, at how many of the gatherings it was held and the share of respondents "
           "there who ticked an item of it. The directorate sees every county (or one, with "
           "county), a county host their own county (404 for another); others 403.",
           response=TOPIC_REPORT,
           parameters=[query_param("from", YEAR, "First year of the period."),
                       query_param("to", YEAR, "Last year; without from and to, the latest "
                                   "year up to this one with gatherings."),
                       query_param("county", {"type": "string", "pattern": "^[0-9]{2}$"},
                                   "A county's number.")],
           action="report.topics")
def topic_report_api():
    user = api_user()
    county = topic_services.report_county(user, request.args.get("county"))
    period = parse_period(request.args, default_year(user))
    report = topic_services.topic_report(user, period, county)
    return jsonify({
        "from": period.start, "to": period.end,
        "county_number": county.number if county else None,
        "gatherings": report.gatherings, "respondents": report.respondents,
        "min_group": report.min_group,
        "topics": [{"code": r.code, "name": r.name, "active": r.active, "held_at": r.held,
                    "respondents": r.respondents, "ticked": r.ticked, "share": r.share}
                   for r in report.rows],
    })


topic_report_api.operation.errors = (401, 403, 404, 422)
