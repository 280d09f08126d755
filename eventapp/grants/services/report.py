"""The final report: the county's draft, its submission with today's figures, the follow-up log
and the survey copied into it, and the directorate's review.

A submitted or approved report locks the gathering's survey and follow-up log: the gathering
keeps that as ``report_locked``, which the features below the grant read."""

import json

from flask_babel import gettext as _

from eventapp.core import numbers, policy
from eventapp.core.db import lock_row
from eventapp.core.errors import Conflict, ValidationFailed
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants.models import FinalReport
from eventapp.grants.services.figures import application_for, figures, report_for
from eventapp.grants.services.history import record
from eventapp.grants.services.notify import mail_hosts


def _report_for_update(gathering: Gathering) -> FinalReport:
    report = report_for(gathering)
    if report is None:
        report = FinalReport(gathering_id=gathering.id, status="draft")
        db.session.add(report)
    return report


def save_report(gathering: Gathering, actor, *, follow_up_actions: str | None,
                remarks: str | None = None) -> FinalReport:
    policy.authorize(actor, "final_report.edit", gathering)
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
    policy.authorize(actor, "final_report.edit", gathering)
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
    gathering.report_locked = True
    db.session.flush()
    return report


def approve_report(report: FinalReport, actor, comment: str | None = None) -> FinalReport:
    policy.authorize(actor, "final_report.review", report.gathering)
    lock_row(Gathering, report.gathering_id)
    if report.status != "submitted":
        raise Conflict(_("Only a submitted report can be approved."))
    record(report.gathering, "report", "approved", actor, reason=comment)
    report.status = "approved"
    report.review_comment = (comment or "").strip() or None
    report.decided_at = utcnow()
    report.decided_by_id = actor.id
    report.gathering.status = "reported"
    report.gathering.report_locked = True
    db.session.flush()
    mail_hosts(report.gathering, "grants.report_reviewed", "mail/report_reviewed",
               "grants.report", actor, report=report)
    return report


def return_report(report: FinalReport, actor, comment: str) -> FinalReport:
    policy.authorize(actor, "final_report.review", report.gathering)
    lock_row(Gathering, report.gathering_id)
    if report.status != "submitted":
        raise Conflict(_("Only a submitted report can be sent back."))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(_("Say what the county should change."), field="comment")
    record(report.gathering, "report", "returned", actor, reason=comment)
    report.status = "returned"
    # The log and the survey read live again and are copied anew when the county resubmits.
    report.gathering.report_locked = False
    report.follow_up_snapshot = None
    report.review_comment = comment
    report.decided_at = utcnow()
    report.decided_by_id = actor.id
    db.session.flush()
    mail_hosts(report.gathering, "grants.report_reviewed", "mail/report_reviewed",
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
        # ``answered`` is the share's whole; copies made before it was kept divided by
        # ``considered`` and say so by lacking it.
        "agreement": [{"code": q["code"], "text": q["text"], "agree": q["agree"],
                       "answered": q["answered"], "considered": q["considered"],
                       "agree_share": q["agree_share"]}
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
