"""The national survey comparison: ``surveys.services.national_report`` as the user may see it,
each county row with links to its gatherings' results, its top items and its top themes."""

from collections import Counter

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import extract, func, select

from eventapp.core import policy
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.reporting.services import years
from eventapp.reporting.services.files import as_share, percent_text, slug
from eventapp.reporting.services.survey_results import in_language, localise, settles_choices
from eventapp.surveys import services as surveys
from eventapp.surveys.models import (
    TEXT_KINDS,
    Survey,
    SurveyAnswer,
    SurveyResponse,
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


def default_survey_year(user) -> int:
    now = years.this_year()
    past = [y for y in survey_years(user) if y <= now]
    return past[-1] if past else now


def _year_surveys(user, year: int) -> list[Survey]:
    """The year's surveys the user may open, as national_report() picks the year's surveys."""
    stmt = (select(Survey).join(Gathering, Gathering.id == Survey.gathering_id)
            .where(extract("year", Gathering.start_date) == year)
            .order_by(Gathering.start_date, Gathering.id))
    return list(db.session.scalars(years.reported(stmt, user)))


def _top_items(copies: list, by_question: dict[int, list]) -> list[dict]:
    """The most chosen items over a county's copies of the question, by their titles (each
    gathering has its own programme), with each share of those who answered."""
    counts: Counter = Counter()
    respondents = set()
    for question in copies:
        labels = {o["value"]: in_language(o, "label") for o in question.option_list}
        for response_id, choice in by_question.get(question.id, []):
            counts[labels.get(choice, choice)] += 1
            respondents.add(response_id)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:TOP_ITEMS]
    return [{"label": label, "count": n, "share": n / len(respondents)} for label, n in top]


def _top_themes(question_ids: list[int]) -> list[dict]:
    """The themes most often tagged on these questions' answers, by name as tagged (themes
    belong to one survey; two surveys' themes of the same name count as one)."""
    rows = db.session.execute(
        select(SurveyTheme.name, func.count())
        .join(survey_answer_themes, survey_answer_themes.c.theme_id == SurveyTheme.id)
        .join(SurveyAnswer, SurveyAnswer.id == survey_answer_themes.c.answer_id)
        .where(SurveyAnswer.question_id.in_(question_ids or [-1]))
        .group_by(SurveyTheme.name)).all()
    counts: dict[str, list] = {}
    for name, n in rows:
        entry = counts.setdefault(name.casefold(), [name, 0])
        entry[1] += n
    top = sorted(counts.values(), key=lambda e: (-e[1], e[0].casefold()))[:TOP_THEMES]
    return [{"name": name, "count": n} for name, n in top]


def _county_details(user, year: int, questions: list[dict]) -> None:
    """Adds to each county row the user may see: ``links`` to its gatherings' results, and
    for a county not suppressed the top items (``top_items``) or the top themes
    (``themes``) of the question."""
    year_surveys = _year_surveys(user, year)
    by_county: dict[str, list[Survey]] = {}
    for survey in year_surveys:
        by_county.setdefault(survey.gathering.county.number, []).append(survey)
    items_codes = {q["code"] for q in questions if q["kind"] == "programme_items"}
    item_copies = [q for s in year_surveys for q in s.questions if q.code in items_codes]
    chosen: dict[int, list] = {}
    for question_id, response_id, choice in db.session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.response_id, SurveyAnswer.choice)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyAnswer.question_id.in_([q.id for q in item_copies] or [-1]),
                   SurveyResponse.state != "pending")).all():  # the released ones only
        chosen.setdefault(question_id, []).append((response_id, choice))
    for q in questions:
        for row in q["counties"]:
            mine = by_county.get(row["county_number"], [])
            row["links"] = [] if row["suppressed"] else [
                {"gathering_id": s.gathering_id, "title": s.gathering.title} for s in mine]
            if row["suppressed"]:
                continue
            copies = [c for s in mine for c in s.questions if c.code == q["code"]]
            if q["kind"] == "programme_items":
                row["top_items"] = _top_items(copies, chosen)
            elif q["kind"] in TEXT_KINDS:
                row["themes"] = _top_themes([c.id for c in copies])


def national_survey(user, year: int) -> dict:
    """national_report(year) as ``user`` may see it: the directorate every county; a county
    host the national figure and range, and only their own county's row. Each county row the
    user sees gains links to its results pages, its top items and its top themes."""
    policy.authorize(user, "survey.compare")
    report = surveys.national_report(year)
    localise(report["questions"])
    if not policy.can(user, "survey.national_report"):
        own = user.county.number if user.county else None
        for question in report["questions"]:
            question["counties"] = [r for r in question["counties"] if r["county_number"] == own]
    _county_details(user, year, report["questions"])
    return report


def national_survey_filename(user, year: int) -> str:
    if policy.can(user, "survey.national_report") or user.county is None:
        return f"sporreundersokelse-fylkene-{year}"
    return f"sporreundersokelse-{slug(user.county.name)}-{year}"


def national_survey_preamble(report: dict) -> list[list]:
    return [[_("Year"), report["year"]],
            [_("Responses"), ngettext("%(num)d response", "%(num)d responses",
                                      report["responses"])
             + " · " + ngettext("%(num)d survey", "%(num)d surveys", report["surveys"])]]


def national_survey_table(report: dict) -> tuple[list, list[list]]:
    header = [_("Question"), _("County"), _("Responses"), _("Answered"), _("Figure"),
              _("Count")]
    rows = []
    for q in report["questions"]:
        text = q["text"]
        few = _("Too few responses")
        for r in q["counties"]:
            place = [text, r["county_name"], r["responses"]]
            if r["suppressed"]:
                rows.append([*place, "", few, ""])
            elif q["kind"] == "agreement":
                rows.append([*place, r["answered"], _("Agree fully or partly"),
                             as_share(r["agree_share"])])
            elif q["kind"] == "single":
                for value, label in settles_choices_for(q):
                    rows.append([*place, r["answered"], label, r["counts"].get(value, 0)])
            else:
                rows.append([*place, r["answered"], _("Answered"), r["answered"]])
                for item in r.get("top_items", []):
                    rows.append([*place, r["answered"], item["label"], item["count"]])
                for theme in r.get("themes", []):
                    rows.append([*place, r["answered"], _("Theme: %(name)s", name=theme["name"]),
                                 theme["count"]])
        national = [text, _("National"), report["responses"], q["answered"]]
        if q["kind"] == "agreement":
            rng = q["range"]
            rows.append([*national, _("Agree fully or partly"), as_share(q["agree_share"])])
            if rng:
                rows.append([text, _("Range over counties"), "", "", _("Range (lowest–highest)"),
                             f"{percent_text(rng['min'])}–{percent_text(rng['max'])}"])
        elif q["kind"] == "single":
            counts = q.get("counts")
            for value, label in settles_choices_for(q):
                rows.append([*national, label, "" if counts is None else counts.get(value, 0)])
        else:
            rows.append([*national, _("Answered"), q["answered"]])
    return header, rows


def settles_choices_for(question: dict) -> list[tuple[str, str]]:
    """The options of a national single-choice question, in the template's order."""
    known = dict(settles_choices())
    # The national counts may be held back (too few); a county's then name the options.
    counts = question.get("counts") or next(
        (r["counts"] for r in question["counties"] if r.get("counts")), {})
    return [(v, known.get(v, v)) for v in counts]
