"""The directorate's national template: the questions of a year, which every survey created
that year copies."""

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.errors import Conflict, NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.surveys.models import CHOICE_KINDS, KINDS, SurveyQuestion
from eventapp.surveys.services.options import (
    AGREEMENT_FIVE,
    AGREEMENT_OPTIONS,
    SETTLES_ASKED,
    SETTLES_CODE,
    SETTLES_OPTIONS,
    clean_options,
)


@dataclass(frozen=True)
class QuestionSpec:
    """One question of a template version: its stable code, kind, the Norwegian as asked, a
    faithful English, and the options (for the choice kinds and the agreement scale)."""

    code: str
    kind: str
    text: str
    text_en: str
    options: tuple = ()

    def as_tuple(self) -> tuple:
        return (self.code, self.kind, self.text, self.text_en, list(self.options) or None)


def _as_asked(agreement, settles) -> tuple[QuestionSpec, ...]:
    """HK-dir's questions word for word (the evaluation of 2023-2025), on the given scales. The
    codes stay from year to year, so the results compare across years."""
    return (
        QuestionSpec("useful_items", "programme_items",
                     "Hvilke innlegg/programposter opplevde du som mest nyttige?",
                     "Which talks/programme items did you find most useful?"),
        QuestionSpec("useful_why", "long_text",
                     "Hva var det som gjorde at du opplevde dette som mest nyttig?",
                     "What was it that made you find this most useful?"),
        QuestionSpec("mix", "long_text",
                     "Hvordan fungerte kombinasjonen av faglige innlegg og diskusjon i mindre "
                     "grupper?",
                     "How did the mix of talks and small-group discussion work?"),
        QuestionSpec("tables", "long_text",
                     "Hvordan fungerte sammensetningen av bordgruppene?",
                     "How did the composition of the table groups work?"),
        QuestionSpec("cooperation", "agreement",
                     "Ta stilling til påstanden: Denne samlingen har bidratt til å styrke "
                     "samarbeidet mellom fylkeskommunen og kommunene når det gjelder "
                     "karriereveiledning?",
                     "Take a position on the statement: This gathering has helped to strengthen "
                     "the cooperation between the county authority and the municipalities when "
                     "it comes to career guidance?",
                     tuple(agreement)),
        QuestionSpec("more_useful", "long_text",
                     "Hvordan kunne vi gjort denne samlingen enda mer nyttig for deg?",
                     "How could we have made this gathering even more useful for you?"),
        QuestionSpec("comments", "long_text", "Andre kommentarer og tilbakemeldinger",
                     "Other comments and feedback"),
        QuestionSpec(SETTLES_CODE, "single",
                     "Bosetter kommunen/bydelen din for tiden ordinære flyktninger, flyktninger "
                     "fra Ukraina eller begge deler?",
                     "Does your municipality/city district currently settle ordinary refugees, "
                     "refugees from Ukraine or both?",
                     tuple(settles)),
    )


@dataclass(frozen=True)
class TemplateVersion:
    """The default template from ``first_year`` until the next version's first year.
    ``agreement`` is the year's scale: its agreement questions, also those the directorate
    adds, offer these options."""

    first_year: int
    agreement: tuple
    questions: tuple[QuestionSpec, ...]


# What HK-dir asked, year by year, as data: a later change is a new entry here, never an
# if-statement on the year. Options added later belong to the years from their version on.
TEMPLATE_VERSIONS: tuple[TemplateVersion, ...] = (
    # As asked in 2023, 2024 and 2025 (and the default for any earlier year).
    TemplateVersion(2023, tuple(AGREEMENT_FIVE), _as_asked(AGREEMENT_FIVE, SETTLES_ASKED)),
    # From 2026: "Vet ikke" on the scale, and "Ingen / jobber ikke i en kommune" for those who
    # do not work in a settling municipality.
    TemplateVersion(2026, tuple(AGREEMENT_OPTIONS),
                    _as_asked(AGREEMENT_OPTIONS, SETTLES_OPTIONS)),
)


def template_version(year: int) -> TemplateVersion:
    """The version that applies to ``year``: the last one begun by then, else the first."""
    found = TEMPLATE_VERSIONS[0]
    for version in TEMPLATE_VERSIONS:
        if version.first_year <= year:
            found = version
    return found


def agreement_scale(year: int) -> list[dict]:
    return list(template_version(year).agreement)


# The latest version's questions as (code, kind, Norwegian, English, options), as before.
NATIONAL_DEFAULTS = [q.as_tuple() for q in TEMPLATE_VERSIONS[-1].questions]


def default_questions(year: int) -> list[SurveyQuestion]:
    questions = []
    for position, spec in enumerate(template_version(year).questions):
        question = SurveyQuestion(year=year, position=position, code=spec.code, national=True,
                                  kind=spec.kind, text=spec.text, text_en=spec.text_en,
                                  required=False)
        question.option_list = list(spec.options)
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
        question.option_list = agreement_scale(question.year)
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


# --- what changed between two years --------------------------------------------------------------

CHANGES = ("added", "removed", "reworded", "options_added", "options_removed",
           "options_reworded")
# Kinds whose options belong to the template; a programme-items question takes its options
# from each gathering's programme, so a template has none to compare.
_TEMPLATE_OPTION_KINDS = ("agreement", "single", "multiple")


def asked_in(year: int) -> list[SurveyQuestion]:
    """The template of ``year``: the stored questions, else the default for the year (not
    stored: asking what changed does not set a year's template up)."""
    return stored_template(year) or default_questions(year)


def _change(change: str, question: SurveyQuestion, **more) -> dict:
    return {"code": question.code, "change": change, "kind": question.kind,
            "text": question.text, "text_en": question.text_en, "before": None,
            "before_en": None, "options": [], **more}


def template_changes(year_from: int, year_to: int) -> list[dict]:
    """What changed in the national template from ``year_from`` to ``year_to``, per code: a
    question added, removed or reworded (its Norwegian, the words asked), options added,
    removed or reworded (by value). Added and changed questions come in ``year_to``'s order,
    then the removed in ``year_from``'s. A question whose kind changed under the same code is
    a different question: removed and added."""
    before = {q.code: q for q in asked_in(year_from)}
    after = asked_in(year_to)
    after_codes = {q.code for q in after}
    changes: list[dict] = []
    removed = [q for q in before.values() if q.code not in after_codes]
    for question in after:
        old = before.get(question.code)
        if old is None or old.kind != question.kind:
            if old is not None:
                removed.append(old)
            changes.append(_change("added", question))
            continue
        if old.text.strip() != question.text.strip():
            changes.append(_change("reworded", question, before=old.text,
                                   before_en=old.text_en))
        if question.kind not in _TEMPLATE_OPTION_KINDS:
            continue
        was = {o["value"]: o for o in old.option_list}
        now = {o["value"]: o for o in question.option_list}
        added = [o for value, o in now.items() if value not in was]
        gone = [o for value, o in was.items() if value not in now]
        relabelled = [{**o, "before": was[value]["label"]} for value, o in now.items()
                      if value in was and was[value]["label"] != o["label"]]
        for change, options in (("options_added", added), ("options_removed", gone),
                                ("options_reworded", relabelled)):
            if options:
                changes.append(_change(change, question, options=options))
    changes.extend(_change("removed", q) for q in sorted(removed, key=lambda q: q.position))
    return changes
