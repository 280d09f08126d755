"""The results: per question counts and shares, hidden for groups under five, and the national
comparison of the year's surveys county by county."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import extract, func, select

from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.places.models import County
from eventapp.surveys.models import (
    AGREE,
    AGREEMENT,
    CHOICE_KINDS,
    DONT_KNOW,
    GROUPS,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from eventapp.surveys.services import dates
from eventapp.surveys.services.options import AGREEMENT_OPTIONS, SETTLES_CODE, SETTLES_OPTIONS
from eventapp.surveys.services.template import default_questions, stored_template

# Filtered results of fewer responses than this are hidden, so no one can be recognised.
MIN_GROUP = 5


def _answers_by_response(question_ids: list[int], response_ids: list[int]) -> dict:
    """{question_id: {response_id: [answers]}} for the given responses."""
    found: dict[int, dict[int, list[SurveyAnswer]]] = {q: {} for q in question_ids}
    if not response_ids:
        return found
    rows = db.session.scalars(select(SurveyAnswer)
                              .where(SurveyAnswer.response_id.in_(response_ids))
                              .order_by(SurveyAnswer.id))
    for answer in rows:
        found.setdefault(answer.question_id, {}).setdefault(answer.response_id, []).append(answer)
    return found


def agreement_figures(values: list[str]) -> dict:
    """Counts per scale value, and the share agreeing fully or partly among those who answered
    other than "vet ikke" (None when nobody did)."""
    counts = {value: 0 for value in AGREEMENT}
    for value in values:
        counts[value] += 1
    considered = len(values) - counts[DONT_KNOW]
    agree = sum(counts[v] for v in AGREE)
    return {"counts": counts, "answered": len(values), "considered": considered,
            "agree": agree, "agree_share": agree / considered if considered else None}


def _question_result(question: SurveyQuestion, by_response: dict[int, list[SurveyAnswer]],
                     filtered: bool = False) -> dict:
    result = {"question_id": question.id, "code": question.code, "national": question.national,
              "kind": question.kind, "text": question.text, "text_en": question.text_en,
              "answered": len(by_response)}
    if question.kind == "agreement":
        values = [answers[0].choice for answers in by_response.values()]
        figures = agreement_figures(values)
        labels = {o["value"]: o for o in AGREEMENT_OPTIONS}
        result["options"] = [{"value": v, "label": labels[v]["label"],
                              "label_en": labels[v]["label_en"], "count": figures["counts"][v]}
                             for v in AGREEMENT]
        result["agree"] = figures["agree"]
        result["considered"] = figures["considered"]
        result["agree_share"] = figures["agree_share"]
    elif question.kind in CHOICE_KINDS:
        counts = {o["value"]: 0 for o in question.option_list}
        for answers in by_response.values():
            for answer in answers:
                counts[answer.choice] = counts.get(answer.choice, 0) + 1
        order = {value: i for i, value in enumerate(counts)}
        labels = {o["value"]: o for o in question.option_list}
        n = len(by_response)
        result["options"] = [
            {"value": v, "label": labels.get(v, {}).get("label", v),
             "label_en": labels.get(v, {}).get("label_en", v), "count": c,
             "share": c / n if n else None}
            for v, c in sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))]
    else:
        result["texts"] = [] if filtered else sorted(
            (answers[0].text for answers in by_response.values()),
            key=lambda text: (text.casefold(), text))
        result["texts_withheld"] = filtered
    return result


def _settles_answers(survey: Survey) -> dict[int, str]:
    """{response_id: the settles answer} for the survey."""
    question = next((q for q in survey.questions if q.code == SETTLES_CODE), None)
    if question is None:
        return {}
    return dict(db.session.execute(
        select(SurveyAnswer.response_id, SurveyAnswer.choice)
        .where(SurveyAnswer.question_id == question.id)).all())


def hidden_cells(sizes: dict) -> set:
    """The cells of one breakdown (a filter's values, ``None`` for those who gave none) to hide
    so that no group under five answers can be read, neither directly nor as the total less the
    cells shown: every cell under five, and then the smallest others until the hidden cells
    hold five answers between them (or nothing is left to hide)."""
    hidden = {key for key, n in sizes.items() if n < MIN_GROUP}
    held = sum(sizes[key] for key in hidden)
    if held == 0 or held >= MIN_GROUP:
        return hidden
    shown = sorted((key for key in sizes if key not in hidden),
                   key=lambda key: (sizes[key], key is None, str(key)))
    for key in shown:
        hidden.add(key)
        held += sizes[key]
        if held >= MIN_GROUP:
            break
    return hidden


def shown():
    """The responses the figures count: those released (see ``answering.release``)."""
    return SurveyResponse.state != "pending"


def filters_open(survey: Survey) -> bool:
    """Whether the filters may be used: only once the survey takes no more answers. Each
    release adds five or more responses in all, but one filter's group may gain a single one,
    and two looks under that filter would show what it answered."""
    return survey.status == "closed" or (
        survey.status == "open" and survey.closes_on is not None
        and dates.today() > survey.closes_on)


@dataclass
class Selection:
    """The responses a filter picks out, or why they are not shown."""

    ids: list[int]
    total: int
    suppressed: bool
    filtered: bool


def select_responses(survey: Survey, *, group: str | None = None,
                     settles: str | None = None) -> Selection:
    """The survey's responses under one filter, by participant group or by what the
    municipality settles. Hidden (``suppressed``) when the survey has fewer than five responses
    in all, or when the filter's group is hidden by ``hidden_cells``. One filter at a time:
    two together would give groups that differences between single filters could pick apart."""
    if group is not None and group not in GROUPS:
        raise ValidationFailed(_("Choose municipal, county or partner."), field="group")
    settles_values = [o["value"] for o in SETTLES_OPTIONS]
    if settles is not None and settles not in settles_values:
        raise ValidationFailed(_("Choose ordinary, ukrainian, both or none."), field="settles")
    if group is not None and settles is not None:
        raise ValidationFailed(_("Choose one filter at a time."), field="settles")
    rows = db.session.execute(
        select(SurveyResponse.id, SurveyResponse.participant_group)
        .where(SurveyResponse.survey_id == survey.id, shown()).order_by(SurveyResponse.id)).all()
    if group is not None:
        value_of = {r.id: r.participant_group for r in rows}
        values, wanted = list(GROUPS), group
    elif settles is not None:
        settled = _settles_answers(survey)
        value_of = {r.id: settled.get(r.id) for r in rows}
        values, wanted = settles_values, settles
    else:
        value_of, values, wanted = {r.id: None for r in rows}, [], None
    ids = [rid for rid, value in value_of.items() if value == wanted]
    suppressed = len(rows) < MIN_GROUP or (wanted is not None and not filters_open(survey))
    if wanted is not None and not suppressed:
        sizes = {value: 0 for value in [*values, None]}
        for value in value_of.values():
            sizes[value] += 1
        suppressed = wanted in hidden_cells(sizes)
    return Selection(ids=[] if suppressed else ids, total=len(rows), suppressed=suppressed,
                     filtered=wanted is not None)


def results(survey: Survey, *, group: str | None = None, settles: str | None = None) -> dict:
    """Per question counts and shares, from the stored answers.

    - agreement: a count per scale value, and ``agree_share``: those who agree fully or partly
      divided by those who answered other than "vet ikke" (``considered``);
    - single, multiple, programme items: a count per option, most chosen first; ``share`` is
      of those who answered the question (several may be ticked, so shares can add past 1);
    - text: the texts, unfiltered only (``texts_withheld`` under a filter: lists of texts under
      different filters could be compared to find a small group's own words).

    Nothing is shown (``suppressed``) while the survey has fewer than five responses, nor under
    a filter whose group ``select_responses`` hides, nor under any filter while the survey
    takes answers (``filters_open``). Every figure is of the responses released so far, five or
    more at a time (``answering.release``).
    """
    selection = select_responses(survey, group=group, settles=settles)
    invitations = db.session.scalar(select(func.count(SurveyInvitation.id))
                                    .where(SurveyInvitation.survey_id == survey.id)) or 0
    # As of the last release: the answered invitations count the waiting responses too.
    personal = survey.shown_personal
    out = {
        "survey_id": survey.id, "gathering_id": survey.gathering_id, "status": survey.status,
        "opens_on": survey.opens_on, "closes_on": survey.closes_on,
        "invitations": invitations, "responses": selection.total,
        "responses_personal": personal, "responses_qr": selection.total - personal,
        "response_rate": personal / invitations if invitations else None,
        "filters": {"group": group, "settles": settles},
        "filters_open": filters_open(survey), "release_step": MIN_GROUP,
        "filtered_responses": None if selection.suppressed else len(selection.ids),
        "suppressed": selection.suppressed, "min_group": MIN_GROUP, "questions": [],
    }
    if selection.suppressed:
        return out
    answers = _answers_by_response([q.id for q in survey.questions], selection.ids)
    out["questions"] = [_question_result(q, answers.get(q.id, {}), selection.filtered)
                        for q in survey.questions]
    return out


# --- the national comparison --------------------------------------------------------------

def national_report(year: int) -> dict:
    """For each national question of ``year``: per county the figures of its gatherings'
    surveys pooled, the national figure over all responses, and the range of county figures
    over the counties shown. Counties under five have their figures hidden (``suppressed``),
    with the next smallest when needed (``hidden_cells``), but count in the national figure,
    which is itself hidden while the year has fewer than five responses in all.

    Agreement questions give ``agree_share`` (as in ``results``); single-choice questions the
    counts per option; others the number who answered."""
    # Reading writes nothing: a year without a stored template compares HK-dir's questions.
    template = stored_template(year) or default_questions(year)
    surveys = list(db.session.scalars(
        select(Survey).join(Gathering, Gathering.id == Survey.gathering_id)
        .where(extract("year", Gathering.start_date) == year, Gathering.status != "draft")
        .order_by(Survey.id)))
    counties = {c.id: c for c in db.session.scalars(select(County).order_by(County.number))}
    survey_county = {s.id: s.gathering.county_id for s in surveys}
    responses = db.session.execute(
        select(SurveyResponse.id, SurveyResponse.survey_id)
        .where(SurveyResponse.survey_id.in_(list(survey_county) or [-1]), shown())).all()
    county_of_response = {r.id: survey_county[r.survey_id] for r in responses}
    response_count_by_county: dict[int, int] = {}
    for county_id in county_of_response.values():
        response_count_by_county[county_id] = response_count_by_county.get(county_id, 0) + 1
    # Question copies per national code across the year's surveys.
    copies: dict[str, list[int]] = {}
    for survey in surveys:
        for question in survey.questions:
            if question.national:
                copies.setdefault(question.code, []).append(question.id)
    answer_rows = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.response_id, SurveyAnswer.choice)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyAnswer.question_id.in_([q for ids in copies.values() for q in ids] or [-1]),
               shown())
    ).all()
    by_question: dict[int, list] = {}
    for row in answer_rows:
        by_question.setdefault(row.question_id, []).append(row)

    # A county under five is hidden, and so is the next smallest when the national figure less
    # the counties shown would otherwise give it away; the national figure needs five in all.
    hidden = hidden_cells(response_count_by_county)
    national_hidden = len(responses) < MIN_GROUP
    out_questions = []
    for template_q in template:
        per_county_values: dict[int, list] = {}
        respondents: dict[int, set] = {}
        for question_id in copies.get(template_q.code, []):
            for row in by_question.get(question_id, []):
                county_id = county_of_response[row.response_id]
                per_county_values.setdefault(county_id, []).append(row.choice)
                respondents.setdefault(county_id, set()).add(row.response_id)
        rows_out, shares = [], []
        all_values: list = []
        for county_id in sorted(response_count_by_county, key=lambda c: counties[c].number):
            values = per_county_values.get(county_id, [])
            all_values.extend(values)
            county = counties[county_id]
            n_responses = response_count_by_county[county_id]
            row = {"county_number": county.number, "county_name": county.name,
                   "responses": n_responses, "answered": len(respondents.get(county_id, ())),
                   "suppressed": county_id in hidden}
            if template_q.kind == "agreement":
                figures = agreement_figures(values)
                row["agree_share"] = None if row["suppressed"] else figures["agree_share"]
                row["considered"] = None if row["suppressed"] else figures["considered"]
                if not row["suppressed"] and figures["agree_share"] is not None:
                    shares.append(figures["agree_share"])
            elif template_q.kind == "single":
                counts = {v: values.count(v) for v in template_q.values}
                row["counts"] = None if row["suppressed"] else counts
            if row["suppressed"]:
                row["answered"] = None
            rows_out.append(row)
        entry = {"code": template_q.code, "kind": template_q.kind, "text": template_q.text,
                 "text_en": template_q.text_en, "counties": rows_out,
                 "suppressed": national_hidden,
                 "answered": None if national_hidden else sum(len(s) for s in respondents.values())}
        if template_q.kind == "agreement":
            national = agreement_figures(all_values)
            entry["agree_share"] = None if national_hidden else national["agree_share"]
            entry["considered"] = None if national_hidden else national["considered"]
            entry["range"] = {"min": min(shares), "max": max(shares)} if shares else None
        elif template_q.kind == "single":
            entry["counts"] = None if national_hidden else {
                v: all_values.count(v) for v in template_q.values}
        out_questions.append(entry)
    return {"year": year, "responses": len(responses), "surveys": len(surveys),
            "min_group": MIN_GROUP, "questions": out_questions}
