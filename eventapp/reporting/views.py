"""The national review pages: the table per county with totals and charts, the drill-down into
one county's gatherings, and their CSV and XLSX exports (plotly.js is a static file: core/assets.py).
A gathering's survey results (charts, free-text answers sorted into themes, exports) and the
national survey comparison."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventapp.core import policy
from eventapp.core.errors import DomainError, ValidationFailed
from eventapp.core.web import act, attempt
from eventapp.gatherings.models import Gathering
from eventapp.grants import services as grants
from eventapp.reporting import bp, charts, services
from eventapp.reporting.forms import RenameThemeForm, TagAnswersForm, ThemeForm
from eventapp.surveys import services as surveys

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


def _chart_page(template: str, figures, status: int, **context) -> Response:
    """A page with plotly charts: plotly.js from the app, and the CSP that lets it style them."""
    response = Response(render_template(
        template, charts=figures, **context,
        plotlyjs=url_for("static", filename=charts.PLOTLYJS),
        plotly_style_ids=charts.plotlyjs_inline_style_ids()), status=status)
    if figures:
        response.headers["Content-Security-Policy"] = CHART_CSP
    return response


def _period(found: list[int], default=services.default_year):
    """The period asked for, or the year ``default(user, found)`` (``found``: the years with
    data, asked once for this and the picker); when what was asked is refused, the default
    with a message for the top of the page and one beside each field at fault."""
    shown = default(current_user, found)
    try:
        return services.parse_period(request.args, shown), None, {}
    except ValidationFailed as exc:
        return services.Period(shown, shown), _(
            "%(reason)s Showing %(shown)d.", reason=exc.message, shown=shown), exc.fields


def _export_period(default=services.default_year):
    # A bad period in a download link gets the error page with the reason (422), not a file.
    return services.parse_period(request.args, default(current_user))


def _years(period, found: list[int]) -> list[int]:
    return sorted(set(found) | {services.this_year(), period.start, period.end})


def _picker(endpoint: str, period, found: list[int], errors=None, **extra):
    """What the period form needs: the years to pick from, the period shown, errors by field."""
    return {"endpoint": endpoint, "years": _years(period, found), "period": period,
            "errors": errors or {}, "extra": extra}


def _download(body: bytes, fmt: str, filename: str) -> Response:
    # content_type, not mimetype: Flask adds "; charset=utf-8" to a text mimetype itself.
    response = Response(body, content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@bp.get("/reports/national")
@policy.requires("report.view")
def national():
    found = services.years_with_data(current_user)
    period, problem, errors = _period(found)
    report = services.national(current_user, period.start, period.end)
    size_labels = [(size, services.size_label(size)) for size in services.SIZE_KEYS]
    figures = charts.national_charts(report, services.role_labels(), size_labels)
    picker = _picker("reporting.national", period, found, errors=errors)
    return _chart_page(
        "reporting/national.html", figures, 422 if problem else 200, report=report,
        year=period.end, period=period, years=picker["years"], picker=picker, problem=problem,
        nok=grants.nok, report_status_label=services.status_label,
        role_labels=services.role_labels(), partner_kind_labels=services.partner_kind_labels(),
        size_labels=size_labels)


@bp.get("/reports/national.<any(csv, xlsx):fmt>")
@policy.requires("report.view")
def national_export(fmt: str):
    period = _export_period()
    report = services.national(current_user, period.start, period.end)
    sheets, preamble = services.national_sheets(report), services.national_preamble(report)
    body = (services.sheets_to_csv(sheets, preamble) if fmt == "csv"
            else services.sheets_to_xlsx(sheets, preamble))
    return _download(body, fmt, f"national-report-{period.slug}")


def _county(county_number: str):
    county = services.visible_county(current_user, county_number)
    if county is None:
        abort(404)
    return county


@bp.get("/reports/national/<county_number>")
@policy.requires("report.view")
def county(county_number: str):
    county = _county(county_number)
    found = services.years_with_data(current_user)
    period, problem, errors = _period(found)
    row = services.county_report(current_user, county, period.start, period.end)
    picker = _picker("reporting.county", period, found, errors=errors,
                     county_number=county.number)
    return render_template(
        "reporting/county.html", county=county, row=row, year=period.end, period=period,
        years=picker["years"], problem=problem, nok=grants.nok, picker=picker,
        report_status_label=services.status_label,
        year_rule=services.Rule.of(grants.rules_for(period.end)),
    ), 422 if problem else 200


@bp.get("/reports/national/<county_number>.<any(csv, xlsx):fmt>")
@policy.requires("report.view")
def county_export(county_number: str, fmt: str):
    county = _county(county_number)
    period = _export_period()
    table = services.county_table(services.county_report(current_user, county, period.start,
                                                         period.end))
    body = (services.to_csv(table) if fmt == "csv"
            else services.to_xlsx(table, f"{county.name} {period.label}"))
    return _download(body, fmt, f"grant-report-{county.number}-{period.slug}")


# --- a gathering's survey results ----------------------------------------------------------

def _survey_gathering(gathering_id: int) -> Gathering:
    """The route's gathering: 404 outside the user's scope, 403 unless the route's action
    allows."""
    return policy.load(Gathering, gathering_id)


def _survey(gathering: Gathering):
    survey = surveys.find_survey(gathering)
    if survey is None:
        abort(404)
    return survey


def _filters() -> tuple[str | None, str | None, str | None, str | None]:
    """The participant group, settles and size class filter asked for; a value that is not
    one of the choices is dropped with a message, and the page shows everyone."""
    group = request.args.get("group") or None
    settles = request.args.get("settles") or None
    size_class = request.args.get("size_class") or None
    problem = None
    if group is not None and group not in dict(services.survey_group_choices()):
        group, problem = None, _("Choose a participant group from the list.")
    if settles is not None and settles not in dict(services.settles_choices()):
        settles, problem = None, _("Choose what the municipality settles from the list.")
    if size_class is not None and size_class not in dict(services.size_choices()):
        size_class, problem = None, _("Choose a size class from the list.")
    return group, settles, size_class, problem


def _choices(key: str) -> dict:
    return dict({"group": services.survey_group_choices, "settles": services.settles_choices,
                 "size_class": services.size_choices}[key]())


def _back(gathering: Gathering, anchor: str | None = None):
    # The filters travel in the form, so saving keeps the page as it was.
    args = {k: v for k in ("group", "settles", "size_class")
            if (v := request.form.get(k)) and v in _choices(k)}
    return redirect(url_for("reporting.survey_results", gathering_id=gathering.id, **args,
                            _anchor=anchor))


def _survey_results(survey, group, settles, size_class):
    """The results under the filter, or (when results() refuses the filter, as it does for two
    filters at once) everyone's with the reason."""
    try:
        return services.survey_results(survey, group=group, settles=settles,
                                       size_class=size_class), None
    except ValidationFailed as exc:
        return services.survey_results(survey), exc.message


def _results_page(gathering: Gathering, *, theme_form=None, rename_forms=None,
                  status: int = 200, problem: str | None = None, group=None, settles=None,
                  size_class=None):
    survey = surveys.find_survey(gathering)
    report = figures = None
    usage = {}
    if survey is not None:
        report, refused = _survey_results(survey, group, settles, size_class)
        if refused:
            problem, status, group, settles, size_class = refused, 422, None, None, None
        figures = charts.survey_charts(report.figures)
        usage = services.theme_usage(survey)
    tagger = policy.can(current_user, "survey.tag", gathering)
    if tagger and theme_form is None:
        theme_form = ThemeForm(formdata=None)
    rename_forms = rename_forms or {}
    if report is not None and tagger:
        for theme in report.themes:
            rename_forms.setdefault(theme.id, RenameThemeForm(
                formdata=None, prefix=f"theme-{theme.id}", name=theme.name))
    return _chart_page(
        "reporting/survey_results.html", figures or {}, status, gathering=gathering,
        survey=survey, report=report, theme_form=theme_form if tagger else None,
        rename_forms=rename_forms, problem=problem, group=group, settles=settles,
        size_class=size_class, usage=usage, group_choices=services.survey_group_choices(),
        settles_choices=services.settles_choices(), size_choices=services.size_choices(),
        percent=charts.percent)


@bp.get("/gatherings/<int:gathering_id>/survey/results")
@policy.requires("survey.results")
def survey_results(gathering_id: int):
    gathering = _survey_gathering(gathering_id)
    group, settles, size_class, problem = _filters()
    return _results_page(gathering, group=group, settles=settles, size_class=size_class,
                         problem=problem, status=422 if problem else 200)


@bp.get("/gatherings/<int:gathering_id>/survey/results.<any(csv, xlsx):fmt>")
@policy.requires("survey.export")
def survey_export(gathering_id: int, fmt: str):
    gathering = _survey_gathering(gathering_id)
    survey = _survey(gathering)
    group, settles, size_class, problem = _filters()
    if problem:
        abort(422, problem)
    try:
        report = services.survey_results(survey, group=group, settles=settles,
                                         size_class=size_class)
    except ValidationFailed as exc:
        abort(422, exc.message)
    sheets, preamble = services.survey_tables(report), services.survey_preamble(report)
    body = (services.sheets_to_csv(sheets, preamble) if fmt == "csv"
            else services.sheets_to_xlsx(sheets, preamble))
    return _download(body, fmt, services.survey_filename(gathering, group, settles, size_class))


def _gathering_and_survey(gathering_id: int):
    gathering = _survey_gathering(gathering_id)
    return gathering, _survey(gathering)


@bp.post("/gatherings/<int:gathering_id>/survey/themes")
@policy.requires("survey.tag")
def create_theme(gathering_id: int):
    gathering, survey = _gathering_and_survey(gathering_id)
    form = ThemeForm()
    theme, status = attempt(form, lambda: services.create_theme(survey, current_user,
                                                               form.name.data))
    if theme is None:
        group, settles, size_class = _filters_from_form()
        return _results_page(gathering, theme_form=form, status=status, group=group,
                             settles=settles, size_class=size_class)
    flash(_("The theme “%(name)s” is added.", name=theme.name), "success")
    return _back(gathering, "themes")


def _filters_from_form() -> tuple[str | None, str | None, str | None]:
    values = [request.form.get(k) or None for k in ("group", "settles", "size_class")]
    return tuple(v if v in _choices(k) else None
                 for k, v in zip(("group", "settles", "size_class"), values, strict=True))


def _theme(survey, theme_id: int):
    try:
        return services.theme_of(survey, theme_id)
    except DomainError:
        abort(404)


@bp.post("/gatherings/<int:gathering_id>/survey/themes/<int:theme_id>")
@policy.requires("survey.tag")
def rename_theme(gathering_id: int, theme_id: int):
    gathering, survey = _gathering_and_survey(gathering_id)
    theme = _theme(survey, theme_id)
    form = RenameThemeForm(prefix=f"theme-{theme.id}")
    renamed, status = attempt(form, lambda: services.rename_theme(theme, current_user,
                                                                 form.name.data))
    if renamed is None:
        group, settles, size_class = _filters_from_form()
        return _results_page(gathering, rename_forms={theme_id: form}, status=status,
                             group=group, settles=settles, size_class=size_class)
    flash(_("The theme is renamed “%(name)s”.", name=renamed.name), "success")
    return _back(gathering, "themes")


@bp.get("/gatherings/<int:gathering_id>/survey/themes/<int:theme_id>/delete")
@policy.requires("survey.tag")
def confirm_delete_theme(gathering_id: int, theme_id: int):
    """Deleting a theme unties it from every answer it is on, so the page says how many first."""
    gathering, survey = _gathering_and_survey(gathering_id)
    theme = _theme(survey, theme_id)
    return render_template("reporting/theme_delete.html", gathering=gathering, theme=theme,
                           used=services.theme_usage(survey).get(theme.id, 0))


@bp.post("/gatherings/<int:gathering_id>/survey/themes/<int:theme_id>/delete")
@policy.requires("survey.tag")
def delete_theme(gathering_id: int, theme_id: int):
    gathering, survey = _gathering_and_survey(gathering_id)
    theme = _theme(survey, theme_id)
    if request.form.get("confirm") != "yes":
        # Only the confirmation page's form says yes; anything else goes there first.
        return redirect(url_for("reporting.confirm_delete_theme", gathering_id=gathering.id,
                                theme_id=theme.id))
    name = theme.name
    act(lambda: services.delete_theme(theme, current_user),
        lambda _r: _("The theme “%(name)s” is deleted; the answers stay.", name=name),
        _("The form had expired. Please send it again."))
    return _back(gathering, "themes")


def _number(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else None


@bp.post("/gatherings/<int:gathering_id>/survey/answers/themes")
@policy.requires("survey.tag")
def tag_answers(gathering_id: int):
    """One question's tagging control: the theme added to (or taken off) every answer ticked.
    The answers are named by the handles their page gave them (``services.answer_handle``),
    never by their ids."""
    gathering, survey = _gathering_and_survey(gathering_id)
    form = TagAnswersForm()
    changed, status = attempt(form, lambda: services.theme_answers(
        survey, current_user, form.page.data, form.answer.data or [], _number(form.theme.data),
        form.action.data))
    if changed is None:
        group, settles, size_class = _filters_from_form()
        problem = next(iter([*form.form_errors,
                             *(e for f in form for e in f.errors if f.name != "csrf_token")]),
                       _("The form had expired. Please send it again."))
        return _results_page(gathering, status=status, problem=problem, group=group,
                             settles=settles, size_class=size_class)
    flash(ngettext("The theme is saved on %(num)d answer.", "The theme is saved on %(num)d "
                   "answers.", len(set(form.answer.data)))
          if form.action.data == "add" else
          ngettext("The theme is taken off %(num)d answer.", "The theme is taken off %(num)d "
                   "answers.", len(set(form.answer.data))), "success")
    question = _number(form.question.data)
    return _back(gathering, f"q-{question}" if question is not None else "themes")


# --- the national survey comparison --------------------------------------------------------

def _size_class(errors: dict) -> str | None:
    """The size class asked for; one that is not a class is dropped with a message by the
    field."""
    size_class = request.args.get("size_class") or None
    if size_class is not None and size_class not in dict(services.size_choices()):
        errors["size_class"] = _("Choose a size class from the list.")
        return None
    return size_class


@bp.get("/reports/national/survey")
@policy.requires("survey.compare")
def national_survey():
    found = services.survey_years(current_user)
    period, problem, errors = _period(found, services.default_survey_year)
    errors = dict(errors)
    size_class = _size_class(errors)
    if errors and not problem:
        problem = errors["size_class"]
    report = services.national_survey(current_user, period.start, period.end,
                                      size_class=size_class)
    figures = charts.national_survey_charts(report)
    picker = _picker("reporting.national_survey", period, found, errors)
    # Every question's table links each county to its gatherings' results: built once per
    # gathering, not per question (url_for was a tenth of the page's time).
    linked = {link["gathering_id"] for q in report["questions"] for row in q["counties"]
              for link in row["links"]}
    results_urls = {gathering_id: url_for("reporting.survey_results", gathering_id=gathering_id)
                    for gathering_id in linked}
    return _chart_page(
        "reporting/survey_national.html", figures, 422 if problem else 200, report=report,
        results_urls=results_urls,
        year=period.end, period=period, years=picker["years"], picker=picker,
        size_class=size_class, size_choices=services.size_choices(), problem=problem,
        percent=charts.percent, settles_choices_for=services.settles_choices_for)


@bp.get("/reports/national/survey.<any(csv, xlsx):fmt>")
@policy.requires("survey.compare")
def national_survey_export(fmt: str):
    period = _export_period(services.default_survey_year)
    size_class = request.args.get("size_class") or None
    report = services.national_survey(current_user, period.start, period.end,
                                      size_class=size_class)
    sheets = services.national_survey_sheets(report)
    preamble = services.national_survey_preamble(report)
    body = (services.sheets_to_csv(sheets, preamble) if fmt == "csv"
            else services.sheets_to_xlsx(sheets, preamble))
    return _download(body, fmt, services.national_survey_filename(current_user, period,
                                                                  size_class))
