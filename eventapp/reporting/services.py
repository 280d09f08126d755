"""The directorate's national review: one row per county and year, summed from the same grant
figures each county's own report shows, so the two agree to the krone.

A county's row adds up ``grants.services.figures`` of each of its gatherings that year (not
drafts): the submitted copy where the report is submitted or approved, live figures otherwise.
Rows list the counties that held (or are holding) a gathering that year; the counties without
one are named apart, so the table and its totals hold only real gatherings.
"""

import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import extract, func, select

from eventapp.core.access import COUNTY_ROLES, Role, may_manage_county, scope
from eventapp.core.errors import Forbidden, NotFound, ValidationFailed
from eventapp.core.numbers import whole_percent
from eventapp.core.time import OSLO
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants import services as grants
from eventapp.grants.rules import per_participant
from eventapp.places.models import County
from eventapp.registration.services import safe_cell
from eventapp.surveys import services as surveys
from eventapp.surveys.models import (
    DONT_KNOW,
    TEXT_KINDS,
    Survey,
    SurveyAnswer,
    SurveyTheme,
    survey_answer_themes,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100
# From least to most advanced: a county's row shows the least advanced of its gatherings.
# "returned" sits below "submitted" because the report is back with the county.
STATUS_ORDER = ("none", "draft", "returned", "submitted", "approved")
THEME_MAX = 80  # survey_themes.name


def status_label(status: str) -> str:
    return {
        "none": _("Not started"),
        "draft": _("Draft"),
        "returned": _("Returned"),
        "submitted": _("Submitted"),
        "approved": _("Approved"),
    }.get(status, status)


@dataclass(frozen=True, order=True)
class Rule:
    """Who counted as a participant, and at what rate."""

    rate_nok: int
    attendance: str
    include_speakers: bool

    @classmethod
    def of(cls, rules) -> "Rule":
        return cls(rules.rate_nok, rules.attendance, bool(rules.include_speakers))

    @property
    def label(self) -> str:
        attendance = (_("attended at least one day") if self.attendance == "any_day"
                      else _("attended every day"))
        speakers = _("speakers counted") if self.include_speakers else _("speakers not counted")
        return _("%(rate)s kr per participant; %(attendance)s; %(speakers)s",
                 rate=grants.nok(self.rate_nok), attendance=attendance, speakers=speakers)

    def as_json(self) -> dict:
        return {"rate_nok": self.rate_nok, "attendance": self.attendance,
                "include_speakers": self.include_speakers}


@dataclass(frozen=True)
class Line:
    """The figures of one gathering, a county's sum of them, or the national total."""

    gatherings: int
    participants: int
    municipalities_covered: int
    municipalities_total: int
    ceiling_nok: int
    granted_nok: int
    spent_nok: int
    repay_nok: int
    statuses: tuple[str, ...]  # one per gathering
    rules: tuple[Rule, ...]  # each distinct rule the figures were counted by
    live: int  # gatherings whose report is not submitted: their figures may still change
    undecided: int  # gatherings whose grant is not decided yet (counted as 0 granted)

    @property
    def per_participant_nok(self) -> int | None:
        # From the sums, never a sum or mean of per-gathering figures.
        return per_participant(self.spent_nok, self.participants)

    @property
    def report_status(self) -> str:
        if not self.statuses:
            return "none"
        return min(self.statuses, key=STATUS_ORDER.index)

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        counts = Counter(self.statuses)
        return [(s, counts[s]) for s in STATUS_ORDER if counts[s]]

    @property
    def approved(self) -> int:
        return self.statuses.count("approved")


EMPTY = Line(0, 0, 0, 0, 0, 0, 0, 0, (), (), 0, 0)


def gathering_line(figures: grants.GrantFigures) -> Line:
    s = figures.settlement
    return Line(
        gatherings=1, participants=figures.counts.participants,
        municipalities_covered=figures.counts.municipalities_covered,
        municipalities_total=figures.counts.municipalities_total,
        ceiling_nok=s.ceiling_nok, granted_nok=s.granted_nok, spent_nok=s.spent_nok,
        repay_nok=s.repay_nok if figures.settled else 0, statuses=(figures.report_status,),
        rules=(Rule(figures.rate_nok, figures.attendance, bool(figures.include_speakers)),),
        live=0 if figures.frozen else 1, undecided=1 if figures.granted_nok is None else 0,
    )


def _add(lines: list[Line], *, covered: int, total: int) -> Line:
    rules = tuple(dict.fromkeys(r for line in lines for r in line.rules))
    return Line(
        gatherings=sum(x.gatherings for x in lines),
        participants=sum(x.participants for x in lines),
        municipalities_covered=covered, municipalities_total=total,
        ceiling_nok=sum(x.ceiling_nok for x in lines),
        granted_nok=sum(x.granted_nok for x in lines),
        spent_nok=sum(x.spent_nok for x in lines),
        repay_nok=sum(x.repay_nok for x in lines),
        statuses=tuple(s for x in lines for s in x.statuses), rules=rules,
        live=sum(x.live for x in lines), undecided=sum(x.undecided for x in lines),
    )


def county_line(lines: list[Line]) -> Line:
    """A county's gatherings in a year, added up. Coverage is not added: a report keeps how many
    municipalities came, not which, so two gatherings' counts may hold the same municipality
    twice. The row shows the best coverage any one gathering reached (at least that many came)."""
    if not lines:
        return EMPTY
    return _add(lines, covered=max(x.municipalities_covered for x in lines),
                total=max(x.municipalities_total for x in lines))


def total_line(lines: list[Line]) -> Line:
    """Counties' rows added up; counties share no municipalities, so coverage adds too."""
    return _add(lines, covered=sum(x.municipalities_covered for x in lines),
                total=sum(x.municipalities_total for x in lines))


@dataclass(frozen=True)
class GatheringRow:
    gathering: Gathering
    figures: grants.GrantFigures
    line: Line


@dataclass(frozen=True)
class CountyRow:
    county: County
    line: Line
    gatherings: list[GatheringRow]


@dataclass(frozen=True)
class NationalReport:
    year: int
    rule: Rule  # the year's rule today; live figures are counted by it
    rows: list[CountyRow]
    totals: Line
    counties_without: list[County]  # the directorate's view only; empty for a county

    @property
    def other_rules(self) -> list[Rule]:
        """Rules that frozen reports carry and that differ from the year's rule today."""
        return sorted({r for row in self.rows for r in row.line.rules} - {self.rule})


# --- who may see what, and which year ----------------------------------------------------------

def may_view(user) -> bool:
    return (user is not None and user.is_authenticated
            and (user.role == Role.DIRECTORATE or user.role in COUNTY_ROLES))


def require_viewer(user) -> None:
    if not may_view(user):
        raise Forbidden(_("The grant reports are for the directorate and the counties."))


def this_year() -> int:
    return datetime.now(OSLO).year


def parse_year(raw: str | None) -> int | None:
    """The year asked for, or None when none was; a year that is not one is refused."""
    if raw is None or raw == "":
        return None
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4) \
            or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise ValidationFailed(_("Give a year from %(first)d to %(last)d.", first=FIRST_YEAR,
                                 last=LAST_YEAR), field="year")
    return int(text)


def _reported(stmt, user):
    """Gatherings that count in a report: not drafts, and within the user's scope."""
    return scope(stmt.where(Gathering.status != "draft"), Gathering, user)


def years_with_data(user) -> list[int]:
    year = extract("year", Gathering.start_date)
    found = db.session.scalars(_reported(select(year).distinct(), user))
    return sorted({int(y) for y in found if y is not None})


def default_year(user) -> int:
    """The latest year up to this one with gatherings; else the first planned one; else now."""
    now = this_year()
    years = years_with_data(user)
    past = [y for y in years if y <= now]
    if past:
        return past[-1]
    return years[0] if years else now


def _gatherings(user, year: int, county_id: int | None = None) -> list[Gathering]:
    stmt = select(Gathering).where(Gathering.start_date >= date(year, 1, 1),
                                   Gathering.start_date <= date(year, 12, 31))
    if county_id is not None:
        stmt = stmt.where(Gathering.county_id == county_id)
    stmt = _reported(stmt, user).order_by(Gathering.start_date, Gathering.id)
    return list(db.session.scalars(stmt))


def _gathering_rows(gatherings: list[Gathering]) -> list[GatheringRow]:
    rows = []
    for g in gatherings:
        f = grants.figures(g)
        rows.append(GatheringRow(g, f, gathering_line(f)))
    return rows


def _county_row(county: County, gatherings: list[Gathering]) -> CountyRow:
    rows = _gathering_rows(gatherings)
    return CountyRow(county, county_line([r.line for r in rows]), rows)


# --- the reports ---------------------------------------------------------------------------------

def national(user, year: int) -> NationalReport:
    """One row per county with gatherings in ``year``, by county number, and the totals. A county
    host or counsellor gets their own county's row only."""
    require_viewer(user)
    by_county: dict[int, list[Gathering]] = {}
    for g in _gatherings(user, year):
        by_county.setdefault(g.county_id, []).append(g)
    counties = {c.id: c for c in db.session.scalars(select(County).order_by(County.number))}
    rows = [_county_row(c, by_county[c.id]) for c in counties.values() if c.id in by_county]
    without = ([c for c in counties.values() if c.id not in by_county]
               if user.role == Role.DIRECTORATE else [])
    return NationalReport(year=year, rule=Rule.of(grants.rules_for(year)), rows=rows,
                          totals=total_line([r.line for r in rows]), counties_without=without)


def visible_county(user, number: str) -> County | None:
    """The county if ``user`` may see its report, else None (callers answer 404)."""
    if not may_view(user):
        return None
    county = db.session.scalars(select(County).where(County.number == number)).first()
    if county is None:
        return None
    if user.role != Role.DIRECTORATE and county.id != user.county_id:
        return None
    return county


def county_report(user, county: County, year: int) -> CountyRow:
    """One county's gatherings in ``year`` with the same figures per gathering; its line is the
    county's row of the national report."""
    require_viewer(user)
    return _county_row(county, _gatherings(user, year, county.id))


# --- spreadsheets --------------------------------------------------------------------------------

def _figure_cells(line: Line) -> list:
    return [line.participants, line.municipalities_covered, line.municipalities_total,
            line.ceiling_nok, line.granted_nok, line.spent_nok, line.per_participant_nok,
            line.repay_nok]


def _figure_headers() -> list[str]:
    return [_("Participants attended"), _("Municipalities covered"),
            _("Municipalities in the county"), _("Grant ceiling (NOK)"), _("Granted (NOK)"),
            _("Spent (NOK)"), _("Per participant (NOK)"), _("To repay (NOK)")]


def _rules_text(line: Line) -> str:
    return " / ".join(r.label for r in line.rules)


def national_table(report: NationalReport) -> tuple[list, list[list]]:
    """The national table as spreadsheet cells: a header, a row per county, the totals."""
    header = [_("County number"), _("County"), _("Gatherings"), *_figure_headers(),
              _("Report status"), _("Counted by")]
    rows = []
    for row in report.rows:
        line = row.line
        rows.append([row.county.number, row.county.name, line.gatherings, *_figure_cells(line),
                     status_label(line.report_status), _rules_text(line)])
    t = report.totals
    rows.append(["", _("Total"), t.gatherings, *_figure_cells(t),
                 _("%(approved)d of %(all)d approved", approved=t.approved, all=t.gatherings),
                 _rules_text(t)])
    return [safe_cell(h) for h in header], [[safe_cell(v) for v in r] for r in rows]


def county_table(row: CountyRow) -> tuple[list, list[list]]:
    """One county's gatherings as spreadsheet cells, with the county's sum last."""
    from eventapp.gatherings.models import status_label as gathering_status

    header = [_("Gathering"), _("Starts"), _("Ends"), _("Gathering status"), *_figure_headers(),
              _("Report status"), _("Counted by")]
    rows = []
    for g in row.gatherings:
        rows.append([g.gathering.title, g.gathering.start_date.isoformat(),
                     g.gathering.end_date.isoformat(), gathering_status(g.gathering.status),
                     *_figure_cells(g.line), status_label(g.line.report_status),
                     _rules_text(g.line)])
    line = row.line
    rows.append([_("Total"), "", "", "", *_figure_cells(line), status_label(line.report_status),
                 _rules_text(line)])
    return [safe_cell(h) for h in header], [[safe_cell(v) for v in r] for r in rows]


def to_csv(table: tuple[list, list[list]]) -> bytes:
    """UTF-8 with a byte-order mark and semicolons, as Excel in Norway opens it."""
    header, rows = table
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: tuple[list, list[list]], sheet_name: str) -> bytes:
    from openpyxl import Workbook

    header, rows = table
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- a gathering's survey results: themes, texts, exports -----------------------------------
# The figures come from surveys.services.results (and national_report): this part adds the
# themes the host tags free-text answers with, and turns the figures into tables to download.

def may_tag(user, gathering: Gathering) -> bool:
    """The county's host and the directorate group answers into themes; counsellors read."""
    if user is None or not user.is_authenticated:
        return False
    return user.role == Role.DIRECTORATE or may_manage_county(user, gathering.county_id)


def may_export(user, gathering: Gathering) -> bool:
    """The files leave the app, so only those who answer for the survey take them: the
    county's host and the directorate. Counsellors sit at the tables with the participants;
    they read the page (which hides small groups) but take no copy away."""
    return may_tag(user, gathering)


def _require_tagger(user, survey: Survey) -> None:
    if not may_tag(user, survey.gathering):
        raise Forbidden(_("Only the county's host and the directorate can sort answers into "
                          "themes."))


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
    _require_tagger(actor, survey)
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
    _require_tagger(actor, theme.survey)
    theme.name = _theme_name(theme.survey, name, keep=theme)
    db.session.flush()
    return theme


def delete_theme(theme: SurveyTheme, actor) -> None:
    """The theme goes; the answers it tagged stay, untagged by it."""
    _require_tagger(actor, theme.survey)
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
    _require_tagger(actor, theme.survey)
    text_answer_of(theme.survey, answer.id)
    if theme not in answer.themes:
        answer.themes.append(theme)
    db.session.flush()


def untag(answer: SurveyAnswer, theme: SurveyTheme, actor) -> None:
    _require_tagger(actor, theme.survey)
    text_answer_of(theme.survey, answer.id)
    if theme in answer.themes:
        answer.themes.remove(theme)
    db.session.flush()


def set_themes(survey: Survey, actor, answer_id, theme_ids) -> SurveyAnswer:
    """Tag the answer with exactly ``theme_ids`` (the checkboxes ticked), untagging the rest.
    Every id is checked before anything changes."""
    _require_tagger(actor, survey)
    answer = text_answer_of(survey, answer_id)
    wanted = [theme_of(survey, t) for t in dict.fromkeys(theme_ids)]
    for theme in list(answer.themes):
        if theme not in wanted:
            untag(answer, theme, actor)
    for theme in wanted:
        tag(answer, theme, actor)
    return answer


# --- the language questions and options are shown in -----------------------------------------

def english() -> bool:
    return str(get_locale() or "").startswith("en")


def in_language(item: dict, key: str) -> str:
    """``item[key]``, or its English twin (``key + "_en"``) when the interface is English and
    the twin is there; hosts' own questions may have none."""
    return (english() and item.get(f"{key}_en")) or item[key]


def _localise(questions: list[dict]) -> None:
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
    id: int
    text: str
    themes: list[SurveyTheme]


@dataclass
class SurveyResults:
    survey: Survey
    figures: dict  # surveys.services.results()
    themes: list[SurveyTheme]
    texts: dict[int, list[TextAnswer]]  # per text question, in a neutral order
    theme_counts: dict[int, list[tuple[SurveyTheme, int]]]  # per text question, most first

    @property
    def suppressed(self) -> bool:
        return self.figures["suppressed"]


def survey_results(survey: Survey, *, group: str | None = None,
                   settles: str | None = None) -> SurveyResults:
    """results() with the free-text answers as rows (to tag) and each theme's count per
    question, under the same filter; nothing of either when the filter is suppressed, and no
    texts under a filter (as results() gives none), only the theme counts."""
    figures = surveys.results(survey, group=group, settles=settles)
    _localise(figures["questions"])
    all_themes = themes(survey)
    texts: dict[int, list[TextAnswer]] = {}
    counts: dict[int, list[tuple[SurveyTheme, int]]] = {}
    if not figures["suppressed"]:
        text_questions = [q.id for q in survey.questions if q.kind in TEXT_KINDS]
        selection = surveys.select_responses(survey, group=group, settles=settles)
        ids = selection.ids
        rows = list(db.session.scalars(
            select(SurveyAnswer).where(SurveyAnswer.question_id.in_(text_questions or [-1]),
                                       SurveyAnswer.response_id.in_(ids or [-1]),
                                       SurveyAnswer.text.is_not(None))))
        # Alphabetical, so the order tells nothing of who answered when.
        rows.sort(key=lambda a: (a.text.casefold(), a.id))
        for question_id in text_questions:
            mine = [a for a in rows if a.question_id == question_id]
            texts[question_id] = [] if selection.filtered else [
                TextAnswer(a.id, a.text, list(a.themes)) for a in mine]
            tally = Counter(t.id for a in mine for t in a.themes)
            counts[question_id] = sorted(
                ((t, tally[t.id]) for t in all_themes if tally[t.id]),
                key=lambda tc: (-tc[1], tc[0].name.casefold()))
    return SurveyResults(survey, figures, all_themes, texts, counts)


# --- the files ---------------------------------------------------------------------------------

class Share(float):
    """A share from 0 to 1 in an export: "38 %" in a CSV, and in a workbook a number shown as a
    percentage, so Excel can sort and sum it."""


def _pct(share) -> str:
    return "" if share is None else f"{whole_percent(share)} %"


def _share(share) -> Share | str:
    return "" if share is None else Share(share)


def _text_cell(value):
    return _pct(value) if isinstance(value, Share) else safe_cell(value)


def slug(text: str) -> str:
    """ASCII for a file name: "Fylkessamling Møre og Romsdal" -> "fylkessamling-more-og-romsdal".
    The Norwegian letters are spelt out first; NFKD alone would drop "ø" and "æ"."""
    text = text.translate(str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O",
                                          "å": "a", "Å": "A"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


def survey_filename(gathering: Gathering, group: str | None = None,
                    settles: str | None = None) -> str:
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
    return "-".join(parts)


def filter_text(group: str | None, settles: str | None) -> str:
    shown = []
    if group:
        shown.append(_("Participant group: %(group)s",
                       group=dict(survey_group_choices()).get(group, group)))
    if settles:
        shown.append(_("The municipality settles: %(settles)s",
                       settles=dict(settles_choices()).get(settles, settles)))
    return "; ".join(shown) or _("Everyone who answered")


def survey_preamble(report: SurveyResults) -> list[list]:
    """What the file holds, above the tables: a filtered file must not pass for a full one."""
    filters = report.figures["filters"]
    return [[_("Gathering"), report.survey.gathering.title],
            [_("Filter"), filter_text(filters["group"], filters["settles"])]]


def survey_tables(report: SurveyResults) -> list[tuple[str, list, list[list]]]:
    """The export: (sheet, header, rows) for the figures per question, and the written
    answers per question with their themes. Nothing joins one person's answers: no row holds
    more than one question's answer, and the texts are listed alphabetically within their
    question, so neither a row nor its position leads from one answer to another of the same
    person. A suppressed filter exports only that the group is too small."""
    figures = report.figures
    if report.suppressed:
        return [(_("Figures"), [_("Message")],
                 [[_("Too few responses in this group to show (fewer than %(n)d).",
                     n=figures["min_group"])]])]
    summary = []
    for number, result in enumerate(figures["questions"], start=1):
        text = result["text"]
        if result["kind"] == "agreement":
            for option in result["options"]:
                considered = result["considered"]
                share = (option["count"] / considered
                         if considered and option["value"] != DONT_KNOW else None)
                summary.append([number, text, option["label"], option["count"], _share(share)])
            summary.append([number, text, _("Agree fully or partly"), result["agree"],
                            _share(result["agree_share"])])
        elif "options" in result:
            for option in result["options"]:
                summary.append([number, text, option["label"], option["count"],
                                _share(option["share"])])
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


def settles_choices() -> list[tuple[str, str]]:
    return [(o["value"], in_language(o, "label")) for o in surveys.SETTLES_OPTIONS]


def sheets_to_csv(sheets: list[tuple[str, list, list[list]]], preamble=()) -> bytes:
    """The preamble's lines first, then each sheet as a section: its name, header and rows, a
    blank line before each."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([_text_cell(c) for c in row] for row in preamble)
    for i, (name, header, rows) in enumerate(sheets):
        if i or preamble:
            writer.writerow([])
        writer.writerow([safe_cell(name)])
        writer.writerow([safe_cell(c) for c in header])
        writer.writerows([_text_cell(c) for c in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheets_to_xlsx(sheets: list[tuple[str, list, list[list]]], preamble=()) -> bytes:
    """A sheet each, the preamble's lines and a blank row above each sheet's header."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for name, header, rows in sheets:
        sheet = book.create_sheet(name[:31])

        def cell(value, sheet=sheet):
            if not isinstance(value, Share):
                return safe_cell(value)
            out = WriteOnlyCell(sheet, value=float(value))
            out.number_format = "0 %"
            return out

        for row in preamble:
            sheet.append([safe_cell(c) for c in row])
        if preamble:
            sheet.append([])
        sheet.append([safe_cell(c) for c in header])
        for row in rows:
            sheet.append([cell(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the national survey comparison -----------------------------------------------------------

TOP_ITEMS = 3
TOP_THEMES = 5


def may_compare_surveys(user) -> bool:
    """The directorate and the county hosts, as for the national grant report's purpose:
    the comparison is for those who answer for the gatherings, not for counsellors."""
    return (user is not None and user.is_authenticated
            and user.role in (Role.DIRECTORATE, Role.COUNTY_HOST))


def require_survey_comparer(user) -> None:
    if not may_compare_surveys(user):
        raise Forbidden(_("The survey comparison is for the directorate and the county hosts."))


def survey_years(user) -> list[int]:
    year = extract("year", Gathering.start_date)
    found = db.session.scalars(_reported(
        select(year).join(Survey, Survey.gathering_id == Gathering.id).distinct(), user))
    return sorted({int(y) for y in found if y is not None})


def default_survey_year(user) -> int:
    now = this_year()
    years = [y for y in survey_years(user) if y <= now]
    return years[-1] if years else now


def _year_surveys(user, year: int) -> list[Survey]:
    """The year's surveys the user may open, as national_report() picks the year's surveys."""
    stmt = (select(Survey).join(Gathering, Gathering.id == Survey.gathering_id)
            .where(extract("year", Gathering.start_date) == year)
            .order_by(Gathering.start_date, Gathering.id))
    return list(db.session.scalars(_reported(stmt, user)))


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
            .where(SurveyAnswer.question_id.in_([q.id for q in item_copies] or [-1]))).all():
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
    require_survey_comparer(user)
    report = surveys.national_report(year)
    _localise(report["questions"])
    if user.role != Role.DIRECTORATE:
        own = user.county.number if user.county else None
        for question in report["questions"]:
            question["counties"] = [r for r in question["counties"] if r["county_number"] == own]
    _county_details(user, year, report["questions"])
    return report


def national_survey_filename(user, year: int) -> str:
    if user.role == Role.DIRECTORATE or user.county is None:
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
                             _share(r["agree_share"])])
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
            rows.append([*national, _("Agree fully or partly"), _share(q["agree_share"])])
            if rng:
                rows.append([text, _("Range over counties"), "", "",
                             _("Range (lowest–highest)"), f"{_pct(rng['min'])}–{_pct(rng['max'])}"])
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
