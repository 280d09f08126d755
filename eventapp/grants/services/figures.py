"""What the grant pages and reports read: participants counted by the directorate's rule, the
application, the budget's sums and the settlement, live until the final report is submitted and
then the report's copy."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from eventapp.core.errors import Conflict
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants.models import CATEGORIES, BudgetLine, FinalReport, GrantApplication, GrantRules
from eventapp.grants.rules import Settlement
from eventapp.grants.services.grant_rules import rules_for_years
from eventapp.places.models import Municipality
from eventapp.registration.models import Registration

# --- counting participants ----------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    participants: int
    municipal_staff: int
    county_staff: int
    partners: int
    speakers: int  # speakers who attended, counted in the groups only if the rule says so
    municipalities_covered: int
    municipalities_total: int


def _attended(registration: Registration, gathering: Gathering, attendance: str) -> bool:
    if attendance == "any_day":
        return bool(registration.attended_day1 or registration.attended_day2
                    or registration.attended)
    days = [registration.attended_day1] + ([registration.attended_day2]
                                           if gathering.days > 1 else [])
    return all(days)


def took_part_digitally(registration: Registration, gathering: Gathering) -> bool:
    """Everyone at a digital gathering; at a hybrid one, those registered as attending
    digitally. (At a gathering in person nobody, whatever the registration says.)"""
    if gathering.mode == "digital":
        return True
    return gathering.mode == "hybrid" and bool(registration.attends_digitally)


def _municipality_counts(county_ids) -> dict[int, int]:
    """{county id: its municipalities} (Oslo counts once, not per district), in one query."""
    return dict(db.session.execute(
        select(Municipality.county_id, func.count()).where(
            Municipality.county_id.in_(list(county_ids) or [-1]),
            Municipality.kind == "municipality", Municipality.active.is_(True))
        .group_by(Municipality.county_id)).all())


def county_municipality_count(county_id: int) -> int:
    """The county's municipalities (Oslo counts once, not per district)."""
    return _municipality_counts([county_id]).get(county_id, 0)


def confirmed_rows(gathering_ids):
    """The statement of the gatherings' confirmed registrations as rows of the columns the
    count reads, in this order (and the parent of each one's municipality): a year's report
    counts over a thousand, too many to load as entities. A report that reads more of them
    adds its columns after these, and hands the rows to ``figures_for`` (``confirmed``)."""
    return (select(Registration.gathering_id, Registration.role, Registration.organisation_kind,
                   Registration.attended, Registration.attended_day1,
                   Registration.attended_day2, Registration.attends_digitally,
                   Registration.municipality_id, Municipality.parent_id)
            .outerjoin(Municipality, Municipality.id == Registration.municipality_id)
            .where(Registration.gathering_id.in_(list(gathering_ids) or [-1]),
                   Registration.status == "confirmed"))


def _confirmed(gathering_ids, rows=None) -> dict[int, list]:
    """{gathering id: its confirmed registrations} (``confirmed_rows``), in one query whatever
    the number of gatherings and registrations; from ``rows`` when the caller has them."""
    found: dict[int, list] = {g: [] for g in gathering_ids}
    for r in db.session.execute(confirmed_rows(gathering_ids)) if rows is None else rows:
        if r.gathering_id in found:
            found[r.gathering_id].append(r)
    return found


def _counts(gathering: Gathering, rules: GrantRules, people: list,
            municipalities_total: int) -> Counts:
    """count_participants() from the gathering's confirmed registrations, already loaded."""
    came = [r for r in people if _attended(r, gathering, rules.attendance)]
    if (rules.digital_counts or "full") == "not_counted":
        came = [r for r in came if not took_part_digitally(r, gathering)]
    speakers = sum(1 for r in came if r.role == "speaker")
    counted = [r for r in came if rules.include_speakers or r.role != "speaker"]
    municipal = [r for r in counted if r.organisation_kind in ("municipality", "district")]
    covered = set()
    for r in municipal:
        covered.add(r.parent_id if r.parent_id else r.municipality_id)
    return Counts(
        participants=len(counted),
        municipal_staff=len(municipal),
        county_staff=sum(1 for r in counted if r.organisation_kind == "county"),
        partners=sum(1 for r in counted if r.organisation_kind == "partner"),
        speakers=speakers,
        municipalities_covered=len(covered),
        municipalities_total=municipalities_total,
    )


def count_participants(gathering: Gathering, rules: GrantRules) -> Counts:
    """Participants by the directorate's rule, by group, and the municipalities they came from.
    Those who took part digitally count like everyone else, or not at all (not even as
    speakers or towards the municipalities covered), as the year's ``digital_counts`` says."""
    return _counts(gathering, rules, _confirmed([gathering.id])[gathering.id],
                   county_municipality_count(gathering.county_id))


# --- the figures every page and report reads ---------------------------------------------------

@dataclass(frozen=True)
class GrantFigures:
    gathering: Gathering
    application: GrantApplication | None
    report: FinalReport | None
    rate_nok: int
    attendance: str
    include_speakers: bool
    counts: Counts
    planned_nok: int
    settlement: Settlement
    frozen: bool  # read from the submitted report, not from today's data
    # How digital participants counted (the year's rule); None on a submitted report, which
    # keeps its count but not this setting.
    digital_counts: str | None = None

    @property
    def granted_nok(self) -> int | None:
        if self.frozen:
            return self.settlement.granted_nok
        app = self.application
        return app.granted_nok if app is not None and app.status == "decided" else None

    @property
    def settled(self) -> bool:
        """Whether keeping and repaying can be worked out: the gathering is held (or reported),
        so attendance is known, and the grant is decided. Before that the ceiling is 0 and
        everything would read as to repay."""
        return self.granted_nok is not None and (
            self.frozen or self.gathering.status in ("held", "reported"))

    @property
    def report_status(self) -> str:
        return self.report.status if self.report is not None else "none"


def application_for(gathering: Gathering) -> GrantApplication | None:
    return db.session.scalars(select(GrantApplication).where(
        GrantApplication.gathering_id == gathering.id)).first()


def report_for(gathering: Gathering) -> FinalReport | None:
    return db.session.scalars(select(FinalReport).where(
        FinalReport.gathering_id == gathering.id)).first()


def budget_lines(gathering: Gathering) -> list[BudgetLine]:
    """The lines with whom each pays travel support for (and where they come from), loaded
    with them: the budget page lists both."""
    return list(db.session.scalars(select(BudgetLine).where(
        BudgetLine.gathering_id == gathering.id).order_by(BudgetLine.category, BudgetLine.id)
        .options(selectinload(BudgetLine.registrations).options(
            joinedload(Registration.municipality), joinedload(Registration.county)))))


@dataclass(frozen=True)
class CategoryTotal:
    category: str
    lines: list
    planned_nok: int
    actual_nok: int


def budget_by_category(gathering: Gathering) -> list[CategoryTotal]:
    """The budget lines grouped in the order of CATEGORIES, with a sum for each used category."""
    lines = budget_lines(gathering)
    groups = []
    for category in CATEGORIES:
        mine = [line for line in lines if line.category == category]
        if mine:
            groups.append(CategoryTotal(category, mine, sum(x.planned_nok for x in mine),
                                        sum(x.actual_nok for x in mine)))
    return groups


def budget_totals(gathering: Gathering) -> tuple[int, int]:
    planned, actual = db.session.execute(select(
        func.coalesce(func.sum(BudgetLine.planned_nok), 0),
        func.coalesce(func.sum(BudgetLine.actual_nok), 0),
    ).where(BudgetLine.gathering_id == gathering.id)).one()
    return int(planned), int(actual)


def figures(gathering: Gathering) -> GrantFigures:
    """Ceiling, granted, spent, per participant and to repay: live while the county works, the
    submitted copy once the report is submitted or approved."""
    return figures_for([gathering])[gathering.id]


def _by_gathering(model, ids: list[int]) -> dict:
    found: dict = {}
    for row in db.session.scalars(select(model).where(model.gathering_id.in_(ids))
                                  .order_by(model.id)):
        found.setdefault(row.gathering_id, row)
    return found


def figures_for(gatherings: list[Gathering], confirmed=None) -> dict[int, GrantFigures]:
    """{gathering id: figures(gathering)} for many gatherings (a report's rows) with one query
    per kind of fact, so a page over a year's gatherings runs as many queries as one over a
    single gathering. ``confirmed``: the rows of ``confirmed_rows`` over these gatherings, when
    the caller has read them already."""
    ids = [g.id for g in gatherings]
    if not ids:
        return {}
    applications = _by_gathering(GrantApplication, ids)
    reports = _by_gathering(FinalReport, ids)
    totals = {gid: (int(planned), int(actual)) for gid, planned, actual in db.session.execute(
        select(BudgetLine.gathering_id, func.coalesce(func.sum(BudgetLine.planned_nok), 0),
               func.coalesce(func.sum(BudgetLine.actual_nok), 0))
        .where(BudgetLine.gathering_id.in_(ids)).group_by(BudgetLine.gathering_id)).all()}
    live = [g for g in gatherings if not (g.id in reports and reports[g.id].frozen)]
    live_ids = {g.id for g in live}
    rules = rules_for_years({g.start_date.year for g in live})
    people = _confirmed(live_ids, confirmed) if live else {}
    municipalities = _municipality_counts({g.county_id for g in live}) if live else {}
    out = {}
    for gathering in gatherings:
        application, report = applications.get(gathering.id), reports.get(gathering.id)
        planned, actual = totals.get(gathering.id, (0, 0))
        if gathering.id not in live_ids:
            out[gathering.id] = _frozen_figures(gathering, application, report, planned)
            continue
        year_rules = rules[gathering.start_date.year]
        counts = _counts(gathering, year_rules, people[gathering.id],
                         municipalities.get(gathering.county_id, 0))
        granted = (application.granted_nok if application and application.status == "decided"
                   else 0)
        settlement = Settlement(participants=counts.participants, rate_nok=year_rules.rate_nok,
                                granted_nok=granted, spent_nok=actual)
        out[gathering.id] = GrantFigures(
            gathering, application, report, year_rules.rate_nok, year_rules.attendance,
            year_rules.include_speakers, counts, planned, settlement, False,
            year_rules.digital_counts or "full")
    return out


def _frozen_figures(gathering: Gathering, application, report: FinalReport,
                    planned: int) -> GrantFigures:
    """The figures as the submitted report keeps them."""
    counts = Counts(
        participants=report.participants, municipal_staff=report.municipal_staff,
        county_staff=report.county_staff, partners=report.partners,
        speakers=report.speakers, municipalities_covered=report.municipalities_covered,
        municipalities_total=report.municipalities_total,
    )
    settlement = Settlement(participants=report.participants, rate_nok=report.rate_nok,
                            granted_nok=report.granted_nok, spent_nok=report.spent_nok)
    return GrantFigures(gathering, application, report, report.rate_nok, report.attendance,
                        report.include_speakers, counts, planned, settlement, True)


def check_accounts_open(gathering: Gathering) -> None:
    """The grant and the budget change only until the final report is submitted."""
    report = report_for(gathering)
    if report is not None and report.frozen:
        raise Conflict(_("The final report is submitted or approved, so the grant and the budget "
                         "are locked."))
