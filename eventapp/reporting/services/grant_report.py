"""The directorate's national review: one row per county and year, summed from the same grant
figures each county's own report shows, so the two agree to the krone.

A county's row adds up ``grants.services.figures`` of each of its gatherings that year (not
drafts): the submitted copy where the report is submitted or approved, live figures otherwise.
Rows list the counties that held (or are holding) a gathering that year; the counties without
one are named apart, so the table and its totals hold only real gatherings.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants import services as grants
from eventapp.grants.rules import per_participant
from eventapp.places.models import County
from eventapp.registration.services import safe_cell
from eventapp.reporting.services.years import reported

# From least to most advanced: a county's row shows the least advanced of its gatherings.
# "returned" sits below "submitted" because the report is back with the county.
STATUS_ORDER = ("none", "draft", "returned", "submitted", "approved")


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


def _gatherings(user, year: int, county_id: int | None = None) -> list[Gathering]:
    stmt = select(Gathering).where(Gathering.start_date >= date(year, 1, 1),
                                   Gathering.start_date <= date(year, 12, 31))
    if county_id is not None:
        stmt = stmt.where(Gathering.county_id == county_id)
    stmt = reported(stmt, user).order_by(Gathering.start_date, Gathering.id)
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
    policy.authorize(user, "report.view")
    by_county: dict[int, list[Gathering]] = {}
    for g in _gatherings(user, year):
        by_county.setdefault(g.county_id, []).append(g)
    counties = {c.id: c for c in db.session.scalars(select(County).order_by(County.number))}
    rows = [_county_row(c, by_county[c.id]) for c in counties.values() if c.id in by_county]
    without = ([c for c in counties.values() if c.id not in by_county]
               if policy.can(user, "report.national") else [])
    return NationalReport(year=year, rule=Rule.of(grants.rules_for(year)), rows=rows,
                          totals=total_line([r.line for r in rows]), counties_without=without)


def visible_county(user, number: str) -> County | None:
    """The county if ``user`` may see its report, else None (callers answer 404)."""
    county = db.session.scalars(select(County).where(County.number == number)).first()
    if county is None or not policy.can(user, "report.county", county.id):
        return None
    return county


def county_report(user, county: County, year: int) -> CountyRow:
    """One county's gatherings in ``year`` with the same figures per gathering; its line is the
    county's row of the national report."""
    policy.authorize(user, "report.view")
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
