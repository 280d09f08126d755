"""The national review pages: the table per county with totals and charts, the drill-down into
one county's gatherings, their CSV and XLSX exports, and plotly.js served from the package."""

from flask import Response, abort, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.core.access import Role, roles_required
from eventapp.core.errors import ValidationFailed
from eventapp.reporting import bp, charts, services

VIEWERS = (Role.DIRECTORATE, Role.COUNTY_HOST, Role.COUNSELLOR)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The app's policy (security_headers in eventapp/__init__.py) with one addition, only on pages
# that draw charts: plotly.js puts its CSS rules into the page by creating an empty <style>
# element and filling it through CSSOM (sheet.insertRule), which CSP does not govern. Chromium
# blocks the empty element itself under style-src 'self', and then no rule can be added (the
# hover labels and chart layout break). The hash below is that of the empty string, so it lets
# through only empty <style> elements: no injected CSS text can match it, and scripts stay
# 'self' only, so nothing else can reach CSSOM. Tested in tests/reporting/test_pages.py (the
# policy) and tests/browser/test_reporting.py (no violation in Chromium).
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
CHART_CSP = (
    "default-src 'self'; img-src 'self' data:; "
    f"style-src 'self' {EMPTY_STYLE_HASH}; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def _year() -> tuple[int, str | None]:
    """The year asked for, or the default; with a message when what was asked is not a year."""
    asked = request.args.get("year")
    try:
        year = services.parse_year(asked)
    except ValidationFailed:
        shown = services.default_year(current_user)
        return shown, _("“%(year)s” is not a year from %(first)d to %(last)d. Showing %(shown)d.",
                        year=asked, first=services.FIRST_YEAR, last=services.LAST_YEAR,
                        shown=shown)
    return (year if year is not None else services.default_year(current_user)), None


def _export_year() -> int:
    # A bad year in a download link gets the error page with the reason (422), not a file.
    year = services.parse_year(request.args.get("year"))
    return year if year is not None else services.default_year(current_user)


def _years(year: int) -> list[int]:
    return sorted(set(services.years_with_data(current_user)) | {services.this_year(), year})


def _download(body: bytes, fmt: str, filename: str) -> Response:
    response = Response(body, mimetype="text/csv; charset=utf-8" if fmt == "csv" else XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/national")
@roles_required(*VIEWERS)
def national():
    year, problem = _year()
    report = services.national(current_user, year)
    figures = charts.national_charts(report)
    response = Response(render_template(
        "reporting/national.html", report=report, year=year, years=_years(year), problem=problem,
        charts=figures, nok=services.grants.nok, report_status_label=services.status_label,
        is_directorate=current_user.role == Role.DIRECTORATE,
        plotlyjs=url_for("reporting.plotlyjs", version=charts.plotlyjs_version()),
        plotly_style_ids=charts.plotlyjs_inline_style_ids()),
        status=422 if problem else 200)
    if figures:
        response.headers["Content-Security-Policy"] = CHART_CSP
    return response


@bp.get("/national.<any(csv, xlsx):fmt>")
@roles_required(*VIEWERS)
def national_export(fmt: str):
    year = _export_year()
    report = services.national(current_user, year)
    table = services.national_table(report)
    body = (services.to_csv(table) if fmt == "csv"
            else services.to_xlsx(table, _("National report %(year)d", year=year)))
    return _download(body, fmt, f"national-report-{year}")


def _county(county_number: str):
    county = services.visible_county(current_user, county_number)
    if county is None:
        abort(404)
    return county


@bp.get("/national/<county_number>")
@roles_required(*VIEWERS)
def county(county_number: str):
    county = _county(county_number)
    year, problem = _year()
    row = services.county_report(current_user, county, year)
    return render_template(
        "reporting/county.html", county=county, row=row, year=year, years=_years(year),
        problem=problem, nok=services.grants.nok, report_status_label=services.status_label,
        year_rule=services.Rule.of(services.grants.rules_for(year)),
        is_directorate=current_user.role == Role.DIRECTORATE,
    ), 422 if problem else 200


@bp.get("/national/<county_number>.<any(csv, xlsx):fmt>")
@roles_required(*VIEWERS)
def county_export(county_number: str, fmt: str):
    county = _county(county_number)
    year = _export_year()
    table = services.county_table(services.county_report(current_user, county, year))
    body = (services.to_csv(table) if fmt == "csv"
            else services.to_xlsx(table, f"{county.name} {year}"))
    return _download(body, fmt, f"grant-report-{county.number}-{year}")


@bp.get("/assets/plotly-<version>.min.js")
def plotlyjs(version: str):
    """plotly.js from the installed plotly package, never a CDN. The version is in the address,
    so a browser may keep the file for a year: an upgrade changes the address."""
    if version != charts.plotlyjs_version():
        abort(404)
    response = send_file(charts.plotlyjs_path(), mimetype="text/javascript", max_age=31_536_000,
                         conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
