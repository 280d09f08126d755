"""Grant workflows: the directorate's rules, the application and decision, the budget, the live
settlement, the final report and, once it is approved, the purge of personal data.

One module per part (``grant_rules``, ``figures``, ``application``, ``budget``, ``report``,
``purge``, ``worklist``, with ``amounts`` and ``notify`` under them); the names the views, the
API, other features and the tests use are re-exported here, so ``from eventapp.grants import
services; services.figures(...)`` reads as before."""

from eventapp.grants.services.amounts import nok
from eventapp.grants.services.application import apply, check_decision, decide
from eventapp.grants.services.budget import (
    LineData,
    add_line,
    delete_line,
    link_travel,
    travel_coverage,
    travel_requests,
    update_line,
)
from eventapp.grants.services.figures import (
    GrantFigures,
    application_for,
    budget_by_category,
    budget_lines,
    budget_totals,
    confirmed_rows,
    count_participants,
    figures,
    figures_for,
    report_for,
)
from eventapp.grants.services.grant_rules import rules_for, rules_for_years, set_rules
from eventapp.grants.services.history import (
    check_approval_reopenable,
    check_decision_reopenable,
    history,
    reopen_approval,
    reopen_decision,
)
from eventapp.grants.services.notify import host_count
from eventapp.grants.services.purge import (
    personal_data_held,
    purge,
    purge_due_at,
    send_purge_reminders,
)
from eventapp.grants.services.report import (
    approve_report,
    follow_up_snapshot,
    percent,
    report_follow_up,
    return_report,
    save_report,
    submission_blockers,
    submit_report,
)
from eventapp.grants.services.worklist import worklist

__all__ = [
    "GrantFigures", "LineData", "add_line", "application_for", "apply", "approve_report",
    "budget_by_category", "budget_lines", "budget_totals", "check_approval_reopenable",
    "check_decision", "check_decision_reopenable", "confirmed_rows", "count_participants",
    "decide", "history", "host_count",
    "delete_line", "figures", "figures_for", "follow_up_snapshot", "link_travel", "nok", "percent",
    "personal_data_held", "purge", "purge_due_at", "reopen_approval", "reopen_decision",
    "report_follow_up", "report_for",
    "return_report", "rules_for", "rules_for_years", "save_report", "send_purge_reminders", "set_rules",
    "submission_blockers", "submit_report", "travel_coverage", "travel_requests", "update_line",
    "worklist",
]
