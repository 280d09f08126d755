"""Personal data after the report: what a purge would delete, the purge itself once the
directorate has approved the report, and the reminder when the set months have passed."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventapp.core import policy
from eventapp.core.db import lock_row
from eventapp.core.errors import Conflict
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants.models import FinalReport
from eventapp.grants.services.figures import report_for
from eventapp.grants.services.grant_rules import rules_for, rules_for_years
from eventapp.grants.services.notify import mail_hosts
from eventapp.invitations.services import purge_invitations
from eventapp.materials.services import purge_personal as purge_materials
from eventapp.registration.models import Registration
from eventapp.registration.services import purge_personal_data


def purge(gathering: Gathering, actor) -> dict:
    """Delete the gathering's personal data once its report is approved; the figures stay."""
    policy.authorize(actor, "personal_data.purge", gathering)
    lock_row(Gathering, gathering.id)
    report = report_for(gathering)
    if report is None or report.status != "approved":
        raise Conflict(_("Personal data can be deleted once the directorate has approved the "
                         "final report."))
    if report.purged_at is not None:
        raise Conflict(_("The personal data was already deleted."))
    invitations, invitation_mail = purge_invitations(gathering)
    result = purge_personal_data(gathering, mail_ids=invitation_mail)
    result = {"registrations": result["registrations"], "invitations": invitations,
              "messages": result["messages"],
              # Files the uploader marked as holding personal data; removed from the store
              # once this commits.
              "materials": purge_materials(gathering)}
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


def purge_due_at(report: FinalReport, rules: dict | None = None) -> datetime | None:
    """``rules``: the years' rules already read (``rules_for_years``), else read here."""
    if report.status != "approved" or report.purged_at is not None or report.decided_at is None:
        return None
    year = report.gathering.start_date.year
    months = (rules[year] if rules is not None else rules_for(year)).purge_after_months
    return _add_months(report.decided_at, months)


def purge_due(now: datetime | None = None) -> list[FinalReport]:
    """Approved reports whose gathering still holds personal data past the set months; read
    with their gatherings and the years' rules, in three statements however many."""
    now = now or utcnow()
    reports = db.session.scalars(select(FinalReport).where(
        FinalReport.status == "approved", FinalReport.purged_at.is_(None))
        .options(selectinload(FinalReport.gathering))).all()
    rules = rules_for_years({r.gathering.start_date.year for r in reports})
    return [r for r in reports if (due := purge_due_at(r, rules)) is not None and due <= now]


def send_purge_reminders(now: datetime | None = None) -> int:
    """Mail the county's hosts once for each gathering whose personal data is due to go."""
    sent = 0
    for report in purge_due(now):
        if report.purge_reminded_at is not None:
            continue
        sent += mail_hosts(report.gathering, "grants.purge_reminder", "mail/purge_reminder",
                           "grants.report")
        report.purge_reminded_at = now or utcnow()
    db.session.flush()
    return sent
