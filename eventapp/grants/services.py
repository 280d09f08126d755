"""Grant workflows: the directorate's rules, the application and decision, the budget, the live
settlement, the final report and, once it is approved, the purge of personal data."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from eventapp.core import numbers
from eventapp.core.access import COUNTY_ROLES, Role, may_manage_county
from eventapp.core.db import lock_row
from eventapp.core.errors import Conflict, Forbidden, ValidationFailed
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants.models import (
    ATTENDANCE_RULES,
    CATEGORIES,
    BudgetLine,
    FinalReport,
    GrantApplication,
    GrantRules,
)
from eventapp.grants.rules import Settlement
from eventapp.places.models import Municipality
from eventapp.registration.models import Registration

MAX_NOK = 100_000_000  # far above any gathering; keeps typing slips out of the accounts


def _is_directorate(user) -> bool:
    return user is not None and user.is_authenticated and user.role == Role.DIRECTORATE


def may_see_grant(user, gathering: Gathering) -> bool:
    """The grant, budget and report: the directorate, and the county's host and counsellors.
    Municipal contacts see the gathering but not its accounts."""
    if _is_directorate(user):
        return True
    return (user is not None and user.is_authenticated and user.role in COUNTY_ROLES
            and user.county_id == gathering.county_id)


def _require_host(user, gathering: Gathering) -> None:
    if not may_manage_county(user, gathering.county_id):
        raise Forbidden(_("Only the county's host can do this."))


def _require_directorate(user) -> None:
    if not _is_directorate(user):
        raise Forbidden(_("Only the directorate can do this."))


def _whole_nok(value, field: str, *, minimum: int = 0, maximum: int = MAX_NOK) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("Give a whole number of kroner."), field=field)
    if value < minimum or value > maximum:
        raise ValidationFailed(
            _("Give an amount from %(low)s to %(high)s kroner.", low=f"{minimum:,}".replace(",", " "),
              high=f"{maximum:,}".replace(",", " ")), field=field)
    return value


# --- the directorate's rules -------------------------------------------------------------------

def rules_for(year: int) -> GrantRules:
    """The rules for ``year``, or the defaults (not saved) when the directorate set none."""
    return db.session.get(GrantRules, year) or GrantRules.defaults(year)


def set_rules(year: int, actor, *, rate_nok: int, attendance: str, include_speakers: bool,
              purge_after_months: int) -> GrantRules:
    _require_directorate(actor)
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("Give a year between 2000 and 2100."), field="year")
    _whole_nok(rate_nok, "rate_nok", minimum=1, maximum=1_000_000)
    if attendance not in ATTENDANCE_RULES:
        raise ValidationFailed(_("Choose how attendance counts."), field="attendance")
    if isinstance(purge_after_months, bool) or not isinstance(purge_after_months, int) \
            or not 1 <= purge_after_months <= 60:
        raise ValidationFailed(_("Give a number of months from 1 to 60."),
                               field="purge_after_months")
    rules = db.session.get(GrantRules, year)
    if rules is None:
        rules = GrantRules(year=year)
        db.session.add(rules)
    rules.rate_nok = rate_nok
    rules.attendance = attendance
    rules.include_speakers = bool(include_speakers)
    rules.purge_after_months = purge_after_months
    rules.updated_at = utcnow()
    rules.updated_by_id = actor.id
    db.session.flush()
    return rules


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


def county_municipality_count(county_id: int) -> int:
    """The county's municipalities (Oslo counts once, not per district)."""
    return db.session.scalar(select(func.count()).select_from(Municipality).where(
        Municipality.county_id == county_id, Municipality.kind == "municipality",
        Municipality.active.is_(True))) or 0


def count_participants(gathering: Gathering, rules: GrantRules) -> Counts:
    """Participants by the directorate's rule, by group, and the municipalities they came from."""
    people = db.session.scalars(select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status == "confirmed")).all()
    came = [r for r in people if _attended(r, gathering, rules.attendance)]
    speakers = sum(1 for r in came if r.role == "speaker")
    counted = [r for r in came if rules.include_speakers or r.role != "speaker"]
    municipal = [r for r in counted if r.organisation_kind in ("municipality", "district")]
    covered = set()
    for r in municipal:
        unit = r.municipality
        covered.add(unit.parent_id if unit.parent_id else unit.id)
    return Counts(
        participants=len(counted),
        municipal_staff=len(municipal),
        county_staff=sum(1 for r in counted if r.organisation_kind == "county"),
        partners=sum(1 for r in counted if r.organisation_kind == "partner"),
        speakers=speakers,
        municipalities_covered=len(covered),
        municipalities_total=county_municipality_count(gathering.county_id),
    )


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
    return list(db.session.scalars(select(BudgetLine).where(
        BudgetLine.gathering_id == gathering.id).order_by(BudgetLine.category, BudgetLine.id)))


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
    application = application_for(gathering)
    report = report_for(gathering)
    planned, actual = budget_totals(gathering)
    if report is not None and report.frozen:
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
    rules = rules_for(gathering.start_date.year)
    counts = count_participants(gathering, rules)
    granted = application.granted_nok if application and application.status == "decided" else 0
    settlement = Settlement(participants=counts.participants, rate_nok=rules.rate_nok,
                            granted_nok=granted, spent_nok=actual)
    return GrantFigures(gathering, application, report, rules.rate_nok, rules.attendance,
                        rules.include_speakers, counts, planned, settlement, False)


# --- application and decision ------------------------------------------------------------------

def _require_open_accounts(gathering: Gathering) -> None:
    report = report_for(gathering)
    if report is not None and report.frozen:
        raise Conflict(_("The final report is submitted or approved, so the grant and the budget "
                         "are locked."))


def apply(gathering: Gathering, actor, *, planned_participants: int, applied_nok: int,
          note: str | None = None) -> GrantApplication:
    """Apply for the grant, or change an application the directorate has not decided yet."""
    _require_host(actor, gathering)
    lock_row(Gathering, gathering.id)
    _require_open_accounts(gathering)
    if isinstance(planned_participants, bool) or not isinstance(planned_participants, int) \
            or not 1 <= planned_participants <= 10_000:
        raise ValidationFailed(_("Give the number of participants you plan for, at least 1."),
                               field="planned_participants")
    application = application_for(gathering)
    if application is not None and application.status == "decided":
        raise Conflict(_("The directorate has decided this application; it can no longer be "
                         "changed."))
    rate = rules_for(gathering.start_date.year).rate_nok
    _whole_nok(applied_nok, "applied_nok")
    ceiling = rate * planned_participants
    if applied_nok > ceiling:
        raise ValidationFailed(
            _("You can apply for at most %(ceiling)s kroner: %(rate)s per planned participant.",
              ceiling=nok(ceiling), rate=nok(rate)), field="applied_nok")
    if application is None:
        application = GrantApplication(gathering_id=gathering.id)
        db.session.add(application)
    application.planned_participants = planned_participants
    application.rate_nok = rate
    application.applied_nok = applied_nok
    application.note = (note or "").strip() or None
    application.status = "submitted"
    application.submitted_at = utcnow()
    application.submitted_by_id = actor.id
    db.session.flush()
    return application


def decide(application: GrantApplication, actor, *, granted_nok: int,
           comment: str | None = None) -> GrantApplication:
    """The directorate grants an amount, at most what was applied for."""
    _require_directorate(actor)
    lock_row(Gathering, application.gathering_id)
    _require_open_accounts(application.gathering)
    _whole_nok(granted_nok, "granted_nok")
    if granted_nok > application.applied_nok:
        raise ValidationFailed(
            _("Grant at most the %(applied)s kroner applied for.",
              applied=nok(application.applied_nok)), field="granted_nok")
    comment = (comment or "").strip()
    if granted_nok < application.applied_nok and not comment:
        raise ValidationFailed(_("Say why the grant is less than applied for."), field="comment")
    application.granted_nok = granted_nok
    application.decision_comment = comment or None
    application.status = "decided"
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    db.session.flush()
    _mail_hosts(application.gathering, "grants.decided", "mail/grant_decided", "grants.grant",
                actor, application=application, amount=nok(granted_nok),
                applied=nok(application.applied_nok), rate=nok(application.rate_nok))
    return application


# --- the budget ---------------------------------------------------------------------------------

@dataclass
class LineData:
    category: str
    description: str
    planned_nok: int
    actual_nok: int
    note: str | None = None


def _check_line(data: LineData) -> None:
    fields = {}
    if data.category not in CATEGORIES:
        fields["category"] = _("Choose a category.")
    description = (data.description or "").strip()
    if not description:
        fields["description"] = _("Describe the line.")
    elif len(description) > 200:
        fields["description"] = _("Keep it to 200 characters.")
    for name in ("planned_nok", "actual_nok"):
        try:
            _whole_nok(getattr(data, name), name)
        except ValidationFailed as exc:
            fields.update(exc.fields)
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)


def add_line(gathering: Gathering, actor, data: LineData) -> BudgetLine:
    _require_host(actor, gathering)
    lock_row(Gathering, gathering.id)
    _require_open_accounts(gathering)
    _check_line(data)
    line = BudgetLine(gathering_id=gathering.id)
    db.session.add(line)
    _fill_line(line, data)
    db.session.flush()
    return line


def _fill_line(line: BudgetLine, data: LineData) -> None:
    line.category = data.category
    line.description = data.description.strip()
    line.planned_nok = data.planned_nok
    line.actual_nok = data.actual_nok
    line.note = (data.note or "").strip() or None
    line.updated_at = utcnow()


def update_line(line: BudgetLine, actor, data: LineData) -> BudgetLine:
    _require_host(actor, line.gathering)
    lock_row(Gathering, line.gathering_id)
    _require_open_accounts(line.gathering)
    _check_line(data)
    if data.category != "travel_support" and line.registrations:
        raise ValidationFailed(_("This line pays travel support to registrations; unlink them "
                                 "before changing its category."), field="category")
    _fill_line(line, data)
    db.session.flush()
    return line


def delete_line(line: BudgetLine, actor) -> None:
    _require_host(actor, line.gathering)
    lock_row(Gathering, line.gathering_id)
    _require_open_accounts(line.gathering)
    db.session.delete(line)
    db.session.flush()


def travel_requests(gathering: Gathering) -> list[Registration]:
    """Confirmed registrations that asked for travel support."""
    return list(db.session.scalars(select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status == "confirmed",
        Registration.travel_support_requested.is_(True)).order_by(Registration.id)))


def travel_coverage(gathering: Gathering) -> dict[int, BudgetLine]:
    """Which travel support line pays for each registration, by registration id."""
    covered = {}
    for line in budget_lines(gathering):
        for registration in line.registrations:
            covered[registration.id] = line
    return covered


def link_travel(line: BudgetLine, actor, registration_ids: list[int]) -> BudgetLine:
    """Say which registrations a travel support line pays for (replacing the earlier choice)."""
    _require_host(actor, line.gathering)
    lock_row(Gathering, line.gathering_id)
    _require_open_accounts(line.gathering)
    if line.category != "travel_support":
        raise ValidationFailed(_("Only a travel support line pays for registrations."),
                               field="registrations")
    asked = {r.id: r for r in travel_requests(line.gathering)}
    wanted = list(dict.fromkeys(registration_ids))
    if any(i not in asked for i in wanted):
        raise ValidationFailed(_("Choose among the confirmed registrations that asked for travel "
                                 "support."), field="registrations")
    elsewhere = db.session.scalars(select(BudgetLine).join(BudgetLine.registrations).where(
        BudgetLine.gathering_id == line.gathering_id, BudgetLine.id != line.id,
        Registration.id.in_(wanted or [0]))).first()
    if elsewhere is not None:
        raise ValidationFailed(_("Someone you chose is already paid from «%(line)s».",
                                 line=elsewhere.description), field="registrations")
    line.registrations = [asked[i] for i in wanted]
    line.updated_at = utcnow()
    db.session.flush()
    return line


# --- the final report ---------------------------------------------------------------------------

def _report_for_update(gathering: Gathering) -> FinalReport:
    report = report_for(gathering)
    if report is None:
        report = FinalReport(gathering_id=gathering.id, status="draft")
        db.session.add(report)
    return report


def save_report(gathering: Gathering, actor, *, follow_up_actions: str | None,
                remarks: str | None = None) -> FinalReport:
    _require_host(actor, gathering)
    lock_row(Gathering, gathering.id)
    report = _report_for_update(gathering)
    if report.frozen:
        raise Conflict(_("The report is submitted or approved and can no longer be changed."))
    report.follow_up_actions = (follow_up_actions or "").strip() or None
    report.remarks = (remarks or "").strip() or None
    db.session.flush()
    return report


def submission_blockers(gathering: Gathering, report: FinalReport | None = None) -> list:
    """What still stands in the way of submitting the report, as the errors submitting raises,
    so the page can list them all before the host tries."""
    report = report if report is not None else report_for(gathering)
    blockers = []
    if gathering.status != "held":
        blockers.append(Conflict(_("Mark the gathering as held before you submit its report.")))
    application = application_for(gathering)
    if application is None or application.status != "decided":
        blockers.append(Conflict(_("The report needs the directorate's decision on the grant "
                                   "first.")))
    if (report is None or not report.follow_up_actions) and not report_actions(gathering):
        blockers.append(ValidationFailed(_("Tell the directorate what the county is following up."),
                                         field="follow_up_actions"))
    return blockers


def submit_report(gathering: Gathering, actor) -> FinalReport:
    """Send the report to the directorate with today's figures copied into it."""
    _require_host(actor, gathering)
    lock_row(Gathering, gathering.id)
    report = _report_for_update(gathering)
    if report.frozen:
        raise Conflict(_("The report is already submitted."))
    blockers = submission_blockers(gathering, report)
    if blockers:
        raise blockers[0]
    live = figures(gathering)
    counts = live.counts
    report.rate_nok = live.rate_nok
    report.attendance = live.attendance
    report.include_speakers = live.include_speakers
    report.participants = counts.participants
    report.municipal_staff = counts.municipal_staff
    report.county_staff = counts.county_staff
    report.partners = counts.partners
    report.speakers = counts.speakers
    report.municipalities_covered = counts.municipalities_covered
    report.municipalities_total = counts.municipalities_total
    report.granted_nok = live.settlement.granted_nok
    report.spent_nok = live.settlement.spent_nok
    report.follow_up_snapshot = json.dumps(follow_up_snapshot(gathering), ensure_ascii=False)
    report.status = "submitted"
    report.submitted_at = utcnow()
    report.submitted_by_id = actor.id
    db.session.flush()
    return report


def approve_report(report: FinalReport, actor, comment: str | None = None) -> FinalReport:
    _require_directorate(actor)
    lock_row(Gathering, report.gathering_id)
    if report.status != "submitted":
        raise Conflict(_("Only a submitted report can be approved."))
    report.status = "approved"
    report.review_comment = (comment or "").strip() or None
    report.decided_at = utcnow()
    report.decided_by_id = actor.id
    report.gathering.status = "reported"
    db.session.flush()
    _mail_hosts(report.gathering, "grants.report_reviewed", "mail/report_reviewed",
                "grants.report", actor, report=report)
    return report


def return_report(report: FinalReport, actor, comment: str) -> FinalReport:
    _require_directorate(actor)
    lock_row(Gathering, report.gathering_id)
    if report.status != "submitted":
        raise Conflict(_("Only a submitted report can be sent back."))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(_("Say what the county should change."), field="comment")
    report.status = "returned"
    # The log and the survey read live again and are copied anew when the county resubmits.
    report.follow_up_snapshot = None
    report.review_comment = comment
    report.decided_at = utcnow()
    report.decided_by_id = actor.id
    db.session.flush()
    _mail_hosts(report.gathering, "grants.report_reviewed", "mail/report_reviewed",
                "grants.report", actor, report=report)
    return report


# --- the follow-up log and the survey in the report ----------------------------------------------
#
# Both are live while the county works and copied into the report when it is submitted, like the
# figures, so what the directorate reads does not change when the log or the survey does.

def report_actions(gathering: Gathering) -> list:
    """The follow-up log's items with an action, as the report lists them."""
    from eventapp.followup.services import actions

    return actions(gathering)


def survey_summary(gathering: Gathering) -> dict | None:
    """Response rate and, per national agreement question, the share who agree; None when the
    gathering has no survey under way or done."""
    from eventapp.surveys.services import find_survey, results

    survey = find_survey(gathering)
    if survey is None or survey.status == "draft":
        return None
    found = results(survey)
    return {
        "status": found["status"], "invitations": found["invitations"],
        "responses": found["responses"], "responses_personal": found["responses_personal"],
        "responses_qr": found["responses_qr"], "response_rate": found["response_rate"],
        "agreement": [{"code": q["code"], "text": q["text"], "agree": q["agree"],
                       "considered": q["considered"], "agree_share": q["agree_share"]}
                      for q in found["questions"] if q["national"] and q["kind"] == "agreement"],
    }


def follow_up_snapshot(gathering: Gathering) -> dict:
    """The log's actions and the survey's figures as plain data, as the report keeps them."""
    return {
        "actions": [{"raised": item.raised, "raised_by": item.raised_by, "action": item.action,
                     "owner": item.owner, "status": item.status,
                     "due_on": item.due_on.isoformat() if item.due_on else None}
                    for item in report_actions(gathering)],
        "survey": survey_summary(gathering),
    }


def report_follow_up(gathering: Gathering, report: FinalReport | None) -> dict:
    """What the report shows of the log and the survey: the copy once submitted, else live.
    Due dates come back as dates for the page to format; a copy kept before the log had due
    dates has none."""
    from datetime import date

    if report is not None and report.frozen:
        shown = report.snapshot or {"actions": [], "survey": None}
    else:
        shown = follow_up_snapshot(gathering)
    return {**shown, "actions": [
        {**action, "due_on": date.fromisoformat(action["due_on"]) if action.get("due_on")
         else None} for action in shown["actions"]]}


def percent(share: float | None) -> str:
    """A share as a whole percentage, as the survey's results show it."""
    return numbers.percent(share)


# --- personal data ------------------------------------------------------------------------------

def purge(gathering: Gathering, actor) -> dict:
    """Delete the gathering's personal data once its report is approved; the figures stay."""
    from eventapp.registration.services import purge_personal_data

    _require_host(actor, gathering)
    lock_row(Gathering, gathering.id)
    report = report_for(gathering)
    if report is None or report.status != "approved":
        raise Conflict(_("Personal data can be deleted once the directorate has approved the "
                         "final report."))
    if report.purged_at is not None:
        raise Conflict(_("The personal data was already deleted."))
    result = purge_personal_data(gathering)
    report.purged_at = utcnow()
    db.session.flush()
    return result


@dataclass(frozen=True)
class PersonalData:
    """What a purge would delete, counted for the confirmation page."""

    registrations: int
    phones: int
    dietary: int
    accessibility: int
    invitations: int
    inputs: int


def personal_data_held(gathering: Gathering) -> PersonalData:
    from eventapp.gatherings.models import MunicipalInput
    from eventapp.invitations.models import Invitation

    rows = db.session.scalars(select(Registration).where(
        Registration.gathering_id == gathering.id)).all()

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(
            model.gathering_id == gathering.id, *where)) or 0

    return PersonalData(
        registrations=len(rows), phones=sum(1 for r in rows if r.phone),
        dietary=sum(1 for r in rows if r.dietary_needs),
        accessibility=sum(1 for r in rows if r.accessibility_needs),
        invitations=count(Invitation),
        inputs=count(MunicipalInput, (MunicipalInput.name.is_not(None))
                     | (MunicipalInput.email.is_not(None))),
    )


def _add_months(moment: datetime, months: int) -> datetime:
    # Approximate months as 30 days: a reminder a day early or late does no harm.
    return moment + timedelta(days=30 * months)


def purge_due_at(report: FinalReport) -> datetime | None:
    if report.status != "approved" or report.purged_at is not None or report.decided_at is None:
        return None
    months = rules_for(report.gathering.start_date.year).purge_after_months
    return _add_months(report.decided_at, months)


def purge_due(now: datetime | None = None) -> list[FinalReport]:
    """Approved reports whose gathering still holds personal data past the set months."""
    now = now or utcnow()
    reports = db.session.scalars(select(FinalReport).where(
        FinalReport.status == "approved", FinalReport.purged_at.is_(None))).all()
    return [r for r in reports if (due := purge_due_at(r)) is not None and due <= now]


def _mail_hosts(gathering: Gathering, kind: str, template: str, endpoint: str, actor=None,
                **context) -> int:
    """Queue ``template`` to each active host of the gathering's county, with a link to
    ``endpoint``; sent after commit, like all mail."""
    from eventapp.accounts.models import User
    from eventapp.core.web import external_url
    from eventapp.mail.services import queue_template

    hosts = db.session.scalars(select(User).where(
        User.county_id == gathering.county_id, User.role == Role.COUNTY_HOST,
        User.active.is_(True)).order_by(User.id)).all()
    link = external_url(endpoint, gathering_id=gathering.id)
    for host in hosts:
        queue_template(kind, template, to=host.email, to_name=host.name, locale=host.language,
                       created_by=actor, county_id=gathering.county_id, gathering=gathering,
                       link=link, **context)
    return len(hosts)


def send_purge_reminders(now: datetime | None = None) -> int:
    """Mail the county's hosts once for each gathering whose personal data is due to go."""
    sent = 0
    for report in purge_due(now):
        if report.purge_reminded_at is not None:
            continue
        sent += _mail_hosts(report.gathering, "grants.purge_reminder", "mail/purge_reminder",
                            "grants.report")
        report.purge_reminded_at = now or utcnow()
    db.session.flush()
    return sent


def nok(amount: int | None) -> str:
    """Whole kroner with a narrow space between thousands, as Norwegians write them."""
    if amount is None:
        return "–"
    return f"{amount:,}".replace(",", "\u00a0")


# --- what waits for whom ------------------------------------------------------------------------

@dataclass(frozen=True)
class Worklist:
    applications: list[GrantApplication]  # awaiting the directorate's decision
    reports: list[FinalReport]  # submitted (directorate) or sent back (county)
    purges: list[FinalReport]  # approved, personal data due to go (county)

    def __bool__(self) -> bool:
        return bool(self.applications or self.reports or self.purges)


def worklist(user) -> Worklist:
    """For the directorate: applications to decide and reports to review. For a county host:
    reports sent back and personal data due for deletion."""
    if _is_directorate(user):
        applications = db.session.scalars(
            select(GrantApplication).where(GrantApplication.status == "submitted")
            .order_by(GrantApplication.submitted_at)).all()
        reports = db.session.scalars(
            select(FinalReport).where(FinalReport.status == "submitted")
            .order_by(FinalReport.submitted_at)).all()
        return Worklist(list(applications), list(reports), [])
    if user is None or not user.is_authenticated or user.role != Role.COUNTY_HOST:
        return Worklist([], [], [])
    mine = select(Gathering.id).where(Gathering.county_id == user.county_id)
    returned = db.session.scalars(select(FinalReport).where(
        FinalReport.status == "returned", FinalReport.gathering_id.in_(mine))).all()
    due = [r for r in purge_due() if r.gathering.county_id == user.county_id]
    return Worklist([], list(returned), due)
