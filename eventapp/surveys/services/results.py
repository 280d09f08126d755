"""The results: per question counts and shares, hidden for groups under five, and the national
comparison of the year's surveys county by county."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, literal_column, null, or_, select, union_all

from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.places.models import SIZE_CLASSES, County
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
from eventapp.surveys.services.template import (
    default_questions,
    stored_template,
    template_changes,
)

# Filtered results of fewer responses than this are hidden, so no one can be recognised.
MIN_GROUP = 5


def _answers_by_response(question_ids: list[int], response_ids: list[int]) -> dict:
    """{question_id: {response_id: [answers]}} for the given responses; each answer a row with
    its ``choice`` and ``text`` (a survey's results read hundreds: too many for entities)."""
    found: dict[int, dict[int, list]] = {q: {} for q in question_ids}
    if not response_ids:
        return found
    rows = db.session.execute(select(SurveyAnswer.response_id, SurveyAnswer.question_id,
                                     SurveyAnswer.choice, SurveyAnswer.text)
                              .where(SurveyAnswer.response_id.in_(response_ids))
                              .order_by(SurveyAnswer.id))
    for answer in rows:
        found.setdefault(answer.question_id, {}).setdefault(answer.response_id, []).append(answer)
    return found


def agreement_figures(values: list[str]) -> dict:
    """Counts per scale value, and the share agreeing fully or partly among all who answered
    the question (None when nobody did): "vet ikke" counts in the whole, as HK-dir's evaluation
    computed it. ``considered`` (those who took a position) is kept beside it."""
    counts = {value: 0 for value in AGREEMENT}
    for value in values:
        counts[value] += 1
    considered = len(values) - counts[DONT_KNOW]
    agree = sum(counts[v] for v in AGREE)
    return {"counts": counts, "answered": len(values), "considered": considered,
            "agree": agree, "agree_share": agree / len(values) if values else None}


def _question_result(question: SurveyQuestion, by_response: dict[int, list],
                     filtered: bool = False) -> dict:
    result = {"question_id": question.id, "code": question.code, "national": question.national,
              "kind": question.kind, "text": question.text, "text_en": question.text_en,
              "answered": len(by_response)}
    if question.kind == "agreement":
        values = [answers[0].choice for answers in by_response.values()]
        figures = agreement_figures(values)
        labels = {o["value"]: o for o in AGREEMENT_OPTIONS}
        # The year's own scale: 2023-2025 asked without "vet ikke", so no row for it.
        result["options"] = [{"value": v, "label": labels[v]["label"],
                              "label_en": labels[v]["label_en"], "count": figures["counts"][v]}
                             for v in AGREEMENT if v in (question.values or AGREEMENT)]
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


def hidden_cells(sizes: dict, also=()) -> set:
    """The cells of one breakdown (a filter's values, ``None`` for those who gave none) to hide
    so that no group under five answers can be read, neither directly nor as the total less the
    cells shown: every cell under five (and those in ``also``, hidden for another reason), and
    then the smallest others until the hidden cells hold five answers between them (or nothing
    is left to hide)."""
    hidden = {key for key, n in sizes.items() if n < MIN_GROUP} | (set(also) & set(sizes))
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


def check_size_class(size_class: str | None) -> None:
    if size_class is not None and size_class not in SIZE_CLASSES:
        raise ValidationFailed(_("Choose small, medium or large."), field="size_class")


def select_responses(survey: Survey, *, group: str | None = None,
                     settles: str | None = None, size_class: str | None = None) -> Selection:
    """The survey's responses under one filter, by participant group, by what the
    municipality settles or by the size class of the respondent's municipality. Hidden
    (``suppressed``) when the survey has fewer than five responses in all, or when the filter's
    group is hidden by ``hidden_cells``. One filter at a time: two together would give groups
    that differences between single filters could pick apart."""
    if group is not None and group not in GROUPS:
        raise ValidationFailed(_("Choose municipal, county or partner."), field="group")
    settles_values = [o["value"] for o in SETTLES_OPTIONS]
    if settles is not None and settles not in settles_values:
        raise ValidationFailed(_("Choose ordinary, ukrainian, both or none."), field="settles")
    check_size_class(size_class)
    if sum(f is not None for f in (group, settles, size_class)) > 1:
        raise ValidationFailed(_("Choose one filter at a time."),
                               field="size_class" if size_class is not None else "settles")
    rows = db.session.execute(
        select(SurveyResponse.id, SurveyResponse.participant_group, SurveyResponse.size_class)
        .where(SurveyResponse.survey_id == survey.id, shown()).order_by(SurveyResponse.id)).all()
    if group is not None:
        value_of = {r.id: r.participant_group for r in rows}
        values, wanted = list(GROUPS), group
    elif size_class is not None:
        value_of = {r.id: r.size_class for r in rows}
        values, wanted = list(SIZE_CLASSES), size_class
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


def results(survey: Survey, *, group: str | None = None, settles: str | None = None,
            size_class: str | None = None, selection: Selection | None = None) -> dict:
    """Per question counts and shares, from the stored answers.

    - agreement: a count per value of the question's scale, and ``agree_share``: those who agree
      fully or partly divided by all who answered the question ("vet ikke" included);
    - single, multiple, programme items: a count per option, most chosen first; ``share`` is
      of those who answered the question (several may be ticked, so shares can add past 1);
    - text: the texts, unfiltered only (``texts_withheld`` under a filter: lists of texts under
      different filters could be compared to find a small group's own words).

    Nothing is shown (``suppressed``) while the survey has fewer than five responses, nor under
    a filter whose group ``select_responses`` hides, nor under any filter while the survey
    takes answers (``filters_open``). Every figure is of the responses released so far, five or
    more at a time (``answering.release``). ``selection``: what ``select_responses`` gave for
    the same filter, when the caller has it already.
    """
    if selection is None:
        selection = select_responses(survey, group=group, settles=settles, size_class=size_class)
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
        "filters": {"group": group, "settles": settles, "size_class": size_class},
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

def _period_questions(start: int, end: int) -> tuple[list[SurveyQuestion], dict[str, list]]:
    """The national questions of the years ``start``..``end``, by code: the latest year's
    wording and order, then codes only earlier years asked; and per code its options over the
    years, each with the years whose template has it (an option added later, such as "Vet
    ikke", belongs to the years that have it). Reading writes nothing: a year without a stored
    template compares HK-dir's questions."""
    by_code: dict[str, SurveyQuestion] = {}
    options: dict[str, dict[str, dict]] = {}
    for year in range(end, start - 1, -1):
        for question in stored_template(year) or default_questions(year):
            by_code.setdefault(question.code, question)
            mine = options.setdefault(question.code, {})
            for option in question.option_list:
                entry = mine.setdefault(option["value"], {**option, "years": []})
                entry["years"].insert(0, year)
    ordered = {}
    for code, found in options.items():
        if by_code[code].kind == "agreement":
            # The scale's own order, whichever year an option came in.
            found = dict(sorted(found.items(), key=lambda kv: (
                AGREEMENT.index(kv[0]) if kv[0] in AGREEMENT else len(AGREEMENT))))
        ordered[code] = list(found.values())
    return list(by_code.values()), ordered


def _split(counts: dict, options: list[dict]) -> list[dict]:
    """Count and share of every option, over all who answered (one value each); ``counts``:
    {value: answers}."""
    n = sum(counts.values())
    out = []
    for option in options:
        count = counts.get(option["value"], 0)
        out.append({"value": option["value"], "label": option.get("label", option["value"]),
                    "label_en": option.get("label_en"), "years": option.get("years", []),
                    "count": count, "share": count / n if n else None})
    return out


def _agreement(counts: dict) -> dict:
    """``agreement_figures`` of the answers on the scale, from {value: answers}."""
    on_scale = {v: counts.get(v, 0) for v in AGREEMENT}
    answered = sum(on_scale.values())
    agree = sum(on_scale[v] for v in AGREE)
    return {"answered": answered, "considered": answered - on_scale[DONT_KNOW],
            "agree": agree, "agree_share": agree / answered if answered else None}


def _ranges(rows: list[dict]) -> dict[str, dict] | None:
    """Per option the lowest and highest share over the counties shown that answered."""
    shown = [r["options"] for r in rows if not r["suppressed"] and r["answered"]]
    if not shown:
        return None
    values = [o["value"] for o in shown[0]]
    return {v: {"min": min(opts[i]["share"] for opts in shown),
                "max": max(opts[i]["share"] for opts in shown)}
            for i, v in enumerate(values)}


def _invited(survey_ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(
        select(SurveyInvitation.survey_id, func.count(SurveyInvitation.id))
        .where(SurveyInvitation.survey_id.in_(survey_ids or [-1]))
        .group_by(SurveyInvitation.survey_id)).all())


def _rate(personal: int, invited: int) -> float | None:
    return personal / invited if invited else None


def national_report(start: int, end: int | None = None, *, size_class: str | None = None) -> dict:
    """For each national question of the period, per county and nationally: see
    ``national_figures``, whose report this is."""
    return national_figures(start, end, size_class=size_class)[0]


def national_figures(start: int, end: int | None = None, *,
                     size_class: str | None = None) -> tuple[dict, dict[int, dict]]:
    """(report, counts). The report: for each national question of the years ``start``
    through ``end`` (``start`` alone: that year): per county the figures of its gatherings'
    surveys pooled, the national figure over all responses, and the range of county figures
    over the counties shown. Counties under five have their figures hidden (``suppressed``),
    with the next smallest when needed (``hidden_cells``), but count in the national figure,
    which is itself hidden while the period has fewer than five responses in all.

    Agreement and single-choice questions give every option of the period's templates with its
    count and its share of all who answered the question (``options``), and the range of each
    share over the counties (``ranges``); agreement questions also ``agree_share`` (as in
    ``results``: of those who answered other than "vet ikke") and its ``range``; single-choice
    questions the ``counts`` per option; the others the number who answered.

    The response rate: responses by personal link (``Survey.shown_personal``) over the
    invitations sent; responses through the QR code are counted apart (``responses_qr``).

    ``size_class`` keeps the responses from municipalities of that class, of the surveys that
    take no more answers (``filters_open``: while answers come in, one group's figures could
    change by one answer). A county's filtered figures are hidden when its class is hidden
    among the county's own classes, as a gathering's filter is, so that the county's figures
    less its other classes give nothing away; the national one likewise. The response rate is
    not given under the filter: invitations have no size class.

    The counts: per copy of a national question in a counted survey (by its id), the
    ``choices`` counted ({choice: answers}) and the ``respondents``, over the same responses as
    the report (the comparison's top items per county read them: reporting.services).
    """
    end = start if end is None else end
    check_size_class(size_class)
    questions, period_options = _period_questions(start, end)
    picked = db.session.execute(
        select(Survey, Gathering.county_id).join(Gathering, Gathering.id == Survey.gathering_id)
        .where(Gathering.start_date >= date(start, 1, 1), Gathering.start_date <= date(end, 12, 31),
               Gathering.status != "draft")
        .order_by(Survey.id)).all()
    surveys = [survey for survey, _county_id in picked]
    survey_county = {survey.id: county_id for survey, county_id in picked}
    counties = {c.id: c for c in db.session.scalars(select(County).order_by(County.number))}
    counted_surveys = [s for s in surveys if size_class is None or filters_open(s)]
    counted_ids = {s.id for s in counted_surveys}
    # The shown responses counted per survey and class, not loaded: the response rates take
    # every survey's, the figures only the counted surveys'.
    shown_by_survey: dict[int, int] = {}
    classes_by_county: dict[int, dict] = {}
    for survey_id, size, n in db.session.execute(
            select(SurveyResponse.survey_id, SurveyResponse.size_class, func.count())
            .where(SurveyResponse.survey_id.in_(list(survey_county) or [-1]), shown())
            .group_by(SurveyResponse.survey_id, SurveyResponse.size_class)).all():
        shown_by_survey[survey_id] = shown_by_survey.get(survey_id, 0) + n
        if survey_id in counted_ids:
            # Each county's responses by class, and the nation's: a class hidden there is
            # hidden here.
            sizes = classes_by_county.setdefault(survey_county[survey_id],
                                                 dict.fromkeys([*SIZE_CLASSES, None], 0))
            sizes[size] += n
    forced: set[int] = set()
    national_hidden = False
    if size_class is not None:
        forced = {c for c, sizes in classes_by_county.items() if size_class in hidden_cells(sizes)}
        nation = dict.fromkeys([*SIZE_CLASSES, None], 0)
        for sizes in classes_by_county.values():
            for key, n in sizes.items():
                nation[key] += n
        national_hidden = size_class in hidden_cells(nation)
    response_count_by_county = {
        county_id: n for county_id, sizes in classes_by_county.items()
        if (n := sum(sizes.values()) if size_class is None else sizes[size_class])}
    responses = sum(response_count_by_county.values())

    # The answers to the counted surveys' national questions, counted in the database: per
    # question and choice, and the respondents per question (a response answers its own
    # survey's questions, so a county's respondents are the sum over its surveys' copies). The
    # answers are picked once (a common table expression) for both counts, and grouped by the
    # question's id, not its code and survey (strings cost the grouping a third more); the
    # responses not counted (waiting for release, or of another class) are left out by a NOT
    # IN on the few of them rather than a join to every response, which costs more than the
    # counting.
    # The questions are picked by a subquery, not by their ids: a hundred ids as parameters
    # made a statement too long for psycopg to keep its parsing.
    national_questions = (select(SurveyQuestion.id, SurveyQuestion.code, SurveyQuestion.survey_id)
                          .where(SurveyQuestion.survey_id.in_(counted_ids or [-1]),
                                 SurveyQuestion.national.is_(True)))
    national = {question_id: (code, survey_id) for question_id, code, survey_id
                in db.session.execute(national_questions)}
    not_counted = ~shown()
    if size_class is not None:
        not_counted = or_(not_counted, SurveyResponse.size_class.is_distinct_from(size_class))
    answers = (select(SurveyAnswer.question_id, SurveyAnswer.response_id, SurveyAnswer.choice)
               .where(SurveyAnswer.question_id.in_(
                          national_questions.with_only_columns(SurveyQuestion.id)),
                      SurveyAnswer.response_id.not_in(
                          select(SurveyResponse.id)
                          .where(SurveyResponse.survey_id.in_(counted_ids or [-1]), not_counted)))
               .cte("national_answers"))
    per_choice = (select(answers.c.question_id, literal_column("0"), answers.c.choice,
                         func.count())
                  .group_by(answers.c.question_id, answers.c.choice))
    # Distinct pairs first, then counted: hashed, where COUNT(DISTINCT) sorts.
    pairs = select(answers.c.question_id, answers.c.response_id).distinct().subquery()
    per_question = (select(pairs.c.question_id, literal_column("1"), null(), func.count())
                    .group_by(pairs.c.question_id))
    choices: dict[str, dict[int, dict]] = {}
    respondents: dict[str, dict[int, int]] = {}
    by_copy: dict[int, dict] = {}
    for question_id, of_question, choice, n in db.session.execute(
            union_all(per_choice, per_question)).all():
        code, survey_id = national[question_id]
        county_id = survey_county[survey_id]
        copy = by_copy.setdefault(question_id, {"choices": {}, "respondents": 0})
        if of_question:
            mine = respondents.setdefault(code, {})
            mine[county_id] = mine.get(county_id, 0) + n
            copy["respondents"] = n
        else:
            mine = choices.setdefault(code, {}).setdefault(county_id, {})
            mine[choice] = mine.get(choice, 0) + n
            copy["choices"][choice] = n

    # Who was asked, per county: invitations sent and answered by personal link.
    invited_by_survey = _invited([s.id for s in surveys])
    rate_by_county: dict[int, dict] = {}
    for survey in surveys:
        entry = rate_by_county.setdefault(survey_county[survey.id],
                                          {"invited": 0, "personal": 0, "shown": 0})
        entry["invited"] += invited_by_survey.get(survey.id, 0)
        entry["personal"] += survey.shown_personal
        entry["shown"] += shown_by_survey.get(survey.id, 0)

    # A county under five is hidden, and so is the next smallest when the national figure less
    # the counties shown would otherwise give it away; the national figure needs five in all.
    hidden = hidden_cells(response_count_by_county, forced)
    national_hidden = national_hidden or responses < MIN_GROUP
    order = sorted(response_count_by_county, key=lambda c: counties[c].number)
    out_questions = []
    for template_q in questions:
        options = period_options.get(template_q.code, [])
        per_county = choices.get(template_q.code, {})
        answered_in = respondents.get(template_q.code, {})
        if template_q.kind in ("agreement", "single"):
            # An answer outside the templates' options (a county's own wording) still counts.
            known = {o["value"] for o in options}
            extra = sorted({v for counts in per_county.values() for v in counts} - known)
            options = options + [{"value": v, "label": v, "label_en": v, "years": []}
                                 for v in extra]
        rows_out, shares = [], []
        national_counts: dict = {}
        for county_id in order:
            counts = per_county.get(county_id, {})
            for value, n in counts.items():
                national_counts[value] = national_counts.get(value, 0) + n
            county = counties[county_id]
            row = {"county_number": county.number, "county_name": county.name,
                   "responses": response_count_by_county[county_id],
                   "answered": answered_in.get(county_id, 0),
                   "suppressed": county_id in hidden}
            if template_q.kind == "agreement":
                figures = _agreement(counts)
                row["agree_share"] = None if row["suppressed"] else figures["agree_share"]
                row["considered"] = None if row["suppressed"] else figures["considered"]
                if not row["suppressed"] and figures["agree_share"] is not None:
                    shares.append(figures["agree_share"])
            elif template_q.kind == "single":
                row["counts"] = None if row["suppressed"] else {
                    o["value"]: counts.get(o["value"], 0) for o in options}
            if template_q.kind in ("agreement", "single"):
                row["options"] = None if row["suppressed"] else _split(counts, options)
            if row["suppressed"]:
                row["answered"] = None
                if size_class is not None:
                    row["responses"] = None
            rows_out.append(row)
        answered = sum(answered_in.values())
        entry = {"code": template_q.code, "kind": template_q.kind, "text": template_q.text,
                 "text_en": template_q.text_en, "counties": rows_out,
                 "suppressed": national_hidden,
                 "answered": None if national_hidden else answered}
        if template_q.kind == "agreement":
            national = _agreement(national_counts)
            entry["agree_share"] = None if national_hidden else national["agree_share"]
            entry["considered"] = None if national_hidden else national["considered"]
            entry["range"] = {"min": min(shares), "max": max(shares)} if shares else None
        elif template_q.kind == "single":
            entry["counts"] = None if national_hidden else {
                o["value"]: national_counts.get(o["value"], 0) for o in options}
        if template_q.kind in ("agreement", "single"):
            entry["options"] = (None if national_hidden else _split(national_counts, options))
            entry["ranges"] = _ranges(rows_out)
        out_questions.append(entry)

    unfiltered = size_class is None
    rates = []
    for county_id in sorted(rate_by_county, key=lambda c: counties[c].number):
        r = rate_by_county[county_id]
        county = counties[county_id]
        rates.append({"county_number": county.number, "county_name": county.name,
                      "invited": r["invited"], "responses": r["shown"],
                      "responses_personal": r["personal"],
                      "responses_qr": r["shown"] - r["personal"],
                      "response_rate": _rate(r["personal"], r["invited"])})
    invited = sum(r["invited"] for r in rates)
    personal = sum(r["responses_personal"] for r in rates)
    held = {c for c, r in rate_by_county.items() if r["shown"]}
    return ({
        "year": end, "from": start, "to": end, "size_class": size_class,
        "responses": None if size_class is not None and national_hidden else responses,
        "surveys": len(counted_surveys), "min_group": MIN_GROUP,
        "invited": invited if unfiltered else None,
        "responses_personal": personal if unfiltered else None,
        "responses_qr": (sum(r["responses_qr"] for r in rates) if unfiltered else None),
        "response_rate": _rate(personal, invited) if unfiltered else None,
        "response_rates": rates if unfiltered else [],
        # Counties whose gatherings in the period have no survey response (or no gathering).
        "counties_without": [{"number": c.number, "name": c.name} for c in counties.values()
                             if c.id not in held],
        # What the template changed from one year of the period to the next (empty years left
        # out): the figures pool answers to the questions as each year asked them.
        "template_changes": [{"from": y - 1, "to": y, "changes": found}
                             for y in range(start + 1, end + 1)
                             if (found := template_changes(y - 1, y))],
        "questions": out_questions,
    }, by_copy)
