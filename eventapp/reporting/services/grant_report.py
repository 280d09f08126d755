"""The directorate's national review: one row per county over a period (a year, or several),
summed from the same grant figures each county's own report shows, so the two agree to the
krone.

A county's row adds up ``grants.services.figures`` of each of its gatherings starting in the
period (not drafts): the submitted copy where the report is submitted or approved, live figures
otherwise. Rows list the counties that held (or are holding) a gathering in the period; the
counties without one are named apart, so the table and its totals hold only real gatherings.
Who came (roles, partner kinds, size classes) is read from the registrations (``Breakdown``).
"""

from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants import services as grants
from eventapp.grants.rules import per_participant
from eventapp.partners.models import PARTNER_KINDS
from eventapp.places.models import SIZE_CLASSES, County, Municipality
from eventapp.places.services import size_classes
from eventapp.registration.models import ROLES, Registration
from eventapp.registration.services import safe_cell
from eventapp.reporting.services.years import Period, reported

# The size classes and "unknown" for a municipality without figures for the year.
SIZE_KEYS = (*SIZE_CLASSES, "unknown")

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
class Breakdown:
    """Who came to one county's gatherings in the period (or to every county's, in the totals),
    read from the registrations: confirmed, and attended by the attendance rule each gathering's
    figures were counted by (any day or every day). Speakers are listed as a role whether or not
    the grant's rule counts them.

    - ``roles``: role -> people (``registration.models.ROLES``);
    - ``partner_kinds``: of those who came for a partner organisation, kind -> people (the
      partner picked on the registration; a partner written as free text is "other");
    - ``size_people``/``size_municipalities``: municipal staff counted by the grant's rule, and
      the municipalities they came from, by the municipality's size class in the gathering's
      year ("unknown" without figures for it); ``size_total``: the county's municipalities per
      class in the period's last year. A municipality whose class changed between two years of
      the period counts in each class it came under."""

    roles: dict[str, int]
    partner_kinds: dict[str, int]
    size_people: dict[str, int]
    size_municipalities: dict[str, int]
    size_total: dict[str, int]

    @property
    def attended(self) -> int:
        return sum(self.roles.values())

    @property
    def partner_people(self) -> int:
        return sum(self.partner_kinds.values())


@dataclass(frozen=True)
class CountyRow:
    county: County
    line: Line
    gatherings: list[GatheringRow]
    who: Breakdown | None = None


@dataclass(frozen=True)
class NationalReport:
    period: Period
    rules: dict[int, Rule]  # each year's rule today; live figures are counted by it
    rows: list[CountyRow]
    totals: Line
    counties_without: list[County]  # the directorate's view only; empty for a county
    who: Breakdown | None = None  # the totals of the rows' breakdowns

    @property
    def year(self) -> int:
        """The period's last year (the only one when the report covers one year)."""
        return self.period.end

    @property
    def rule(self) -> Rule:
        return self.rules[self.period.end]

    @property
    def same_rule(self) -> bool:
        return len(set(self.rules.values())) == 1

    @property
    def other_rules(self) -> list[Rule]:
        """Rules that frozen reports carry and that differ from every year's rule today."""
        return sorted({r for row in self.rows for r in row.line.rules} - set(self.rules.values()))


def _period(start: int, end: int | None) -> Period:
    return Period(start, start if end is None else end)


def _gatherings(user, period: Period, county_id: int | None = None) -> list[Gathering]:
    stmt = select(Gathering).where(Gathering.start_date >= period.first_day,
                                   Gathering.start_date <= period.last_day)
    if county_id is not None:
        stmt = stmt.where(Gathering.county_id == county_id)
    stmt = reported(stmt, user).order_by(Gathering.start_date, Gathering.id)
    return list(db.session.scalars(stmt))


def _gathering_rows(gatherings: list[Gathering], confirmed=None) -> list[GatheringRow]:
    # One query per kind of fact for all of them: per gathering, a year's report ran hundreds.
    found = grants.figures_for(gatherings, confirmed)
    return [GatheringRow(g, found[g.id], gathering_line(found[g.id])) for g in gatherings]


# --- who came: roles, partner kinds and size classes, from one query over the period -----------

def _came(attended, day1, day2, days: int, attendance: str) -> bool:
    # The grant's attendance rule (grants.services.figures), read from the same columns.
    if attendance == "any_day":
        return bool(day1 or day2 or attended)
    return bool(day1) and (days < 2 or bool(day2))


def _partner_kind_column():
    """Partner.kind through Registration.partner_id, once the partners feature has them."""
    if not hasattr(Registration, "partner_id"):
        return None, None
    from eventapp.partners.models import Partner

    return Partner, Partner.kind


def _registered(gatherings: list[Gathering]) -> list:
    """The gatherings' confirmed registrations as the grant figures read them
    (grants.confirmed_rows), each with its partner's kind after: one query that both the
    figures and the breakdowns read, where each read the period's registrations itself."""
    stmt = grants.confirmed_rows([g.id for g in gatherings])
    partner, kind = _partner_kind_column()
    if partner is not None:
        stmt = stmt.add_columns(kind).outerjoin(partner, partner.id == Registration.partner_id)
    return db.session.execute(stmt).all()


def _breakdowns(rows: list[GatheringRow], period: Period, county_ids: list[int],
                registered: list) -> dict[int, Breakdown]:
    """{county id: Breakdown} over the gatherings of ``rows`` and their confirmed
    ``registered`` (_registered), with one query for the municipalities and one per year for
    the size classes."""
    if not county_ids:
        return {}
    by_gathering = {r.gathering.id: r for r in rows}
    with_kind = _partner_kind_column()[1] is not None
    units = db.session.execute(select(Municipality.id, Municipality.county_id,
                                      Municipality.kind, Municipality.active)).all()
    classes = {year: size_classes(year) for year in period.years}

    roles = {c: dict.fromkeys(ROLES, 0) for c in county_ids}
    kinds = {c: dict.fromkeys(PARTNER_KINDS, 0) for c in county_ids}
    people = {c: dict.fromkeys(SIZE_KEYS, 0) for c in county_ids}
    came_from = {c: {k: set() for k in SIZE_KEYS} for c in county_ids}
    # What each gathering's rows are read by, looked up once per gathering, not per row: a
    # year's report goes through over a thousand registrations.
    rule = {gid: (r.gathering.county_id, r.gathering.days, r.figures.attendance,
                  r.figures.include_speakers, classes[r.gathering.start_date.year])
            for gid, r in by_gathering.items()}
    for reg in registered:
        # By position: over a thousand rows, reading each column by name cost more than the rest.
        (gathering_id, role, organisation_kind, attended, day1, day2, _digital, municipality_id,
         parent_id) = reg[:9]
        county_id, days, attendance, include_speakers, year_classes = rule[gathering_id]
        if county_id not in roles or not _came(attended, day1, day2, days, attendance):
            continue
        roles[county_id][role] += 1
        if organisation_kind == "partner":
            found = reg[9] if with_kind else None
            kinds[county_id][found if found in PARTNER_KINDS else "other"] += 1
        counted = include_speakers or role != "speaker"
        if counted and municipality_id is not None:
            unit = parent_id or municipality_id
            size = year_classes.get(unit) or "unknown"
            people[county_id][size] += 1
            came_from[county_id][size].add(unit)
    totals = {c: dict.fromkeys(SIZE_KEYS, 0) for c in county_ids}
    for u in units:
        if u.kind == "municipality" and u.active and u.county_id in totals:
            totals[u.county_id][classes[period.end].get(u.id) or "unknown"] += 1
    return {c: Breakdown(roles[c], kinds[c], people[c],
                         {k: len(v) for k, v in came_from[c].items()}, totals[c])
            for c in county_ids}


def _sum_breakdowns(parts: list[Breakdown]) -> Breakdown:
    def add(name, keys):
        return {k: sum(getattr(p, name)[k] for p in parts) for k in keys}

    # Counties share no municipalities, so their municipalities add up.
    return Breakdown(add("roles", ROLES), add("partner_kinds", PARTNER_KINDS),
                     add("size_people", SIZE_KEYS), add("size_municipalities", SIZE_KEYS),
                     add("size_total", SIZE_KEYS))


def _county_rows(counties: list[County], gatherings: list[Gathering],
                 period: Period) -> list[CountyRow]:
    registered = _registered(gatherings) if gatherings else []
    rows = _gathering_rows(gatherings, registered)
    who = _breakdowns(rows, period, [c.id for c in counties], registered)
    out = []
    for county in counties:
        mine = [r for r in rows if r.gathering.county_id == county.id]
        out.append(CountyRow(county, county_line([r.line for r in mine]), mine,
                             who.get(county.id)))
    return out


# --- the reports ---------------------------------------------------------------------------------

def national(user, start: int, end: int | None = None) -> NationalReport:
    """One row per county with gatherings starting from ``start`` through ``end`` (``start``
    alone: that year), by county number, and the totals. A county host or counsellor gets their
    own county's row only."""
    policy.authorize(user, "report.view")
    period = _period(start, end)
    gatherings = _gatherings(user, period)
    held = {g.county_id for g in gatherings}
    counties = list(db.session.scalars(select(County).order_by(County.number)))
    rows = _county_rows([c for c in counties if c.id in held], gatherings, period)
    without = ([c for c in counties if c.id not in held]
               if policy.can(user, "report.national") else [])
    who = _sum_breakdowns([r.who for r in rows if r.who is not None]) if rows else None
    return NationalReport(period=period,
                          rules={y: Rule.of(r) for y, r in
                                 sorted(grants.rules_for_years(period.years).items())},
                          rows=rows, totals=total_line([r.line for r in rows]),
                          counties_without=without, who=who)


def visible_county(user, number: str) -> County | None:
    """The county if ``user`` may see its report, else None (callers answer 404)."""
    county = db.session.scalars(select(County).where(County.number == number)).first()
    if county is None or not policy.can(user, "report.county", county.id):
        return None
    return county


def county_report(user, county: County, start: int, end: int | None = None) -> CountyRow:
    """One county's gatherings in the period with the same figures per gathering; its line is
    the county's row of the national report."""
    policy.authorize(user, "report.view")
    period = _period(start, end)
    return _county_rows([county], _gatherings(user, period, county.id), period)[0]


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


# --- who came, as tables -------------------------------------------------------------------------

def size_label(size: str) -> str:
    return {"small": _("Small"), "medium": _("Medium"), "large": _("Large"),
            "unknown": _("No figures")}.get(size, size)


def role_labels() -> list[tuple[str, str]]:
    from eventapp.registration.forms import role_label

    return [(role, role_label(role)) for role in ROLES]


def partner_kind_labels() -> list[tuple[str, str]]:
    from eventapp.partners.models import kind_label

    return [(kind, kind_label(kind)) for kind in PARTNER_KINDS]


def _who_rows(report: NationalReport):
    """(number, name, breakdown) per county row and the totals."""
    rows = [(r.county.number, r.county.name, r.who) for r in report.rows if r.who is not None]
    if report.who is not None:
        rows.append(("", _("Total"), report.who))
    return rows


def roles_table(report: NationalReport) -> tuple[list, list[list]]:
    labels = role_labels()
    header = [_("County number"), _("County"), *[label for _v, label in labels],
              _("Attended")]
    rows = [[number, name, *[who.roles[v] for v, _label in labels], who.attended]
            for number, name, who in _who_rows(report)]
    return [safe_cell(h) for h in header], [[safe_cell(v) for v in r] for r in rows]


def partner_kinds_table(report: NationalReport) -> tuple[list, list[list]]:
    labels = partner_kind_labels()
    header = [_("County number"), _("County"), *[label for _v, label in labels],
              _("From partner organisations")]
    rows = [[number, name, *[who.partner_kinds[v] for v, _label in labels], who.partner_people]
            for number, name, who in _who_rows(report)]
    return [safe_cell(h) for h in header], [[safe_cell(v) for v in r] for r in rows]


def sizes_table(report: NationalReport) -> tuple[list, list[list]]:
    header = [_("County number"), _("County")]
    for size in SIZE_KEYS:
        header += [_("%(size)s: municipal participants", size=size_label(size)),
                   _("%(size)s: municipalities that came", size=size_label(size)),
                   _("%(size)s: municipalities in the county", size=size_label(size))]
    rows = []
    for number, name, who in _who_rows(report):
        cells = [number, name]
        for size in SIZE_KEYS:
            cells += [who.size_people[size], who.size_municipalities[size],
                      who.size_total[size]]
        rows.append(cells)
    return [safe_cell(h) for h in header], [[safe_cell(v) for v in r] for r in rows]


def national_preamble(report: NationalReport) -> list[list]:
    """What the file covers, above its tables."""
    rules = sorted(set(report.rules.values()))
    return [[_("Year") if report.period.single else _("Period"), report.period.label],
            [_("Counted by"), " / ".join(r.label for r in rules)]]


def national_sheets(report: NationalReport) -> list[tuple[str, list, list[list]]]:
    """The export: the grant figures per county, who came by role, by partner kind and by
    size class, and the counties without a gathering in the period."""
    sheets = [(_("Grant figures"), *national_table(report))]
    if report.rows:
        sheets += [(_("Participants by role"), *roles_table(report)),
                   (_("Partners by kind"), *partner_kinds_table(report)),
                   (_("By size class"), *sizes_table(report))]
    if report.counties_without:
        sheets.append((_("No gathering"), [_("County number"), _("County")],
                       [[c.number, safe_cell(c.name)] for c in report.counties_without]))
    return sheets
