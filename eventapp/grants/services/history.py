"""The directorate's decisions kept as a history, and reopening one: the grant decision or the
report's approval goes back to where it stood before, so the county (or the directorate) can act
again; what was decided stays in the history with who reopened it and why."""

from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.core import policy
from eventapp.core.db import lock_row
from eventapp.core.errors import Conflict, ValidationFailed
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants.models import FinalReport, GrantApplication, GrantHistory
from eventapp.grants.services.amounts import nok
from eventapp.grants.services.figures import report_for
from eventapp.grants.services.notify import mail_hosts

REASON_MAX = 2000


def record(gathering: Gathering, subject: str, action: str, actor, *, amount: int | None = None,
           reason: str | None = None) -> GrantHistory:
    line = GrantHistory(gathering_id=gathering.id, subject=subject, action=action,
                        amount_nok=amount, reason=(reason or "").strip() or None,
                        actor_id=actor.id, actor_name=actor.name)
    db.session.add(line)
    return line


def history(gathering: Gathering, subject: str | None = None) -> list[GrantHistory]:
    """The gathering's decisions, reviews and reopenings, newest first."""
    stmt = select(GrantHistory).where(GrantHistory.gathering_id == gathering.id)
    if subject:
        stmt = stmt.where(GrantHistory.subject == subject)
    return list(db.session.scalars(stmt.order_by(GrantHistory.at.desc(), GrantHistory.id.desc())))


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationFailed(_("Say why the decision is reopened; the county is told."),
                               field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_("Keep the reason to %(max)d characters.", max=REASON_MAX),
                               field="reason")
    return reason


def check_decision_reopenable(application: GrantApplication) -> None:
    if application.status != "decided":
        raise Conflict(_("The application is not decided, so there is nothing to reopen."))
    report = report_for(application.gathering)
    if report is not None and report.frozen:
        raise Conflict(_("The final report is submitted and counts this grant: send the report "
                         "back to the county (or reopen its approval) before reopening the "
                         "decision."))


def reopen_decision(application: GrantApplication, actor, reason: str) -> GrantApplication:
    """The decision is undone: the application waits for the directorate again and the county
    may change it; the hosts are mailed the reason."""
    gathering = application.gathering
    policy.authorize(actor, "grant.decide", gathering)
    lock_row(Gathering, gathering.id)
    check_decision_reopenable(application)
    reason = _reason(reason)
    record(gathering, "application", "reopened", actor, amount=application.granted_nok,
           reason=reason)
    granted = application.granted_nok
    application.status = "submitted"
    application.granted_nok = None
    application.decision_comment = None
    application.decided_at = None
    application.decided_by_id = None
    db.session.flush()
    mail_hosts(gathering, "grants.reopened", "mail/grant_reopened", "grants.grant", actor,
               what="application", reason=reason, amount=nok(granted))
    return application


def check_approval_reopenable(report: FinalReport) -> None:
    if report.status != "approved":
        raise Conflict(_("The report is not approved, so there is nothing to reopen."))
    if report.purged_at is not None:
        raise Conflict(_("The personal data is deleted, so the approval can no longer be "
                         "reopened: the report is the record of what was counted."))


def reopen_approval(report: FinalReport, actor, reason: str) -> FinalReport:
    """The approval is undone: the report is submitted again, awaiting review (the directorate
    can then send it back to the county), and the gathering is held, not reported."""
    gathering = report.gathering
    policy.authorize(actor, "final_report.review", gathering)
    lock_row(Gathering, gathering.id)
    check_approval_reopenable(report)
    reason = _reason(reason)
    record(gathering, "report", "reopened", actor, reason=reason)
    report.status = "submitted"
    report.review_comment = None
    report.decided_at = None
    report.decided_by_id = None
    report.purge_reminded_at = None
    gathering.status = "held"
    gathering.report_locked = True  # submitted: the survey and the log stay as copied
    db.session.flush()
    mail_hosts(gathering, "grants.reopened", "mail/grant_reopened", "grants.report", actor,
               what="report", reason=reason, amount=None)
    return report
