"""Planning in the background: a job row per plan being made, the task that makes it, stopping
it early, and starting over after a worker died.

The host starts a plan → a queued job row and a message (``core.jobs``) → a worker solves with
``progress`` writing the best so far to the row (short transactions) and ``should_stop``
reading its stop flag → the best plan is stored through ``planning`` under the gathering's lock,
only if what it was solved from is still so (else the job ends as a conflict and writes
nothing). A small gathering (people × rounds at most ``JOBS_INLINE_MAX_SEATINGS``) is planned at
once in the request, within ``JOBS_INLINE_SECONDS``.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from eventapp.core import jobs as core_jobs
from eventapp.core import policy
from eventapp.core.db import Busy, lock_row
from eventapp.core.errors import Conflict
from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.gatherings.models import Gathering
from eventapp.seating import solver
from eventapp.seating.models import JOB_ACTIVE, SeatingJob
from eventapp.seating.services import planning
from eventapp.seating.services.plan_view import PlanView
from eventapp.seating.services.setup import rounds, settings_for

TASK = "seating.plan"
FINAL = ("done", "stopped", "conflict", "failed")
# How often the worker reads the stop flag, and renews its sign of life, at most (seconds).
STOP_POLL_S = 0.5
HEARTBEAT_S = 2.0
# Tries at storing the plan when the gathering is locked by others just then.
STORE_ATTEMPTS = 5


def seatings(instance: dict) -> int:
    """People × the rounds each is present in: the size that decides inline or background."""
    n_rounds = len(instance.get("rounds") or ())
    total = 0
    for person in instance.get("people") or ():
        present = person.get("rounds")
        total += n_rounds if present is None else len(present)
    return total


def active_job(gathering: Gathering) -> SeatingJob | None:
    return db.session.scalars(
        select(SeatingJob).where(SeatingJob.gathering_id == gathering.id,
                                 SeatingJob.status.in_(JOB_ACTIVE))).one_or_none()


def is_stale(job: SeatingJob, now=None) -> bool:
    """A queued or running job that has given no sign of life for ``JOBS_STALE_SECONDS`` past
    its time limit: its worker died (or none runs), and it may be started over."""
    if job.status not in JOB_ACTIVE:
        return False
    now = now or utcnow()
    grace = timedelta(seconds=int(current_app.config.get("JOBS_STALE_SECONDS", 60)))
    limit = timedelta(seconds=job.time_limit_s)
    began = job.started_at or job.created_at
    last = max(began + limit, job.heartbeat_at or began)
    return now > last + grace


def elapsed(job: SeatingJob) -> float:
    """Seconds since the worker began, up to the time limit (the clock runs between reports)."""
    if job.started_at is None:
        return 0.0
    end = job.finished_at or utcnow()
    return max(0.0, min(float(job.time_limit_s), (end - job.started_at).total_seconds()))


def start(gathering: Gathering, actor, *, replan: bool = False) -> SeatingJob | PlanView:
    """Plan at once (a small gathering: the plan) or queue a job (the job; the caller commits
    and then calls ``send``). Refused while another job of the gathering is queued or running;
    a stale one is given up and replaced."""
    policy.authorize(actor, "seating.manage", gathering)
    instance = planning._plannable_instance(gathering, replan)  # the setup's own refusals
    if seatings(instance) <= int(current_app.config.get("JOBS_INLINE_MAX_SEATINGS", 100)):
        return planning.plan(gathering, actor, replan=replan,
                             time_limit_s=current_app.config.get("JOBS_INLINE_SECONDS", 2))
    lock_row(Gathering, gathering.id)  # two starts at once: the second waits, then sees the first
    running = active_job(gathering)
    if running is not None:
        if not is_stale(running):
            raise Conflict(_("A plan is being made already; wait for it or stop it."))
        running.status = "failed"
        running.finished_at = utcnow()
        running.message = _("The worker stopped answering; the job was given up and started "
                            "over.")
        db.session.flush()
    job = SeatingJob(gathering_id=gathering.id, started_by_id=getattr(actor, "id", None),
                     replan=replan, status="queued",
                     time_limit_s=settings_for(gathering).time_limit_s, created_at=utcnow())
    db.session.add(job)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # the partial unique index: someone started one just now
        raise Conflict(_("A plan is being made already; wait for it or stop it.")) from exc
    return job


def send(job: SeatingJob) -> None:
    """Hand the committed job to the workers. A broker that cannot be reached ends the job as
    failed (committed), and the host is told."""
    job_id = job.id
    try:
        core_jobs.enqueue(TASK, job_id)
    except Exception as exc:
        current_app.logger.exception("seating job %s could not be queued", job_id)
        db.session.rollback()
        _finish(job_id, "failed", _("The planning service could not be reached; try again "
                                    "shortly."))
        db.session.commit()
        raise Conflict(_("The planning service could not be reached; try again shortly.")) \
            from exc


def stop(job: SeatingJob, actor) -> SeatingJob:
    """Ask a running job to stop and keep its best plan; a queued one ends at once with nothing
    to keep. A job that has ended is left as it is."""
    policy.authorize(actor, "seating.manage", job.gathering)
    job = lock_row(SeatingJob, job.id)
    if job.status == "queued":
        job.status = "stopped"
        job.finished_at = utcnow()
        job.message = _("Stopped before it began; the plan was not changed.")
    elif job.status == "running":
        job.stop_requested = True
    db.session.flush()
    return job


def progress_of(job: SeatingJob) -> dict:
    return json.loads(job.progress) if job.progress else {}


def _finish(job_id: int, status: str, message: str | None = None) -> None:
    db.session.execute(
        update(SeatingJob).where(SeatingJob.id == job_id, SeatingJob.status.in_(JOB_ACTIVE))
        .values(status=status, finished_at=utcnow(), message=message)
        .execution_options(synchronize_session=False))


@core_jobs.task(TASK)
def run(job_id: int) -> None:
    """The worker's side: claim the job, solve, store the best plan, record how it ended."""
    job = db.session.get(SeatingJob, job_id)
    if job is None or job.status not in JOB_ACTIVE:
        return  # stopped while queued, given up as stale, or the gathering is gone
    if job.status == "running" and not is_stale(job):
        return  # delivered twice: the first worker still has it
    now = utcnow()
    claimed = db.session.execute(
        update(SeatingJob).where(SeatingJob.id == job_id, SeatingJob.status == job.status)
        .values(status="running", started_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not claimed:
        return
    try:
        _run(job_id)
    except Exception:
        current_app.logger.exception("seating job %s failed", job_id)
        db.session.rollback()
        _finish(job_id, "failed", _("The plan could not be made because of an error; the "
                                    "stored plan was not changed. Try again."))
        db.session.commit()


def _run(job_id: int) -> None:
    job = db.session.get(SeatingJob, job_id, populate_existing=True)
    gathering = job.gathering
    try:
        instance = planning._plannable_instance(gathering, job.replan)
    except Conflict as exc:
        db.session.rollback()
        _finish(job_id, "failed", exc.message if hasattr(exc, "message") else str(exc))
        db.session.commit()
        return
    gathering_id, replan = gathering.id, job.replan
    db.session.commit()  # the solve holds no transaction, let alone a lock

    watch = _Watch(job_id)
    result = solver.solve(instance, progress=watch.progress, should_stop=watch.should_stop)

    for attempt in range(STORE_ATTEMPTS):
        try:
            _store_result(job_id, gathering_id, replan, instance, result, watch)
            return
        except Busy:
            # Registrations hold the gathering for a moment at a time: a worker can wait.
            db.session.rollback()
            time.sleep(1 + attempt)
    raise RuntimeError(f"the gathering stayed locked through {STORE_ATTEMPTS} attempts")


def _store_result(job_id: int, gathering_id: int, replan: bool, instance: dict, result: dict,
                  watch: _Watch) -> None:
    lock_row(Gathering, gathering_id)
    job = lock_row(SeatingJob, job_id)
    if job is None or job.status != "running":
        db.session.rollback()  # given up as stale meanwhile: another job owns the plan now
        return
    db.session.flush()
    db.session.expire_all()
    job = db.session.get(SeatingJob, job_id)
    gathering = db.session.get(Gathering, gathering_id)
    try:
        changed = planning._plannable_instance(gathering, replan) != instance
    except Conflict:
        changed = True
    if changed:
        job.status = "conflict"
        job.message = _("Registrations, tables or rules changed while the plan was being made, "
                        "so it was not saved. Make the plan again.")
    else:
        planning._store(gathering, result, instance, rounds(gathering), keep_hand_moves=replan)
        job.status = "stopped" if (result.get("metrics") or {}).get("stopped") \
            or watch.stop_seen else "done"
    job.finished_at = utcnow()
    job.progress = json.dumps(_final_progress(result, watch), ensure_ascii=False)
    db.session.commit()


def _final_progress(result: dict, watch: _Watch) -> dict:
    metrics = result.get("metrics") or {}
    last = dict(watch.last or {})
    last.update({
        "seconds": metrics.get("seconds", last.get("seconds")),
        "best": {"hard_violations": metrics.get("hard_violations", 0),
                 "soft_violations": metrics.get("soft_violations", 0),
                 "repeat_pairs": metrics.get("repeat_pairs", 0)},
        "lower_bound": metrics.get("repeat_pairs_lower_bound", last.get("lower_bound")),
    })
    return last


class _Watch:
    """The solver's callbacks: write the best so far to the job's row, each in a transaction of
    its own, and read the stop flag now and then (the solver asks often)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last: dict | None = None
        self.stop_seen = False
        self._read_at = 0.0
        self._beat_at = time.monotonic()

    def progress(self, report: dict) -> None:
        self.last = {key: report.get(key) for key in ("seconds", "iterations", "best",
                                                      "lower_bound")}
        values = {"progress": json.dumps(self.last, ensure_ascii=False),
                  "heartbeat_at": utcnow()}
        if report.get("plan") is not None:
            values["best_plan"] = json.dumps(report["plan"], ensure_ascii=False)
        self._write(values)
        self._beat_at = time.monotonic()

    def should_stop(self) -> bool:
        now = time.monotonic()
        if self.stop_seen or now - self._read_at < STOP_POLL_S:
            return self.stop_seen
        self._read_at = now
        if now - self._beat_at >= HEARTBEAT_S:
            self._write({"heartbeat_at": utcnow()})
            self._beat_at = now
        flag = db.session.execute(
            select(SeatingJob.stop_requested, SeatingJob.status)
            .where(SeatingJob.id == self.job_id)).one_or_none()
        db.session.commit()
        # Given up as stale (or the gathering deleted): no use going on either.
        self.stop_seen = flag is None or bool(flag[0]) or flag[1] != "running"
        return self.stop_seen

    def _write(self, values: dict) -> None:
        db.session.execute(
            update(SeatingJob).where(SeatingJob.id == self.job_id,
                                     SeatingJob.status == "running")
            .values(**values).execution_options(synchronize_session=False))
        db.session.commit()

