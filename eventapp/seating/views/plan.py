"""The plan, table by table and person by person, and the button that makes it."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from eventapp.core import confirm, policy
from eventapp.core.errors import DomainError
from eventapp.core.web import act, attempt
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.registration.forms import role_label, wish_label
from eventapp.registration.models import ROLES, SEATING_WISHES
from eventapp.seating import services
from eventapp.seating.forms import PlanForm
from eventapp.seating.models import JOB_ACTIVE, SeatingJob
from eventapp.seating.services import jobs as plan_jobs
from eventapp.seating.views import bp
from eventapp.seating.views.common import RULES, load_gathering, page_labels


def _role_counts(people) -> dict[str, int]:
    counts: dict[str, int] = {}
    for person in people:
        counts[person.role] = counts.get(person.role, 0) + 1
    return counts


def _seat_labels() -> dict:
    """What the plan repeats for every seat and table, translated once per page rather than
    once per seat (a county's plan has hundreds)."""
    role_names = {role: role_label(role) for role in ROLES}

    def role_summary(people) -> str:
        """A table's roles and how many of each («Leader: 1 · Programme adviser: 5»)."""
        return " · ".join(f"{role_names[role]}: {n}"
                          for role, n in sorted(_role_counts(people).items()))

    return {"role_names": role_names, "role_summary": role_summary,
            "wish_names": {wish: _("Wish: %(wish)s", wish=wish_label(wish))
                           for wish in SEATING_WISHES},
            # Filled in per table by the template (``|format``).
            "seats_taken": _("%(taken)d of %(seats)d seats")}


def _plan_context(gathering: Gathering, plan) -> dict:
    settings = plan.settings if plan is not None else services.settings_for(gathering)
    metrics = plan.metrics if plan is not None else {}
    rules_on = {
        "capacity": True, "apart": True, "pinned": True,
        "min_counsellors_per_table": bool(settings.min_counsellors_per_table),
        "max_county_staff_per_table": bool(settings.max_county_staff_per_table),
        "max_per_organisation": bool(settings.max_per_organisation),
    }
    problems_by_rule: dict[str, list] = {}
    for problem in plan.problems if plan is not None else []:
        problems_by_rule.setdefault(problem.rule, []).append(problem)
    return {"plan": plan, "metrics": metrics, "settings": settings, "rules": RULES,
            "rules_on": rules_on, "problems_by_rule": problems_by_rule,
            "stale": _stale(plan)}


def _stale(plan) -> list[str]:
    """What changed since the plan was made, in words (empty: the plan is up to date)."""
    if plan is None or not plan.stale:
        return []
    stale, reasons = plan.stale, []
    if stale.unseated:
        reasons.append(ngettext(
            "%(num)d person with a confirmed place has no seat: %(names)s.",
            "%(num)d people with a confirmed place have no seat: %(names)s.",
            len(stale.unseated), names=", ".join(r.name for r in stale.unseated)))
    if stale.dropped:
        reasons.append(ngettext(
            "%(num)d seated person no longer has a confirmed place: %(names)s.",
            "%(num)d seated people no longer have a confirmed place: %(names)s.",
            len(stale.dropped), names=", ".join(r.name for r in stale.dropped)))
    if stale.absent:
        reasons.append(ngettext(
            "%(num)d person has a seat on a day they do not come: %(names)s.",
            "%(num)d people have a seat on a day they do not come: %(names)s.",
            len(stale.absent), names=", ".join(r.name for r in stale.absent)))
    if stale.changed:
        reasons.append(_("Tables, rounds, rules, pins or pairs kept apart have changed since the "
                         "plan was made; the figures below score the seats against what holds "
                         "now."))
    return reasons


@bp.get("/gatherings/<int:gathering_id>/seating/plan")
@policy.requires("seating.view")
def plan(gathering_id: int):
    gathering = load_gathering(gathering_id)
    view = request.args.get("view", "tables")
    if view not in ("tables", "people"):
        view = "tables"
    current = services.current_plan(gathering)
    if current is not None:
        # The plan read the gathering's rounds, tables and confirmed people already.
        rounds, table_list = [rv.round for rv in current.rounds], current.tables
        people = [registration for registration, _places in current.by_person]
    else:
        rounds, table_list, people = None, services.tables(gathering), services.people(gathering)
    return render_template(
        "seating/plan.html", gathering=gathering, view=view,
        plan_form=PlanForm() if policy.can(current_user, "seating.manage", gathering) else None,
        tables=table_list, people=people, **_job_context(gathering, _shown_job(gathering)),
        **_plan_context(gathering, current), **page_labels(gathering, rounds), **_seat_labels())


def _shown_job(gathering: Gathering) -> SeatingJob | None:
    """The job the page shows: the one queued or running, else the one named by ``?job=`` (the
    page the progress sends the host to when the job ends, to say how it ended)."""
    active = plan_jobs.active_job(gathering)
    if active is not None:
        return active
    wanted = request.args.get("job", "")
    if wanted.isdigit() and len(wanted) < 10:
        job = db.session.get(SeatingJob, int(wanted))
        if job is not None and job.gathering_id == gathering.id:
            return job
    return None


def _job_context(gathering: Gathering, job: SeatingJob | None) -> dict:
    running = job is not None and job.status in JOB_ACTIVE
    stale = running and plan_jobs.is_stale(job)
    return {"job": job, "job_running": running and not stale, "job_stale": stale,
            "job_progress": plan_jobs.progress_of(job) if job is not None else {},
            "job_seconds": plan_jobs.elapsed(job) if job is not None else 0,
            "can_manage": policy.can(current_user, "seating.manage", gathering)}


def _load_job(gathering: Gathering, job_id: int) -> SeatingJob:
    job = db.session.get(SeatingJob, job_id)
    if job is None or job.gathering_id != gathering.id:
        abort(404)
    return job


@bp.get("/gatherings/<int:gathering_id>/seating/jobs/<int:job_id>")
@policy.requires("seating.view")
def job(gathering_id: int, job_id: int):
    """The job's progress as a fragment of the plan page, which its script polls."""
    gathering = load_gathering(gathering_id)
    found = _load_job(gathering, job_id)
    response = render_template("seating/_job.html", gathering=gathering, decimal=format_decimal,
                               **_job_context(gathering, found))
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/gatherings/<int:gathering_id>/seating/jobs/<int:job_id>/stop")
@policy.requires("seating.manage")
def stop_job(gathering_id: int, job_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    found = _load_job(gathering, job_id)
    act(lambda: plan_jobs.stop(found, current_user),
        lambda stopped: _("Stopping: the best plan so far is kept.")
        if stopped.status == "running" else _("The job has stopped."),
        _("The form had expired. Please send it again."))
    return redirect(url_for("seating.plan", gathering_id=gathering.id, job=found.id) + "#job")


def _new_plan_question(gathering: Gathering) -> confirm.Question:
    current = services.current_plan(gathering)
    by_hand = len(current.moved_by_hand) if current is not None else 0
    lines = [ngettext("%(num)d move made by hand is lost.",
                      "%(num)d moves made by hand are lost.", by_hand) if by_hand
             else _("No seat was moved by hand, so no hand move is lost."),
             _("Everyone is seated afresh in every round: most people get other tables than "
               "they have now."),
             _("Table cards and lists already printed no longer match, and the participants' "
               "calendar files show the new tables."),
             _("To seat newcomers and keep the hand moves, use «Plan again after changes» "
               "instead.")]
    return confirm.Question(
        title=_("Make a new table plan?"), consequences=lines,
        action=url_for("seating.make_plan", gathering_id=gathering.id),
        yes=_("Yes, make a new plan"), back=url_for("seating.plan", gathering_id=gathering.id),
        carry={"plan": "1"}, gathering=gathering)


@bp.get("/gatherings/<int:gathering_id>/seating/plan/new")
@policy.requires("seating.manage")
def new_plan(gathering_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    if services.current_plan(gathering) is None:
        return redirect(url_for("seating.plan", gathering_id=gathering.id))
    return confirm.ask(_new_plan_question(gathering))


@bp.post("/gatherings/<int:gathering_id>/seating/plan")
@policy.requires("seating.manage")
def make_plan(gathering_id: int):
    gathering = load_gathering(gathering_id, "seating.manage")
    form = PlanForm()
    replan = bool(form.replan.data)
    if not replan and not confirm.given() and services.current_plan(gathering) is not None:
        # A new plan seats everyone afresh: ask first (a stale one-click form changes nothing).
        return confirm.ask(_new_plan_question(gathering))
    made, _status = attempt(form, lambda: plan_jobs.start(gathering, current_user,
                                                          replan=replan))
    target = url_for("seating.plan", gathering_id=gathering.id)
    if made is None:
        for message in (*form.form_errors, *(form.errors.get("csrf_token") or ())):
            flash(message if message in form.form_errors
                  else _("The form had expired. Please send it again."), "error")
        return redirect(target)
    if isinstance(made, SeatingJob):
        try:
            plan_jobs.send(made)
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(target)
        flash(_("The plan is being made in the background; its progress is shown below."),
              "info")
        return redirect(target + "#job")
    broken = made.metrics.get("hard_violations", 0)
    repeats = made.metrics.get("repeat_pairs", 0)
    if replan:
        flash(ngettext("The plan is updated; %(num)d seat changed.",
                       "The plan is updated; %(num)d seats changed.",
                       made.metrics.get("moved", 0)), "success")
    else:
        flash(_("The table plan is made."), "success")
    if broken:
        flash(ngettext("It breaks %(num)d rule; see the problems below.",
                       "It breaks rules %(num)d times; see the problems below.", broken), "error")
    elif made.infeasible:
        flash(_("Some rules cannot be met with these people and tables; see why below."),
              "error")
    else:
        flash(ngettext("It breaks no rule, and %(num)d pair sits together more than once.",
                       "It breaks no rule, and %(num)d pairs sit together more than once.",
                       repeats), "info")
    return redirect(target)
