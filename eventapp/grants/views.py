"""Grant pages: application and decision, budget, settlement, final report, purge, and the
directorate's rules.

Who sees what is the policy's (``core.policy``, the grant's section): the directorate and the
county's host and career counsellors read the grant, the budget and the report (municipal
contacts of the county get 403, everyone else 404 through the scoping helpers); the host
changes the county's side, the directorate decides and reviews.
"""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from eventapp.core import confirm, policy
from eventapp.core.access import scope
from eventapp.core.errors import DomainError
from eventapp.core.time import OSLO, utcnow
from eventapp.core.web import attempt
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.grants import bp, services
from eventapp.grants.forms import (
    ApplicationForm,
    BudgetLineForm,
    ConfirmForm,
    DecisionForm,
    ReopenForm,
    ReportForm,
    ReviewForm,
    RulesForm,
    TravelForm,
    attendance_label,
    category_label,
)
from eventapp.grants.models import BudgetLine, GrantRules


def _gathering(gathering_id: int) -> Gathering:
    """The route's gathering: 404 outside the user's scope, 403 unless its action allows."""
    return policy.load(Gathering, gathering_id)


def _may(action: str, gathering: Gathering) -> bool:
    return policy.can(current_user, action, gathering)


@bp.app_template_filter("nok")
def nok_filter(amount) -> str:
    return services.nok(amount)


def _labels() -> dict:
    return {"category_label": category_label, "attendance_label": attendance_label,
            "application_status": {"submitted": _("Awaiting the directorate's decision"),
                                   "decided": _("Decided")},
            "report_status": {"none": _("Not started"), "draft": _("Draft"),
                              "submitted": _("Submitted, awaiting review"),
                              "returned": _("Sent back to the county"),
                              "approved": _("Approved")}}


# --- the grant: figures, application, decision --------------------------------------------------

def _grant_page(gathering: Gathering, *, apply_form=None, decide_form=None, status: int = 200):
    figures = services.figures(gathering)
    application = figures.application
    locked = figures.report is not None and figures.report.frozen
    host = _may("grant.apply", gathering)
    open_application = application is None or application.status != "decided"
    if apply_form is None and host and not locked and open_application:
        apply_form = ApplicationForm(formdata=None, obj=application)
    if decide_form is None and _may("grant.decide", gathering) and not locked and application is not None \
            and application.status == "submitted":
        decide_form = DecisionForm(formdata=None, granted_nok=application.applied_nok)
    planned, _actual = services.budget_totals(gathering)
    return render_template(
        "grants/grant.html", gathering=gathering, figures=figures, application=application,
        apply_form=apply_form if host and not locked and open_application else None,
        decide_form=decide_form if not locked else None, locked=locked, is_host=host,
        rate_for_new=services.rules_for(gathering.start_date.year).rate_nok,
        budget_planned=planned, history=services.history(gathering, "application"),
        reopen_url=url_for("grants.reopen_decision", gathering_id=gathering.id)
        if _may("grant.decide", gathering) and application is not None
        and application.status == "decided" and not locked else None,
        reopen_label=_("Reopen the decision …"), **_labels()), status


@bp.get("/gatherings/<int:gathering_id>/grant")
@policy.requires("grant.view")
def grant(gathering_id: int):
    return _grant_page(_gathering(gathering_id))


@bp.post("/gatherings/<int:gathering_id>/grant/application")
@policy.requires("grant.apply")
def apply(gathering_id: int):
    gathering = _gathering(gathering_id)
    form = ApplicationForm()
    application, status = attempt(form, lambda: services.apply(
        gathering, current_user, planned_participants=form.planned_participants.data,
        applied_nok=form.applied_nok.data, note=form.note.data))
    if application is None:
        return _grant_page(gathering, apply_form=form, status=status)
    flash(_("The application for %(amount)s kroner is sent to the directorate.",
            amount=services.nok(application.applied_nok)), "success")
    planned, _actual = services.budget_totals(gathering)
    if application.applied_nok > planned:
        # A warning, not a refusal: the budget may be filled in after the application.
        flash(_("The amount applied for is %(diff)s kroner above the planned budget of "
                "%(planned)s kroner.", diff=services.nok(application.applied_nok - planned),
                planned=services.nok(planned)), "info")
    return redirect(url_for("grants.grant", gathering_id=gathering.id))


@bp.post("/gatherings/<int:gathering_id>/grant/decision")
@policy.requires("grant.view")
def decide(gathering_id: int):
    # The page's action first, so a gathering out of scope answers 404 before the
    # directorate's own rule, which needs no gathering, answers 403.
    gathering = _gathering(gathering_id)
    policy.authorize(current_user, "grant.decide", gathering)
    application = services.application_for(gathering)
    if application is None:
        abort(404)
    form = DecisionForm()
    if not confirm.given():
        # The form's first submission: check it, then ask before the decision is made.
        checked, status = attempt(form, lambda: services.check_decision(
            application, granted_nok=form.granted_nok.data, comment=form.comment.data))
        if checked is None:
            return _grant_page(gathering, decide_form=form, status=status)
        return confirm.ask(_decision_question(gathering, application, form))
    decided, status = attempt(form, lambda: services.decide(
        application, current_user, granted_nok=form.granted_nok.data, comment=form.comment.data))
    if decided is None:
        return _grant_page(gathering, decide_form=form, status=status)
    flash(_("The grant of %(amount)s kroner is decided.", amount=services.nok(decided.granted_nok)),
          "success")
    return redirect(url_for("grants.grant", gathering_id=gathering.id))


def _hosts_told(gathering: Gathering) -> str:
    count = services.host_count(gathering)
    if not count:
        return _("The county has no active host to email; the decision shows on the grant page.")
    return ngettext("The county's host is emailed the decision.",
                    "The county's %(num)d hosts are emailed the decision.", count)


def _decision_question(gathering: Gathering, application, form) -> confirm.Question:
    granted, comment = form.granted_nok.data, (form.comment.data or "").strip()
    lines = [_("%(county)s is granted %(granted)s kroner of the %(applied)s kroner applied for, "
               "for «%(title)s».", county=gathering.county.name, granted=services.nok(granted),
               applied=services.nok(application.applied_nok), title=gathering.title),
             _hosts_told(gathering)]
    if comment:
        lines.append(_("Your comment goes with it: «%(comment)s»", comment=comment))
    lines.append(_("The county can no longer change the application. You can reopen the "
                   "decision with a reason until the final report is submitted."))
    return confirm.Question(
        title=_("Grant %(amount)s kroner?", amount=services.nok(granted)), consequences=lines,
        action=url_for("grants.decide", gathering_id=gathering.id),
        yes=_("Yes, grant %(amount)s kroner", amount=services.nok(granted)),
        back=url_for("grants.grant", gathering_id=gathering.id) + "#decide",
        carry={"granted_nok": str(granted), "comment": comment}, gathering=gathering,
        danger=False)


def _reopen_page(gathering: Gathering, *, form, status: int, what: str):
    """The confirmation page for reopening, with the reason to fill in."""
    if what == "application":
        application = services.application_for(gathering)
        lines = [_("The decision to grant %(amount)s kroner is undone: the application awaits "
                   "your decision again, and the county may change it meanwhile.",
                   amount=services.nok(application.granted_nok)),
                 _("The decision stays in the history, with your reason.")]
        title, yes = _("Reopen the grant decision?"), _("Yes, reopen the decision")
        action = url_for("grants.reopen_decision", gathering_id=gathering.id)
        back = url_for("grants.grant", gathering_id=gathering.id)
    else:
        lines = [_("The approval is undone: the report is submitted again and awaits your "
                   "review; you can then approve it or send it back to the county."),
                 _("The gathering counts as held, not reported, and the personal data may not "
                   "be deleted until the report is approved again."),
                 _("The approval stays in the history, with your reason.")]
        title, yes = _("Reopen the approval of the report?"), _("Yes, reopen the approval")
        action = url_for("grants.reopen_approval", gathering_id=gathering.id)
        back = url_for("grants.report", gathering_id=gathering.id)
    count = services.host_count(gathering)
    lines.append(ngettext("The county's host is emailed your reason.",
                          "The county's %(num)d hosts are emailed your reason.", count)
                 if count else _("The county has no active host to email."))
    return confirm.ask(confirm.Question(
        title=title, consequences=lines, action=action, yes=yes, back=back, form=form,
        fields=["reason"], gathering=gathering), status)


@bp.route("/gatherings/<int:gathering_id>/grant/decision/reopen", methods=["GET", "POST"])
@policy.requires("grant.view")
def reopen_decision(gathering_id: int):
    gathering = _gathering(gathering_id)
    policy.authorize(current_user, "grant.decide", gathering)
    return _reopen(gathering, "application", services.application_for(gathering),
                   services.check_decision_reopenable, services.reopen_decision,
                   url_for("grants.grant", gathering_id=gathering.id),
                   _("The decision is reopened; the county is told why."))


@bp.route("/gatherings/<int:gathering_id>/report/approval/reopen", methods=["GET", "POST"])
@policy.requires("grant.view")
def reopen_approval(gathering_id: int):
    gathering = _gathering(gathering_id)
    policy.authorize(current_user, "final_report.review", gathering)
    return _reopen(gathering, "report", services.report_for(gathering),
                   services.check_approval_reopenable, services.reopen_approval,
                   url_for("grants.report", gathering_id=gathering.id),
                   _("The approval is reopened; the county is told why."))


def _reopen(gathering, what: str, decided, check, reopen, back: str, done_message: str):
    """Reopen a decision or an approval: the question with a reason first, then the change."""
    if decided is None:
        abort(404)
    form = ReopenForm()
    if request.method == "GET" or not confirm.given():
        try:
            check(decided)
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(back)
        return _reopen_page(gathering, form=ReopenForm(formdata=None), status=200, what=what)
    done, status = attempt(form, lambda: reopen(decided, current_user, form.reason.data))
    if done is None:
        if status == 409:
            flash(form.form_errors[0] if form.form_errors else _("Nothing was changed."), "error")
            return redirect(back)
        return _reopen_page(gathering, form=form, status=status, what=what)
    flash(done_message, "success")
    return redirect(back)


# --- the budget ---------------------------------------------------------------------------------

def _line_data(form: BudgetLineForm) -> services.LineData:
    return services.LineData(category=form.category.data or "",
                             description=form.description.data or "",
                             planned_nok=form.planned_nok.data,
                             actual_nok=form.actual_nok.data or 0, note=form.note.data)


def _budget_page(gathering: Gathering, *, add_form=None, travel_forms=None, status: int = 200):
    # The heading names the county: loaded first, so that it is one statement on every page,
    # not none when a registration's county happens to bring it along.
    county = gathering.county
    figures = services.figures(gathering)
    locked = figures.report is not None and figures.report.frozen
    host = _may("budget.edit", gathering)
    groups = services.budget_by_category(gathering)
    planned, actual = services.budget_totals(gathering)
    requests = services.travel_requests(gathering) if host else []
    covered = services.travel_coverage(gathering) if host else {}
    travel_forms = dict(travel_forms or {})
    if host and not locked:
        for group in groups:
            if group.category != "travel_support":
                continue
            for line in group.lines:
                if line.id not in travel_forms:
                    form = TravelForm(formdata=None, prefix=f"line{line.id}",
                                      registrations=[r.id for r in line.registrations])
                    travel_forms[line.id] = form
                form = travel_forms[line.id]
                form.registrations.choices = [
                    (r.id, r.name) for r in requests
                    if covered.get(r.id) is None or covered[r.id].id == line.id]
        if add_form is None:
            add_form = BudgetLineForm(formdata=None)
    asking = {r.id for r in requests}
    # A refusal on a form the page no longer shows (the budget locked meanwhile) goes on top.
    shown = host and not locked
    refusals = [] if shown else [
        message for form in (add_form, *travel_forms.values()) if form is not None
        for message in (*form.form_errors, *form.errors.get("csrf_token", ()))]
    return render_template(
        "grants/budget.html", gathering=gathering, county=county, figures=figures, groups=groups,
        planned=planned, actual=actual, locked=locked, is_host=host,
        add_form=add_form if host and not locked else None,
        travel_forms=travel_forms if host and not locked else {},
        requests=requests, requests_by_id={r.id: r for r in requests}, covered=covered,
        asking=asking,
        uncovered=[r for r in requests if r.id not in covered], refusals=refusals,
        **_labels()), status


@bp.get("/gatherings/<int:gathering_id>/budget")
@policy.requires("grant.view")
def budget(gathering_id: int):
    return _budget_page(_gathering(gathering_id))


@bp.post("/gatherings/<int:gathering_id>/budget")
@policy.requires("budget.edit")
def add_line(gathering_id: int):
    gathering = _gathering(gathering_id)
    form = BudgetLineForm()
    line, status = attempt(form, lambda: services.add_line(gathering, current_user,
                                                            _line_data(form)))
    if line is None:
        return _budget_page(gathering, add_form=form, status=status)
    flash(_("«%(line)s» is added to the budget.", line=line.description), "success")
    return redirect(url_for("grants.budget", gathering_id=gathering.id) + f"#line-{line.id}")


def _line(gathering: Gathering, line_id: int) -> BudgetLine:
    line = db.session.get(BudgetLine, line_id)
    if line is None or line.gathering_id != gathering.id:
        abort(404)
    return line


@bp.route("/gatherings/<int:gathering_id>/budget/<int:line_id>", methods=["GET", "POST"])
@policy.requires("budget.edit")
def edit_line(gathering_id: int, line_id: int):
    gathering = _gathering(gathering_id)
    line = _line(gathering, line_id)
    form = BudgetLineForm(obj=line)
    status = 200
    if form.is_submitted():
        saved, status = attempt(form, lambda: services.update_line(line, current_user,
                                                                    _line_data(form)))
        if saved is not None:
            flash(_("«%(line)s» is saved.", line=saved.description), "success")
            return redirect(url_for("grants.budget", gathering_id=gathering.id)
                            + f"#line-{saved.id}")
    report = services.report_for(gathering)
    return render_template("grants/line.html", gathering=gathering, line=line, form=form,
                           locked=report is not None and report.frozen, delete_form=ConfirmForm(),
                           **_labels()), status


@bp.post("/gatherings/<int:gathering_id>/budget/<int:line_id>/delete")
@policy.requires("budget.edit")
def delete_line(gathering_id: int, line_id: int):
    gathering = _gathering(gathering_id)
    line = _line(gathering, line_id)
    description = line.description
    if not ConfirmForm().validate_on_submit():
        flash(_("Nothing was deleted: the form had expired. Try again."), "error")
        return redirect(url_for("grants.edit_line", gathering_id=gathering.id, line_id=line.id))
    try:
        services.delete_line(line, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("«%(line)s» is deleted from the budget.", line=description), "success")
    return redirect(url_for("grants.budget", gathering_id=gathering.id))


@bp.post("/gatherings/<int:gathering_id>/budget/<int:line_id>/travel")
@policy.requires("budget.edit")
def link_travel(gathering_id: int, line_id: int):
    gathering = _gathering(gathering_id)
    line = _line(gathering, line_id)
    form = TravelForm(prefix=f"line{line.id}")
    saved, status = attempt(form, lambda: services.link_travel(
        line, current_user, form.registrations.data or []))
    if saved is None:
        return _budget_page(gathering, travel_forms={line.id: form}, status=status)
    flash(ngettext("«%(line)s» now pays travel support for %(num)d participant.",
                   "«%(line)s» now pays travel support for %(num)d participants.",
                   len(saved.registrations), line=saved.description), "success")
    return redirect(url_for("grants.budget", gathering_id=gathering.id) + f"#line-{saved.id}")


# --- the final report ---------------------------------------------------------------------------

def _follow_up(gathering: Gathering, report) -> dict:
    shown = services.report_follow_up(gathering, report)
    return {"log_actions": shown["actions"], "survey": shown["survey"],
            "percent": services.percent}


def _report_page(gathering: Gathering, *, report_form=None, review_form=None, status: int = 200):
    figures = services.figures(gathering)
    report = figures.report
    host = _may("final_report.edit", gathering)
    editable = report is None or not report.frozen
    if report_form is None and host and editable:
        report_form = ReportForm(formdata=None, obj=report)
    if review_form is None and _may("final_report.review", gathering) and report is not None \
            and report.status == "submitted":
        review_form = ReviewForm(formdata=None)
    due_at = services.purge_due_at(report) if report is not None else None
    return render_template(
        "grants/report.html", gathering=gathering, figures=figures, report=report,
        groups=services.budget_by_category(gathering),
        report_form=report_form if host and editable else None,
        review_form=review_form if report is not None and report.status == "submitted" else None,
        blockers=services.submission_blockers(gathering, report) if editable else [],
        **_follow_up(gathering, report),
        purge_due_at=due_at, purge_overdue=due_at is not None and due_at <= utcnow(),
        history=services.history(gathering, "report"),
        reopen_url=url_for("grants.reopen_approval", gathering_id=gathering.id)
        if _may("final_report.review", gathering) and report is not None
        and report.status == "approved" and report.purged_at is None else None,
        reopen_label=_("Reopen the approval …"), **_labels()), status


@bp.get("/gatherings/<int:gathering_id>/report")
@policy.requires("grant.view")
def report(gathering_id: int):
    return _report_page(_gathering(gathering_id))


@bp.post("/gatherings/<int:gathering_id>/report")
@policy.requires("final_report.edit")
def save_report(gathering_id: int):
    gathering = _gathering(gathering_id)
    form = ReportForm()
    saved, status = attempt(form, lambda: services.save_report(
        gathering, current_user, follow_up_actions=form.follow_up_actions.data,
        remarks=form.remarks.data))
    if saved is None:
        return _report_page(gathering, report_form=form, status=status)
    if form.submit_report.data:
        return redirect(url_for("grants.submit_report", gathering_id=gathering.id))
    flash(_("The draft is saved. Submit it when the county is ready."), "success")
    return redirect(url_for("grants.report", gathering_id=gathering.id))


@bp.route("/gatherings/<int:gathering_id>/report/submit", methods=["GET", "POST"])
@policy.requires("final_report.edit")
def submit_report(gathering_id: int):
    gathering = _gathering(gathering_id)
    form = ConfirmForm()
    status = 200
    if form.is_submitted():
        submitted, status = attempt(form, lambda: services.submit_report(gathering,
                                                                          current_user))
        if submitted is not None:
            flash(_("The report is submitted to the directorate. Its figures are now fixed."),
                  "success")
            return redirect(url_for("grants.report", gathering_id=gathering.id))
    report = services.report_for(gathering)
    if report is not None and report.frozen:
        flash(_("The report is already submitted."), "info")
        return redirect(url_for("grants.report", gathering_id=gathering.id))
    return render_template(
        "grants/submit.html", gathering=gathering, figures=services.figures(gathering),
        report=report, form=form, blockers=services.submission_blockers(gathering, report),
        **_follow_up(gathering, report), **_labels()), status


@bp.post("/gatherings/<int:gathering_id>/report/review")
@policy.requires("grant.view")
def review_report(gathering_id: int):
    # As for the decision: 404 out of scope before the directorate's rule.
    gathering = _gathering(gathering_id)
    policy.authorize(current_user, "final_report.review", gathering)
    report = services.report_for(gathering)
    if report is None:
        abort(404)
    form = ReviewForm()
    if form.approve.data and not confirm.given():
        # Approving asks first; the comment is carried to the confirmation page.
        if not form.validate_on_submit():
            return _report_page(gathering, review_form=form, status=422)
        if report.status != "submitted":
            flash(_("Only a submitted report can be approved."), "error")
            return redirect(url_for("grants.report", gathering_id=gathering.id))
        return confirm.ask(_approval_question(gathering, form))
    if form.approve.data:
        def call():
            return services.approve_report(report, current_user, form.comment.data)
        message = _("The report is approved and locked. The county can now delete the "
                    "personal data.")
    else:
        def call():
            return services.return_report(report, current_user, form.comment.data)
        message = _("The report is sent back to the county with your comment.")
    done, status = attempt(form, call)
    if done is None:
        return _report_page(gathering, review_form=form, status=status)
    flash(message, "success")
    return redirect(url_for("grants.report", gathering_id=gathering.id))


def _approval_question(gathering: Gathering, form) -> confirm.Question:
    comment = (form.comment.data or "").strip()
    months = services.rules_for(gathering.start_date.year).purge_after_months
    lines = [_("The final report for «%(title)s» is approved and locked, and the gathering "
               "counts as reported: registrations can no longer be changed or cancelled.",
               title=gathering.title),
             ngettext("The county may then delete the personal data, and is reminded after "
                      "%(num)d month.", "The county may then delete the personal data, and is "
                      "reminded after %(num)d months.", months),
             _hosts_told(gathering)]
    if comment:
        lines.append(_("Your comment goes with it: «%(comment)s»", comment=comment))
    lines.append(_("You can reopen the approval with a reason until the personal data is "
                   "deleted."))
    return confirm.Question(
        title=_("Approve the final report?"), consequences=lines,
        action=url_for("grants.review_report", gathering_id=gathering.id),
        yes=_("Yes, approve the report"),
        back=url_for("grants.report", gathering_id=gathering.id) + "#review",
        carry={"comment": comment, "approve": "1"}, gathering=gathering, danger=False)


@bp.route("/gatherings/<int:gathering_id>/report/purge", methods=["GET", "POST"])
@policy.requires("personal_data.purge")
def purge(gathering_id: int):
    gathering = _gathering(gathering_id)
    form = ConfirmForm()
    status = 200
    if form.is_submitted():
        result, status = attempt(form, lambda: services.purge(gathering, current_user))
        if result is not None:
            flash(_("The personal data is deleted: %(registrations)d registrations made "
                    "anonymous, %(invitations)d invitations cleared, %(messages)d mails "
                    "removed. The figures stay as reported.", **result), "success")
            return redirect(url_for("grants.report", gathering_id=gathering.id))
    else:
        report = services.report_for(gathering)
        if report is None or report.status != "approved" or report.purged_at is not None:
            flash(_("Personal data can be deleted once the directorate has approved the final "
                    "report, and only once."), "info")
            return redirect(url_for("grants.report", gathering_id=gathering.id))
    return render_template("grants/purge.html", gathering=gathering, form=form,
                           held=services.personal_data_held(gathering), **_labels()), status


# --- the directorate's rules --------------------------------------------------------------------

def _year_arg() -> tuple[int, str | None]:
    this_year = utcnow().astimezone(OSLO).year
    raw = request.args.get("year", "")
    if not raw:
        return this_year, None
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw), None
    return this_year, _("There is no year «%(year)s» to show; here is %(this)d.",
                        year=raw[:10], this=this_year)


@bp.route("/grants/rules", methods=["GET", "POST"])
@policy.requires("grant.rules")
def rules():
    year, problem = _year_arg()
    if problem:
        flash(problem, "error")
    saved = services.rules_for(year)
    form = RulesForm(obj=saved)
    status = 200
    if form.is_submitted():
        done, status = attempt(form, lambda: services.set_rules(
            year, current_user, rate_nok=form.rate_nok.data, attendance=form.attendance.data,
            include_speakers=form.include_speakers.data,
            purge_after_months=form.purge_after_months.data,
            digital_counts=form.digital_counts.data))
        if done is not None:
            flash(_("The rules for %(year)d are saved.", year=year), "success")
            return redirect(url_for("grants.rules", year=year))
        saved = services.rules_for(year)
    gatherings = db.session.scalars(
        scope(select(Gathering), Gathering, current_user)
        .where(Gathering.start_date >= date(year, 1, 1), Gathering.start_date <= date(year, 12, 31))
        .order_by(Gathering.start_date)).all()
    return render_template(
        "grants/rules.html", form=form, year=year, rules=saved,
        is_saved=db.session.get(GrantRules, year) is not None,
        overview=[services.figures(g) for g in gatherings], **_labels()), status
