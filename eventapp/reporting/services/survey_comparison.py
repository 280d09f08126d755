"""The national survey comparison over a period: ``surveys.services.national_report`` as the
user may see it, each county row with links to its gatherings' results, its top items and its
top themes; optionally for one size class of municipality."""

import json
from collections import Counter

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, extract, func, select

from eventapp.core import policy
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.places.models import County
from eventapp.reporting.services import years
from eventapp.reporting.services.files import as_share, percent_text, slug
from eventapp.reporting.services.grant_report import size_label
from eventapp.reporting.services.survey_results import (
    english,
    in_language,
    localise,
    settles_choices,
)
from eventapp.reporting.services.years import Period
from eventapp.surveys import services as surveys
from eventapp.surveys.models import (
    TEXT_KINDS,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyTheme,
    survey_answer_themes,
)

TOP_ITEMS = 3
TOP_THEMES = 5


def survey_years(user) -> list[int]:
    year = extract("year", Gathering.start_date)
    found = db.session.scalars(years.reported(
        select(year).join(Survey, Survey.gathering_id == Gathering.id).distinct(), user))
    return sorted({int(y) for y in found if y is not None})


def default_survey_year(user, found: list[int] | None = None) -> int:
    """The latest year up to this one with surveys; else now. ``found``: survey_years(user),
    when the caller has it."""
    now = years.this_year()
    past = [y for y in (survey_years(user) if found is None else found) if y <= now]
    return past[-1] if past else now


def _period_surveys(user, period: Period, codes: set[str]) -> list[dict]:
    """The period's surveys the user may open, as national_report() picks them, in the order
    of their gatherings: each with its id, its gathering's id and title, its county's number
    and its questions of these ``codes`` ({code: (question id, options as stored)}). One
    statement of the columns the county rows read, not the surveys, gatherings and questions
    as objects."""
    stmt = (select(Survey.id, Survey.gathering_id, Gathering.title, County.number,
                   SurveyQuestion.id.label("question_id"), SurveyQuestion.code,
                   SurveyQuestion.options)
            .join(Gathering, Gathering.id == Survey.gathering_id)
            .join(County, County.id == Gathering.county_id)
            .outerjoin(SurveyQuestion, and_(SurveyQuestion.survey_id == Survey.id,
                                            SurveyQuestion.code.in_(codes)))
            .where(Gathering.start_date >= period.first_day,
                   Gathering.start_date <= period.last_day)
            .order_by(Gathering.start_date, Gathering.id, Survey.id))
    surveys: dict[int, dict] = {}
    for row in db.session.execute(years.reported(stmt, user)):
        survey = surveys.setdefault(row.id, {"id": row.id, "gathering_id": row.gathering_id,
                                             "title": row.title, "county_number": row.number,
                                             "questions": {}})
        if row.question_id is not None:
            survey["questions"][row.code] = (row.question_id, row.options)
    return list(surveys.values())


def _top_items(copies: list[tuple[int, str | None]], counts: dict[int, dict]) -> list[dict]:
    """The most chosen items over a county's copies of the question ((id, options) each), by
    their titles (each gathering has its own programme), with each share of those who answered
    (``counts``: surveys.national_figures, so the same responses as the row's figures; a
    response answers its own survey's copy only, so the copies' respondents add up)."""
    chosen: Counter = Counter()
    answered = 0
    for question_id, options in copies:
        copy = counts.get(question_id)
        if copy is None:  # not counted: a survey still open under the size-class filter
            continue
        labels = {o["value"]: in_language(o, "label")
                  for o in (json.loads(options) if options else [])}
        for choice, n in copy["choices"].items():
            chosen[labels.get(choice, choice)] += n
        answered += copy["respondents"]
    top = sorted(chosen.items(), key=lambda kv: (-kv[1], kv[0].casefold(), kv[0]))[:TOP_ITEMS]
    return [{"label": label, "count": n, "share": n / answered} for label, n in top]


def _theme_counts(survey_ids: list[int], codes: set[str]) -> dict[int, list[tuple[str, int]]]:
    """{question id: [(theme name, answers tagged)]} over these surveys' questions of these
    ``codes``, in one query. The questions are picked by a subquery, not by their ids: some
    eighty ids as parameters made a statement too long for psycopg to keep its parsing."""
    questions = select(SurveyQuestion.id).where(SurveyQuestion.survey_id.in_(survey_ids or [-1]),
                                                SurveyQuestion.code.in_(sorted(codes)))
    found: dict[int, list[tuple[str, int]]] = {}
    for question_id, name, n in db.session.execute(
            select(SurveyAnswer.question_id, SurveyTheme.name, func.count())
            .join(survey_answer_themes, survey_answer_themes.c.theme_id == SurveyTheme.id)
            .join(SurveyAnswer, SurveyAnswer.id == survey_answer_themes.c.answer_id)
            .where(SurveyAnswer.question_id.in_(questions))
            .group_by(SurveyAnswer.question_id, SurveyTheme.name)).all():
        found.setdefault(question_id, []).append((name, n))
    return found


def _top_themes(question_ids: list[int], tagged: dict[int, list[tuple[str, int]]]) -> list[dict]:
    """The themes most often tagged on these questions' answers (``tagged``: _theme_counts),
    by name as tagged (themes belong to one survey; two surveys' themes of the same name count
    as one)."""
    counts: dict[str, list] = {}
    for question_id in question_ids:
        for name, n in tagged.get(question_id, []):
            entry = counts.setdefault(name.casefold(), [name, 0])
            entry[1] += n
    top = sorted(counts.values(), key=lambda e: (-e[1], e[0].casefold()))[:TOP_THEMES]
    return [{"name": name, "count": n} for name, n in top]


def _county_details(user, period: Period, questions: list[dict], counts: dict[int, dict]) -> None:
    """Adds to each county row the user may see: ``links`` to its gatherings' results, and
    for a county not suppressed the top items (``top_items``, from the report's ``counts``)
    or the top themes (``themes``) of the question."""
    items_codes = {q["code"] for q in questions if q["kind"] == "programme_items"}
    text_codes = {q["code"] for q in questions if q["kind"] in TEXT_KINDS}
    year_surveys = _period_surveys(user, period, items_codes | text_codes)
    by_county: dict[str, list[dict]] = {}
    for survey in year_surveys:
        by_county.setdefault(survey["county_number"], []).append(survey)
    tagged = _theme_counts([s["id"] for s in year_surveys], text_codes)
    for q in questions:
        for row in q["counties"]:
            mine = by_county.get(row["county_number"], [])
            row["links"] = [] if row["suppressed"] else [
                {"gathering_id": s["gathering_id"], "title": s["title"]} for s in mine]
            if row["suppressed"]:
                continue
            copies = [s["questions"][q["code"]] for s in mine if q["code"] in s["questions"]]
            if q["kind"] == "programme_items":
                row["top_items"] = _top_items(copies, counts)
            elif q["kind"] in TEXT_KINDS:
                row["themes"] = _top_themes([question_id for question_id, _options in copies],
                                            tagged)


def national_survey(user, start: int, end: int | None = None, *,
                    size_class: str | None = None) -> dict:
    """national_report(start, end) as ``user`` may see it: the directorate every county; a
    county host the national figure and ranges, and only their own county's rows. Each county
    row the user sees gains links to its results pages, its top items and its top themes."""
    policy.authorize(user, "survey.compare")
    period = Period(start, start if end is None else end)
    report, counts = surveys.national_figures(period.start, period.end, size_class=size_class)
    report["period"] = period
    localise(report["questions"])
    if english():  # in Norwegian every label is already in its language
        for q in report["questions"]:
            for row in q["counties"]:
                for option in row.get("options") or []:
                    option["label"] = in_language(option, "label")
    if not policy.can(user, "survey.national_report"):
        own = user.county.number if user.county else None
        for question in report["questions"]:
            question["counties"] = [r for r in question["counties"] if r["county_number"] == own]
        report["response_rates"] = [r for r in report["response_rates"]
                                    if r["county_number"] == own]
        report["counties_without"] = []
    _county_details(user, period, report["questions"], counts)
    return report


def national_survey_filename(user, period: Period, size_class: str | None = None) -> str:
    if policy.can(user, "survey.national_report") or user.county is None:
        name = f"sporreundersokelse-fylkene-{period.slug}"
    else:
        name = f"sporreundersokelse-{slug(user.county.name)}-{period.slug}"
    return f"{name}-{slug(size_label(size_class))}" if size_class else name


def national_survey_preamble(report: dict) -> list[list]:
    period = report["period"]
    responses = report["responses"]
    counted = (ngettext("%(num)d response", "%(num)d responses", responses)
               if responses is not None else _("Too few responses"))
    lines = [[_("Year") if period.single else _("Period"), period.label],
             [_("Responses"), counted + " · "
              + ngettext("%(num)d survey", "%(num)d surveys", report["surveys"])]]
    if report["size_class"]:
        lines.append([_("Size class"), size_label(report["size_class"])])
    elif report["invited"]:
        lines.append([_("Response rate"), _(
            "%(rate)s of %(invited)d invited answered by their personal link; %(qr)d answers "
            "through the QR code besides", rate=percent_text(report["response_rate"]),
            invited=report["invited"], qr=report["responses_qr"])])
    return lines


def _range_text(rng: dict | None) -> str:
    return f"{percent_text(rng['min'])}–{percent_text(rng['max'])}" if rng else ""


def national_survey_table(report: dict) -> tuple[list, list[list]]:
    """Per question a row per county and figure, the national rows and the ranges: for the
    agreement and single-choice questions every option with its count and its share of those
    who answered."""
    header = [_("Question"), _("County"), _("Responses"), _("Answered"), _("Figure"),
              _("Count"), _("Share")]
    rows = []
    for q in report["questions"]:
        text = q["text"]
        few = _("Too few responses")
        split = q["kind"] in ("agreement", "single")
        for r in q["counties"]:
            place = [text, r["county_name"], r["responses"] if r["responses"] is not None else ""]
            if r["suppressed"]:
                rows.append([*place, "", few, ""])
                continue
            if q["kind"] == "agreement":
                rows.append([*place, r["answered"], _("Agree fully or partly"),
                             as_share(r["agree_share"])])
            if split:
                for option in r["options"]:
                    rows.append([*place, r["answered"], option["label"], option["count"],
                                 as_share(option["share"])])
            else:
                rows.append([*place, r["answered"], _("Answered"), r["answered"]])
                for item in r.get("top_items", []):
                    rows.append([*place, r["answered"], item["label"], item["count"],
                                 as_share(item["share"])])
                for theme in r.get("themes", []):
                    rows.append([*place, r["answered"], _("Theme: %(name)s", name=theme["name"]),
                                 theme["count"]])
        responses = report["responses"] if report["responses"] is not None else ""
        national = [text, _("National"), responses,
                    q["answered"] if q["answered"] is not None else ""]
        if q["kind"] == "agreement":
            rows.append([*national, _("Agree fully or partly"), as_share(q["agree_share"])])
            if q["range"]:
                rows.append([text, _("Range over counties"), "", "", _("Range (lowest–highest)"),
                             _range_text(q["range"])])
        if split:
            for option in q.get("options") or []:
                rows.append([*national, option["label"], option["count"],
                             as_share(option["share"])])
            if q.get("options") is None:
                rows.append([*national, few, ""])
            ranges = q.get("ranges") or {}
            for option in _option_labels(q):
                if option["value"] in ranges:
                    rows.append([text, _("Range over counties"), "", "", option["label"], "",
                                 _range_text(ranges[option["value"]])])
        elif q["kind"] != "agreement":
            rows.append([*national, _("Answered"), q["answered"] if q["answered"] is not None
                         else ""])
    return header, rows


def _option_labels(q: dict) -> list[dict]:
    """The question's options in order: the national ones, else any county's shown."""
    if q.get("options"):
        return q["options"]
    return next((r["options"] for r in q["counties"] if r.get("options")), [])


def response_rate_table(report: dict) -> tuple[list, list[list]]:
    header = [_("County"), _("Invited"), _("Responses"), _("By personal link"),
              _("Through the QR code"), _("Response rate")]
    rows = [[r["county_name"], r["invited"], r["responses"], r["responses_personal"],
             r["responses_qr"], as_share(r["response_rate"])] for r in report["response_rates"]]
    if report["invited"] is not None:
        rows.append([_("National"), report["invited"], report["responses"],
                     report["responses_personal"], report["responses_qr"],
                     as_share(report["response_rate"])])
    return header, rows


def national_survey_sheets(report: dict) -> list[tuple[str, list, list[list]]]:
    period = report["period"]
    sheets = [(_("Survey %(period)s", period=period.label), *national_survey_table(report))]
    if report["response_rates"]:
        sheets.append((_("Response rate"), *response_rate_table(report)))
    if report["counties_without"]:
        sheets.append((_("No responses"), [_("County number"), _("County")],
                       [[c["number"], c["name"]] for c in report["counties_without"]]))
    return sheets


def settles_choices_for(question: dict) -> list[tuple[str, str]]:
    """The options of a national single-choice question, in the template's order."""
    known = dict(settles_choices())
    labels = {o["value"]: o["label"] for o in _option_labels(question)}
    # The national counts may be held back (too few); a county's then name the options.
    counts = question.get("counts") or next(
        (r["counts"] for r in question["counties"] if r.get("counts")), {})
    return [(v, labels.get(v) or known.get(v, v)) for v in counts]
