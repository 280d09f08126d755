"""The directorate's national template: the questions of a year, which every survey created
that year copies."""

import re
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.errors import Conflict, NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.surveys.models import CHOICE_KINDS, KINDS, SurveyQuestion
from eventapp.surveys.services.options import (
    AGREEMENT_OPTIONS,
    SETTLES_CODE,
    SETTLES_OPTIONS,
    clean_options,
)

# HK-dir's questions (DOMAIN.md, "Afterwards"): code, kind, Norwegian, English, options.
NATIONAL_DEFAULTS = [
    ("useful_items", "programme_items",
     "Hvilke innlegg eller programposter var mest nyttige for deg? Kryss av for så mange du vil.",
     "Which talks or programme items were most useful to you? Tick as many as you like.", None),
    ("useful_why", "long_text", "Hvorfor var disse mest nyttige?",
     "Why were these the most useful?", None),
    ("mix", "long_text",
     "Hvordan fungerte kombinasjonen av faglige innlegg og diskusjon i mindre grupper?",
     "How did the mix of talks and small-group discussion work?", None),
    ("tables", "long_text", "Hvordan fungerte sammensetningen av bordgruppene?",
     "How did the composition of the table groups work?", None),
    ("cooperation", "agreement",
     "Denne samlingen har bidratt til å styrke samarbeidet mellom fylkeskommunen og kommunene om "
     "karriereveiledning",
     "This gathering has helped strengthen cooperation between the county and the "
     "municipalities on career guidance", AGREEMENT_OPTIONS),
    ("more_useful", "long_text", "Hvordan kunne samlingen vært enda mer nyttig?",
     "How could the gathering have been even more useful?", None),
    ("comments", "long_text", "Andre kommentarer", "Other comments", None),
    (SETTLES_CODE, "single",
     "Bosetter kommunen din ordinære flyktninger, flyktninger fra Ukraina eller begge deler?",
     "Does your municipality settle ordinary refugees, refugees from Ukraine or both?",
     SETTLES_OPTIONS),
]


def default_questions(year: int) -> list[SurveyQuestion]:
    questions = []
    for position, (code, kind, text, text_en, options) in enumerate(NATIONAL_DEFAULTS):
        question = SurveyQuestion(year=year, position=position, code=code, national=True,
                                  kind=kind, text=text, text_en=text_en, required=False)
        question.option_list = options or []
        questions.append(question)
    return questions


def stored_template(year: int) -> list[SurveyQuestion]:
    return list(db.session.scalars(
        select(SurveyQuestion).where(SurveyQuestion.year == year)
        .order_by(SurveyQuestion.position, SurveyQuestion.id)))


def national_template(year: int) -> list[SurveyQuestion]:
    """The directorate's questions for ``year``; HK-dir's questions the first time asked."""
    questions = stored_template(year)
    if questions:
        return questions
    questions = default_questions(year)
    db.session.add_all(questions)
    db.session.flush()
    return questions


_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


def _code_from(text: str, year: int) -> str:
    """A stable code for a new national question, from its words, unique in the year."""
    words = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLITERATE))
    words = words.encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", words).strip("_")[:30].rstrip("_") or "question"
    taken = set(db.session.scalars(select(SurveyQuestion.code)
                                   .where(SurveyQuestion.year == year)))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


def _check_text(text, text_en) -> tuple[str, str | None]:
    if not isinstance(text, str) or not text.strip() or len(text) > 1000:
        raise ValidationFailed(_("Write the question, at most 1000 characters."), field="text")
    if text_en is not None and (not isinstance(text_en, str) or len(text_en) > 1000):
        raise ValidationFailed(_("Write the question, at most 1000 characters."),
                               field="text_en")
    return text.strip(), (text_en or "").strip() or None


def _set_options(question: SurveyQuestion, options) -> None:
    if question.kind == "agreement":
        question.option_list = AGREEMENT_OPTIONS
    elif question.kind == "programme_items":
        # The template has no programme: each survey fills these in from its gathering.
        question.option_list = []
    elif question.kind in CHOICE_KINDS:
        question.option_list = clean_options(options, "options")
    else:
        question.option_list = []


def add_national_question(year: int, actor, *, kind: str, text: str, text_en: str | None = None,
                          options=None, required: bool = False) -> SurveyQuestion:
    """A question the directorate adds to the year's template; surveys created from now on
    carry it, surveys already created keep their copies."""
    policy.authorize(actor, "survey.template")
    if kind not in KINDS:
        raise ValidationFailed(_("Unknown kind of question."), field="kind")
    text, text_en = _check_text(text, text_en)
    template = national_template(year)
    question = SurveyQuestion(year=year, national=True, kind=kind, text=text, text_en=text_en,
                              required=bool(required), code=_code_from(text, year),
                              position=max((q.position for q in template), default=-1) + 1)
    _set_options(question, options)
    db.session.add(question)
    db.session.flush()
    return question


def _template_question(question: SurveyQuestion) -> None:
    if question is None or question.year is None:
        raise NotFound(_("No such question in the national template."))


def update_national_question(question: SurveyQuestion, actor, *, text: str,
                             text_en: str | None = None, options=None,
                             required: bool | None = None) -> SurveyQuestion:
    """Reword a template question. Its kind and code stay, so the year's results compare."""
    policy.authorize(actor, "survey.template")
    _template_question(question)
    question.text, question.text_en = _check_text(text, text_en)
    if question.kind in ("single", "multiple") and options is not None:
        question.option_list = clean_options(options, "options")
    if required is not None:
        question.required = bool(required)
    db.session.flush()
    return question


def surveys_keeping(question: SurveyQuestion) -> int:
    """How many surveys of gatherings in the question's year already carry a copy of it (they
    keep it when the template's question is removed)."""
    from sqlalchemy import extract, func

    from eventapp.gatherings.models import Gathering
    from eventapp.surveys.models import Survey

    copy = SurveyQuestion.__table__.alias("copy")
    return db.session.scalar(
        select(func.count(func.distinct(Survey.id))).select_from(Survey)
        .join(Gathering, Gathering.id == Survey.gathering_id)
        .join(copy, copy.c.survey_id == Survey.id)
        .where(copy.c.code == question.code,
               extract("year", Gathering.start_date) == question.year)) or 0


def remove_national_question(question: SurveyQuestion, actor) -> None:
    policy.authorize(actor, "survey.template")
    _template_question(question)
    if question.code == SETTLES_CODE:
        raise Conflict(_("The question on which refugees the municipality settles cannot be "
                         "removed: the results are filtered by it."))
    db.session.delete(question)
    db.session.flush()
