"""Themes: the county's host and the directorate sort a survey's free-text answers by what
they are about; the results page counts each theme per question."""

import base64
import hashlib
import hmac
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventapp.core import policy
from eventapp.core.errors import NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.surveys.models import (
    TEXT_KINDS,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyTheme,
    survey_answer_themes,
)

THEME_MAX = 80  # survey_themes.name


def themes(survey: Survey) -> list[SurveyTheme]:
    return list(db.session.scalars(select(SurveyTheme).where(SurveyTheme.survey_id == survey.id)
                                   .order_by(func.lower(SurveyTheme.name), SurveyTheme.id)))


def theme_usage(survey: Survey) -> dict[int, int]:
    """{theme id: how many answers carry it}, over the whole survey, for the theme list."""
    rows = db.session.execute(
        select(survey_answer_themes.c.theme_id, func.count())
        .join(SurveyTheme, SurveyTheme.id == survey_answer_themes.c.theme_id)
        .where(SurveyTheme.survey_id == survey.id)
        .group_by(survey_answer_themes.c.theme_id)).all()
    return {theme_id: n for theme_id, n in rows}


def _theme_name(survey: Survey, name, *, keep: SurveyTheme | None = None) -> str:
    name = " ".join(name.split()) if isinstance(name, str) else ""
    if not 1 <= len(name) <= THEME_MAX:
        raise ValidationFailed(_("Name the theme in 1 to %(n)d characters.", n=THEME_MAX),
                               field="name")
    # Names differing only in case would read as one theme twice.
    if any(t.name.casefold() == name.casefold() and t is not keep for t in themes(survey)):
        raise ValidationFailed(_("This survey already has a theme with that name."),
                               field="name")
    return name


def create_theme(survey: Survey, actor, name: str) -> SurveyTheme:
    policy.authorize(actor, "survey.tag", survey.gathering)
    theme = SurveyTheme(survey_id=survey.id, name=_theme_name(survey, name))
    db.session.add(theme)
    db.session.flush()
    return theme


def theme_of(survey: Survey, theme_id) -> SurveyTheme:
    theme = db.session.get(SurveyTheme, theme_id) if isinstance(theme_id, int) else None
    if theme is None or theme.survey_id != survey.id:
        raise NotFound(_("No such theme in this survey."))
    return theme


def rename_theme(theme: SurveyTheme, actor, name: str) -> SurveyTheme:
    policy.authorize(actor, "survey.tag", theme.survey.gathering)
    theme.name = _theme_name(theme.survey, name, keep=theme)
    db.session.flush()
    return theme


def delete_theme(theme: SurveyTheme, actor) -> None:
    """The theme goes; the answers it tagged stay, untagged by it."""
    policy.authorize(actor, "survey.tag", theme.survey.gathering)
    db.session.delete(theme)
    db.session.flush()


def text_answer_of(survey: Survey, answer_id) -> SurveyAnswer:
    """A free-text answer of this survey that the results show, else NotFound (also for a
    chosen option's row, and for an answer still waiting to be released)."""
    answer = db.session.get(SurveyAnswer, answer_id) if isinstance(answer_id, int) else None
    if (answer is None or answer.text is None or answer.question.kind not in TEXT_KINDS
            or answer.response.survey_id != survey.id or answer.response.state == "pending"):
        raise NotFound(_("No such answer in this survey."))
    return answer


# --- the handle a page gives each free-text answer -------------------------------------------
#
# The tagging form must say which answer it tags, but an answer's id would tell the host when
# it came (ids are sequential) and which texts one person wrote (a response's answers get
# neighbouring ids). So the page names each answer by a handle: HMAC(key, page key : answer id),
# where the page key is random and new on every page load and travels in the form, and the key
# is derived from SECRET_KEY and never leaves the server. Within one page the handles are
# random-looking (no order, no grouping); across loads the same answer gets another handle; and
# without the key no one can get from a handle back to an id. The server finds the answer by
# computing the handle of each of the survey's shown free-text answers: no state to keep.

HANDLE_BYTES = 16


def new_page_key() -> str:
    return secrets.token_urlsafe(16)


def handle_key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"survey-answer-handle", hashlib.sha256).digest()


def answer_handle(page_key: str, answer_id: int, key: bytes | None = None) -> str:
    digest = hmac.new(key or handle_key(), f"{page_key}:{answer_id}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:HANDLE_BYTES]).decode().rstrip("=")


def _shown_text_ids(survey: Survey):
    """The ids of the survey's free-text answers the results show (released, not waiting)."""
    return (select(SurveyAnswer.id)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .where(SurveyResponse.survey_id == survey.id, SurveyResponse.state != "pending",
                   SurveyAnswer.text.is_not(None), SurveyQuestion.kind.in_(TEXT_KINDS)))


def _fits(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64


def answers_by_handles(survey: Survey, page_key, handles) -> dict[str, SurveyAnswer]:
    """{handle: answer} for those of ``handles`` that name a shown free-text answer of this
    survey on the page that ``page_key`` was made for (the others are left out), with their
    themes: two queries however many are asked for."""
    wanted = {h for h in handles if _fits(h)} if _fits(page_key) else set()
    if not wanted:
        return {}
    key = handle_key()
    # A set lookup compares the handles' hashes, so its time tells nothing of how much of a
    # made-up handle matched a real one.
    ids = {}
    for answer_id in db.session.scalars(_shown_text_ids(survey)):
        handle = answer_handle(page_key, answer_id, key)
        if handle in wanted:
            ids[answer_id] = handle
    if not ids:
        return {}
    return {ids[a.id]: a for a in db.session.scalars(
        select(SurveyAnswer).where(SurveyAnswer.id.in_(ids))
        .options(selectinload(SurveyAnswer.themes)))}


def answer_by_handle(survey: Survey, page_key, handle) -> SurveyAnswer:
    """The shown free-text answer of this survey that ``handle`` names on the page that
    ``page_key`` was made for; NotFound for any other."""
    found = answers_by_handles(survey, page_key, [handle]).get(handle)
    if found is None:
        raise NotFound(_("No such answer in this survey."))
    return found


TAG_ACTIONS = ("add", "remove")


def theme_answers(survey: Survey, actor, page_key, handles, theme_id, action) -> int:
    """Add the theme to every answer the host ticked (named by ``handles`` on the page that
    ``page_key`` was made for), or take it off them (``action``). Everything is checked before
    anything changes: no answer ticked, an answer that is not one of this survey's shown
    free-text answers, a theme of another survey and an unknown action are each refused.
    Returns how many answers changed."""
    policy.authorize(actor, "survey.tag", survey.gathering)
    if action not in TAG_ACTIONS:
        raise ValidationFailed(_("Choose whether to add the theme or to remove it."),
                               field="action")
    theme = db.session.get(SurveyTheme, theme_id) if isinstance(theme_id, int) else None
    if theme is None or theme.survey_id != survey.id:
        raise ValidationFailed(_("Choose one of this survey's themes."), field="theme")
    handles = list(dict.fromkeys(handles or ()))
    if not handles:
        raise ValidationFailed(_("Tick one or more answers first."), field="answer")
    found = answers_by_handles(survey, page_key, handles)
    if len(found) != len(handles):
        raise ValidationFailed(_("Some of the ticked answers are not among this survey's "
                                 "answers, so nothing is saved. Load the page again and tick "
                                 "them anew."), field="answer")
    changed = 0
    for answer in found.values():
        if action == "add" and theme not in answer.themes:
            answer.themes.append(theme)
            changed += 1
        elif action == "remove" and theme in answer.themes:
            answer.themes.remove(theme)
            changed += 1
    db.session.flush()
    return changed


def tag(answer: SurveyAnswer, theme: SurveyTheme, actor) -> None:
    policy.authorize(actor, "survey.tag", theme.survey.gathering)
    text_answer_of(theme.survey, answer.id)
    if theme not in answer.themes:
        answer.themes.append(theme)
    db.session.flush()


def untag(answer: SurveyAnswer, theme: SurveyTheme, actor) -> None:
    policy.authorize(actor, "survey.tag", theme.survey.gathering)
    text_answer_of(theme.survey, answer.id)
    if theme in answer.themes:
        answer.themes.remove(theme)
    db.session.flush()


def set_themes(survey: Survey, actor, answer_id, theme_ids) -> SurveyAnswer:
    """Tag the answer with exactly ``theme_ids`` (the checkboxes ticked), untagging the rest.
    Every id is checked before anything changes."""
    policy.authorize(actor, "survey.tag", survey.gathering)
    answer = text_answer_of(survey, answer_id)
    wanted = [theme_of(survey, t) for t in dict.fromkeys(theme_ids)]
    for theme in list(answer.themes):
        if theme not in wanted:
            untag(answer, theme, actor)
    for theme in wanted:
        tag(answer, theme, actor)
    return answer
