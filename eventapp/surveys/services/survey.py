"""A gathering's survey: set up from the year's template, its own questions, opened and
closed by the county's host."""

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from eventapp.core import policy
from eventapp.core.errors import Conflict, NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.surveys.models import CHOICE_KINDS, KINDS, Survey, SurveyQuestion, SurveyResponse
from eventapp.surveys.services import dates
from eventapp.surveys.services.options import AGREEMENT_OPTIONS, clean_options, programme_options
from eventapp.surveys.services.template import national_template


def find_survey(gathering: Gathering) -> Survey | None:
    return db.session.scalars(select(Survey).where(Survey.gathering_id == gathering.id)).first()


def survey_for(gathering: Gathering, actor) -> Survey:
    """The gathering's survey; the host's first call creates it from the year's template."""
    survey = find_survey(gathering)
    if survey is not None:
        if not policy.can(actor, "survey.view", gathering):
            raise NotFound(_("No such survey."))
        return survey
    policy.authorize(actor, "survey.manage", gathering)
    survey = Survey(gathering_id=gathering.id, status="draft", created_by_id=actor.id)
    db.session.add(survey)
    db.session.flush()
    for template in national_template(gathering.start_date.year):
        question = SurveyQuestion(
            survey_id=survey.id, position=template.position, code=template.code, national=True,
            kind=template.kind, text=template.text, text_en=template.text_en,
            options=template.options, required=template.required)
        if question.kind == "programme_items":
            question.option_list = programme_options(gathering)
        survey.questions.append(question)
    db.session.flush()
    return survey


def response_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count(SurveyResponse.id))
                             .where(SurveyResponse.survey_id == survey.id)) or 0


def _ensure_no_responses(survey: Survey) -> None:
    if response_count(survey):
        raise Conflict(_("The survey has responses: its questions can no longer be changed, or "
                         "the answers given would no longer match them."))


def add_question(survey: Survey, actor, *, kind: str, text: str, text_en: str | None = None,
                 options=None, required: bool = False) -> SurveyQuestion:
    """A host's own question for this gathering, after the national ones."""
    policy.authorize(actor, "survey.manage", survey.gathering)
    _ensure_no_responses(survey)
    if kind not in KINDS:
        raise ValidationFailed(_("Unknown kind of question."), field="kind")
    if not isinstance(text, str) or not text.strip() or len(text) > 1000:
        raise ValidationFailed(_("Write the question, at most 1000 characters."), field="text")
    question = SurveyQuestion(survey_id=survey.id, national=False, kind=kind, text=text.strip(),
                              text_en=(text_en or "").strip() or None, required=bool(required),
                              position=max((q.position for q in survey.questions), default=-1) + 1)
    if kind == "agreement":
        question.option_list = AGREEMENT_OPTIONS
    elif kind == "programme_items":
        question.option_list = programme_options(survey.gathering)
    elif kind in CHOICE_KINDS:
        question.option_list = clean_options(options, "options")
    survey.questions.append(question)
    db.session.flush()
    return question


def remove_question(question: SurveyQuestion, actor) -> None:
    survey = question.survey
    if survey is None:
        raise NotFound(_("No such question."))
    policy.authorize(actor, "survey.manage", survey.gathering)
    if question.national:
        raise Conflict(_("National questions cannot be removed: they keep the counties' results "
                         "comparable. You may add your own questions."))
    _ensure_no_responses(survey)
    survey.questions.remove(question)
    db.session.flush()


def refresh_programme(survey: Survey, actor) -> None:
    """Take the programme-item options from the programme as it is now."""
    policy.authorize(actor, "survey.manage", survey.gathering)
    _ensure_no_responses(survey)
    for question in survey.questions:
        if question.kind == "programme_items":
            question.option_list = programme_options(survey.gathering)
    db.session.flush()


def open_survey(survey: Survey, actor, *, closes_on: date | None = None,
                on: date | None = None) -> Survey:
    """Open for answers until ``closes_on`` (by default two weeks after the later of today and
    the gathering's last day), or change the closing date of an open survey.

    Not before the gathering's first day, and never again once the final report is submitted
    or approved. The first opening day is kept when the survey is reopened, so the period
    shown stays true."""
    policy.authorize(actor, "survey.manage", survey.gathering)
    day = on or dates.today()
    gathering = survey.gathering
    if survey.status != "open" and gathering.report_locked:
        raise Conflict(_("The final report is submitted, and it holds the survey's figures: "
                         "the survey cannot be opened again."))
    if day < dates.opens_from(gathering):
        raise ValidationFailed(
            _("The survey can be opened from the gathering's first day, %(day)s, so the QR "
              "code can be shown in the closing session.",
              day=format_date(dates.opens_from(gathering), "long")), field="closes_on")
    closes_on = closes_on or dates.default_closes_on(survey, day)
    if closes_on < day:
        raise ValidationFailed(_("The closing date must be today or later."), field="closes_on")
    survey.status, survey.opens_on, survey.closes_on = "open", survey.opens_on or day, closes_on
    db.session.flush()
    return survey


def close_survey(survey: Survey, actor, *, on: date | None = None) -> Survey:
    """Stop taking answers. Closed early, the closing date becomes the day it closed, so the
    period shown is the one answers were taken in."""
    policy.authorize(actor, "survey.manage", survey.gathering)
    day = on or dates.today()
    if survey.status == "open" and (survey.closes_on is None or survey.closes_on > day):
        survey.closes_on = max(day, survey.opens_on) if survey.opens_on else day
    survey.status = "closed"
    db.session.flush()
    return survey
