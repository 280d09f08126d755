"""A gathering's survey results as its page and files show them: the figures of
``surveys.services.results`` in the interface's language, the free-text answers with their
themes, and the tables to download."""

from collections import Counter
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.reporting.services.files import as_share, slug
from eventapp.reporting.services.themes import answer_handle, handle_key, new_page_key, themes
from eventapp.surveys import services as surveys
from eventapp.surveys.models import (
    TEXT_KINDS,
    Survey,
    SurveyAnswer,
    SurveyTheme,
    survey_answer_themes,
)

# --- the language questions and options are shown in -----------------------------------------

def english() -> bool:
    return str(get_locale() or "").startswith("en")


def in_language(item: dict, key: str) -> str:
    """``item[key]``, or its English twin (``key + "_en"``) when the interface is English and
    the twin is there; hosts' own questions may have none."""
    return (english() and item.get(f"{key}_en")) or item[key]


def localise(questions: list[dict]) -> None:
    """The question texts and option labels of results() or national_report() in the
    interface's language, in place: the page, its charts and the files all read ``text`` and
    ``label``."""
    if not english():
        return
    for q in questions:
        q["text"] = in_language(q, "text")
        for option in q.get("options") or []:
            option["label"] = in_language(option, "label")


@dataclass
class TextAnswer:
    handle: str  # themes.answer_handle: names the answer on this page only; never its id
    text: str
    themes: list[SurveyTheme]


@dataclass
class SurveyResults:
    survey: Survey
    figures: dict  # surveys.services.results()
    themes: list[SurveyTheme]
    texts: dict[int, list[TextAnswer]]  # per text question, in a neutral order
    theme_counts: dict[int, list[tuple[SurveyTheme, int]]]  # per text question, most first
    page_key: str  # the key this page's answer handles are made with

    @property
    def suppressed(self) -> bool:
        return self.figures["suppressed"]


def survey_results(survey: Survey, *, group: str | None = None,
                   settles: str | None = None, size_class: str | None = None) -> SurveyResults:
    """results() with the free-text answers as rows (to tag) and each theme's count per
    question, under the same filter; nothing of either when the filter is suppressed, and no
    texts under a filter (as results() gives none), only the theme counts."""
    selection = surveys.select_responses(survey, group=group, settles=settles,
                                         size_class=size_class)
    figures = surveys.results(survey, group=group, settles=settles, size_class=size_class,
                              selection=selection)
    localise(figures["questions"])
    all_themes = themes(survey)
    texts: dict[int, list[TextAnswer]] = {}
    counts: dict[int, list[tuple[SurveyTheme, int]]] = {}
    page_key = new_page_key()
    key = handle_key()
    if not figures["suppressed"]:
        text_questions = [q.id for q in survey.questions if q.kind in TEXT_KINDS]
        # Rows, not entities, and each answer's themes from the survey's own: a page of
        # answers spent more in loading them as entities than in anything it showed.
        rows = db.session.execute(
            select(SurveyAnswer.id, SurveyAnswer.question_id, SurveyAnswer.text)
            .where(SurveyAnswer.question_id.in_(text_questions or [-1]),
                   SurveyAnswer.response_id.in_(selection.ids or [-1]),
                   SurveyAnswer.text.is_not(None))).all()
        by_id = {t.id: t for t in all_themes}
        tagged: dict[int, list[SurveyTheme]] = {}
        for answer_id, theme_id in db.session.execute(
                select(survey_answer_themes.c.answer_id, survey_answer_themes.c.theme_id)
                .join(SurveyTheme, SurveyTheme.id == survey_answer_themes.c.theme_id)
                .where(survey_answer_themes.c.answer_id.in_([r.id for r in rows] or [-1]))
                # The order SurveyAnswer.themes has.
                .order_by(SurveyTheme.name)):
            tagged.setdefault(answer_id, []).append(by_id[theme_id])
        # By what they say only, so the order tells nothing of who answered when: ties are
        # broken by the text as written and then by its themes, never by id or time, and rows
        # equal in all of these look alike whichever order they take.
        rows.sort(key=lambda a: (a.text.casefold(), a.text,
                                 sorted(t.name.casefold() for t in tagged.get(a.id, ()))))
        for question_id in text_questions:
            mine = [a for a in rows if a.question_id == question_id]
            texts[question_id] = [] if selection.filtered else [
                TextAnswer(answer_handle(page_key, a.id, key), a.text, tagged.get(a.id, []))
                for a in mine]
            tally = Counter(t.id for a in mine for t in tagged.get(a.id, ()))
            counts[question_id] = sorted(
                ((t, tally[t.id]) for t in all_themes if tally[t.id]),
                key=lambda tc: (-tc[1], tc[0].name.casefold()))
    return SurveyResults(survey, figures, all_themes, texts, counts, page_key)


def filters_wait_message() -> str:
    return _("The filters open when the survey has closed: while answers come in, one group's "
             "figures could change by a single answer.")


# --- the files ---------------------------------------------------------------------------------

def survey_filename(gathering: Gathering, group: str | None = None,
                    settles: str | None = None, size_class: str | None = None) -> str:
    """"sporreundersokelse-<gathering>-<year>", the filter added, without the extension. The
    name is Norwegian whatever the interface, as the files go to Norwegian colleagues."""
    year = str(gathering.start_date.year)
    title = slug(gathering.title) or "samling"
    parts = ["sporreundersokelse", title]
    if not title.endswith(year):
        parts.append(year)
    if group:
        parts.append(slug(dict(survey_group_choices()).get(group, group)))
    if settles:
        parts.append(slug(dict(settles_choices()).get(settles, settles)))
    if size_class:
        parts.append(slug(dict(size_choices()).get(size_class, size_class)))
    return "-".join(parts)


def filter_text(group: str | None, settles: str | None, size_class: str | None = None) -> str:
    shown = []
    if group:
        shown.append(_("Participant group: %(group)s",
                       group=dict(survey_group_choices()).get(group, group)))
    if settles:
        shown.append(_("The municipality settles: %(settles)s",
                       settles=dict(settles_choices()).get(settles, settles)))
    if size_class:
        shown.append(_("The municipality's size class: %(size)s",
                       size=dict(size_choices()).get(size_class, size_class)))
    return "; ".join(shown) or _("Everyone who answered")


def survey_preamble(report: SurveyResults) -> list[list]:
    """What the file holds, above the tables: a filtered file must not pass for a full one."""
    filters = report.figures["filters"]
    return [[_("Gathering"), report.survey.gathering.title],
            [_("Filter"), filter_text(filters["group"], filters["settles"],
                                      filters.get("size_class"))]]


def survey_tables(report: SurveyResults) -> list[tuple[str, list, list[list]]]:
    """The export: (sheet, header, rows) for the figures per question, and the written
    answers per question with their themes. Nothing joins one person's answers: no row holds
    more than one question's answer, and the texts are listed alphabetically within their
    question, so neither a row nor its position leads from one answer to another of the same
    person. A suppressed filter exports only that the group is too small."""
    figures = report.figures
    if report.suppressed:
        waiting = any(figures["filters"].values())
        message = (filters_wait_message() if waiting and not figures["filters_open"] else
                   _("Too few responses in this group to show (fewer than %(n)d).",
                     n=figures["min_group"]))
        return [(_("Figures"), [_("Message")], [[message]])]
    summary = []
    for number, result in enumerate(figures["questions"], start=1):
        text = result["text"]
        if result["kind"] == "agreement":
            for option in result["options"]:
                answered = result["answered"]
                share = option["count"] / answered if answered else None
                summary.append([number, text, option["label"], option["count"], as_share(share)])
            summary.append([number, text, _("Agree fully or partly"), result["agree"],
                            as_share(result["agree_share"])])
        elif "options" in result:
            for option in result["options"]:
                summary.append([number, text, option["label"], option["count"],
                                as_share(option["share"])])
        else:
            summary.append([number, text, _("Answered"), result["answered"], ""])
            for theme, count in report.theme_counts.get(result["question_id"], []):
                summary.append([number, text, _("Theme: %(name)s", name=theme.name), count, ""])
    texts = [[number, r["text"], answer.text, ", ".join(t.name for t in answer.themes)]
             for number, r in enumerate(figures["questions"], start=1)
             for answer in report.texts.get(r["question_id"], [])]
    return [
        (_("Figures"), [_("No."), _("Question"), _("Answer"), _("Count"), _("Share")], summary),
        (_("Texts"), [_("No."), _("Question"), _("Answer"), _("Themes")], texts),
    ]


def survey_group_choices() -> list[tuple[str, str]]:
    return [("municipal", _("Municipal staff")), ("county", _("County staff")),
            ("partner", _("Partners"))]


def size_choices() -> list[tuple[str, str]]:
    """The size classes of a municipality as settler of refugees, by the directorate's
    thresholds for the year."""
    return [("small", _("Small")), ("medium", _("Medium")), ("large", _("Large"))]


def settles_choices() -> list[tuple[str, str]]:
    return [(o["value"], in_language(o, "label")) for o in surveys.SETTLES_OPTIONS]
