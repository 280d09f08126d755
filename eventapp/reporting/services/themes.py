"""Themes: the county's host and the directorate sort a survey's free-text answers by what
they are about; the results page counts each theme per question."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from eventapp.core import policy
from eventapp.core.errors import NotFound, ValidationFailed
from eventapp.extensions import db
from eventapp.surveys.models import (
    TEXT_KINDS,
    Survey,
    SurveyAnswer,
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
    """A free-text answer of this survey, else NotFound (also for a chosen option's row)."""
    answer = db.session.get(SurveyAnswer, answer_id) if isinstance(answer_id, int) else None
    if (answer is None or answer.text is None or answer.question.kind not in TEXT_KINDS
            or answer.response.survey_id != survey.id):
        raise NotFound(_("No such answer in this survey."))
    return answer


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
