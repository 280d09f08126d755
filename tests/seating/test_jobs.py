"""Planning in the background (issue 19, §3): a job row and a message, a worker that solves and
stores the best plan under the gathering's lock, stopping early, refusing a second start,
starting over after a dead worker, and the real worker process on Redis.

The world is the small Vestland gathering; ``JOBS_INLINE_MAX_SEATINGS = 0`` sends even it to
the background. The in-process tests use Dramatiq's in-memory broker and worker threads, as the
demo does; ``test_the_worker_process_runs_jobs_from_redis`` starts ``flask jobs work``."""

import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
import redis
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from eventapp.core import jobs as core_jobs
from eventapp.core.time import utcnow
from eventapp.extensions import db as _db
from eventapp.registration.models import Registration
from eventapp.registration.services import cancel
from eventapp.seating import services, solver
from eventapp.seating.models import SeatingJob
from eventapp.seating.services import jobs as plan_jobs
from tests.conftest import get_csrf, login
from tests.seating import world as W
from tests.seating.test_api import _op, api  # noqa: F401 - the API fixture

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def w(db, make_user, make_gathering):
    w = W.build(make_user, make_gathering)
    W.setup_plan(w)
    return w


@pytest.fixture
def background(app):
    app.config["JOBS_INLINE_MAX_SEATINGS"] = 0
    yield app
    core_jobs.wait_idle(app)  # no job of this test may outlive its database


@pytest.fixture
def as_user(app):
    def make(user):
        client = app.test_client()
        client.set_cookie("lang", "en")
        assert login(client, user.email).status_code == 302
        return client

    return make


def jobs_of(gathering) -> list[SeatingJob]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(SeatingJob).where(
        SeatingJob.gathering_id == gathering.id).order_by(SeatingJob.id)))


def start_by_page(client, g, **data):
    plan_url = f"/gatherings/{g.id}/seating/plan"
    token = get_csrf(client, plan_url)
    return client.post(plan_url, data={"csrf_token": token, "plan": "1", **data})


def queued_job(w, **values) -> SeatingJob:
    values = {"status": "queued", "time_limit_s": 10, "created_at": utcnow(), **values}
    job = SeatingJob(gathering_id=w["gathering"].id, started_by_id=w["host"].id, **values)
    _db.session.add(job)
    _db.session.commit()
    return job


# --- the flow, in process ---------------------------------------------------------------------

def test_a_plan_started_on_the_page_is_made_in_the_background_and_stored(background, w, as_user):
    g = w["gathering"]
    host = as_user(w["host"])
    started = start_by_page(host, g)
    assert started.status_code == 302 and started.headers["Location"].endswith("#job")
    [job] = jobs_of(g)
    assert job.status in ("queued", "running", "done")

    core_jobs.wait_idle(background)
    [job] = jobs_of(g)
    assert job.status == "done", job.message
    assert job.started_at and job.finished_at and job.message is None
    progress = plan_jobs.progress_of(job)
    assert progress["best"]["hard_violations"] == 0
    assert progress["lower_bound"] is not None
    assert W.seat_count(g) == 13 * 2
    assert W.report(g) is not None

    page = host.get(f"/gatherings/{g.id}/seating/plan?job={job.id}").get_data(as_text=True)
    assert 'data-status="done"' in page and "The plan is made" in page
    assert "data-poll" not in page  # nothing left to follow


def test_the_page_shows_a_running_job_and_refreshes_itself(w, as_user):
    g = w["gathering"]
    job = queued_job(w, status="running", started_at=utcnow() - timedelta(seconds=3.4),
                     heartbeat_at=utcnow(),
                     progress='{"seconds": 3.5, "iterations": 900, "best": {"hard_violations": 2,'
                              ' "soft_violations": 4, "repeat_pairs": 7}, "lower_bound": 1}')
    page = as_user(w["host"]).get(f"/gatherings/{g.id}/seating/plan").get_data(as_text=True)
    assert 'data-status="running"' in page
    assert f'data-poll="/gatherings/{g.id}/seating/jobs/{job.id}"' in page
    assert 'data-figure="job-hard">2<' in page and 'data-figure="job-soft">4<' in page
    assert 'data-figure="job-repeats">7<' in page and 'data-figure="job-lower-bound">1<' in page
    assert re.search(r"[34] of 10 seconds", page)  # the clock runs from the start
    assert 'data-action="stop-job"' in page and "Stop and keep the best" in page
    assert 'http-equiv="refresh"' in page and "js/seating_job." in page  # without JS, with it
    assert 'data-action="plan"' not in page  # no second start offered while it runs

    fragment = as_user(w["host"]).get(f"/gatherings/{g.id}/seating/jobs/{job.id}")
    assert fragment.status_code == 200 and fragment.headers["Cache-Control"] == "no-store"
    assert fragment.get_data(as_text=True).lstrip().startswith("{#") is False
    assert 'data-figure="job-repeats">7<' in fragment.get_data(as_text=True)

    # Norwegian first: the button as the host asked for it.
    nb = login_nb(w["host"])
    assert "Stopp og behold den beste" in nb.get(f"/gatherings/{g.id}/seating/plan").get_data(
        as_text=True)


def login_nb(user):
    from flask import current_app

    client = current_app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def test_counsellors_follow_the_progress_but_cannot_stop_it(w, as_user):
    g = w["gathering"]
    job = queued_job(w, status="running", started_at=utcnow(), heartbeat_at=utcnow())
    reader = as_user(w["counsellor"])
    page = reader.get(f"/gatherings/{g.id}/seating/plan").get_data(as_text=True)
    assert 'data-status="running"' in page and 'data-action="stop-job"' not in page
    assert reader.get(f"/gatherings/{g.id}/seating/jobs/{job.id}").status_code == 200
    token = get_csrf(reader, f"/gatherings/{g.id}/seating/plan")
    refused = reader.post(f"/gatherings/{g.id}/seating/jobs/{job.id}/stop",
                          data={"csrf_token": token})
    assert refused.status_code == 403
    assert not jobs_of(g)[0].stop_requested


def test_another_countys_host_gets_404_for_a_job(w, as_user, make_gathering):
    g = w["gathering"]
    job = queued_job(w)
    outsider = as_user(w["outsider"])
    assert outsider.get(f"/gatherings/{g.id}/seating/jobs/{job.id}").status_code == 404
    # A job reached through another gathering's address is not there either.
    other = make_gathering(county="46", title="Andre samling")
    host = as_user(w["host"])
    assert host.get(f"/gatherings/{other.id}/seating/jobs/{job.id}").status_code == 404
    assert host.get(f"/gatherings/{g.id}/seating/jobs/{job.id + 1000}").status_code == 404


def test_a_second_start_while_one_runs_is_refused(w, as_user, app):
    app.config["JOBS_INLINE_MAX_SEATINGS"] = 0
    g = w["gathering"]
    queued_job(w, status="running", started_at=utcnow(), heartbeat_at=utcnow())
    host = as_user(w["host"])
    refused = start_by_page(host, g)
    assert refused.status_code == 302
    page = host.get(refused.headers["Location"]).get_data(as_text=True)
    assert "A plan is being made already; wait for it or stop it." in page
    assert len(jobs_of(g)) == 1 and W.seat_count(g) == 0


def test_a_small_gathering_is_planned_at_once_even_while_a_job_runs(w, as_user):
    """Below the size for the background nothing is queued: the plan is made in the request
    (and a job already running is no obstacle: whichever is stored last wins its own check)."""
    g = w["gathering"]
    host = as_user(w["host"])
    assert start_by_page(host, g).status_code == 302
    assert jobs_of(g) == [] and W.seat_count(g) == 26


def test_the_database_holds_one_active_job_per_gathering_and_known_statuses(w):
    queued_job(w)
    with pytest.raises(IntegrityError):
        queued_job(w, status="running")
    _db.session.rollback()
    queued_job(w, status="done")  # ended jobs are many
    queued_job(w, status="failed")
    with pytest.raises(IntegrityError):
        _db.session.execute(text("UPDATE seating_jobs SET status = 'lost'"))
        _db.session.flush()
    _db.session.rollback()


def test_a_stale_job_is_given_up_and_started_over(background, w, as_user):
    """A worker killed mid-job leaves a running row that never ends: once it has been silent
    for JOBS_STALE_SECONDS past its time limit, a new start gives it up and begins again."""
    g = w["gathering"]
    long_ago = utcnow() - timedelta(minutes=10)
    dead = queued_job(w, status="running", started_at=long_ago, heartbeat_at=long_ago)
    dead_id = dead.id
    host = as_user(w["host"])
    page = host.get(f"/gatherings/{g.id}/seating/plan").get_data(as_text=True)
    assert "The planning job stopped answering" in page and 'data-action="plan"' in page

    assert start_by_page(host, g).status_code == 302
    core_jobs.wait_idle(background)
    old, new = jobs_of(g)
    assert old.id == dead_id and old.status == "failed" and "started over" in old.message
    assert new.status == "done" and W.seat_count(g) == 26

    # The dead job's message, delivered late to a worker, changes nothing.
    plan_jobs.run(dead_id)
    assert [j.status for j in jobs_of(g)] == ["failed", "done"]


def test_a_job_running_while_registrations_change_ends_as_a_conflict(app, w, monkeypatch):
    """The solve runs without a lock; a cancellation meanwhile means the plan is not written."""
    g = w["gathering"]
    gone = w["people"]["M3"].id
    real = solver.solve

    def solve_while_someone_cancels(instance, **callbacks):
        def other():
            with app.app_context():
                try:
                    cancel(_db.session.get(Registration, gone), w["host"])
                    _db.session.commit()
                finally:
                    _db.session.remove()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(20)
        return real(instance, **callbacks)

    job = queued_job(w)
    monkeypatch.setattr(plan_jobs.solver, "solve", solve_while_someone_cancels)
    plan_jobs.run(job.id)
    [job] = jobs_of(g)
    assert job.status == "conflict"
    assert "Make the plan again" in job.message or "Lag bordplanen på nytt" in job.message
    assert W.seat_count(g) == 0 and W.report(g) is None


def test_stop_on_a_queued_job_ends_it_at_once_with_nothing_stored(w, as_user):
    g = w["gathering"]
    job = queued_job(w)
    host = as_user(w["host"])
    token = get_csrf(host, f"/gatherings/{g.id}/seating/plan")
    done = host.post(f"/gatherings/{g.id}/seating/jobs/{job.id}/stop", data={"csrf_token": token})
    assert done.status_code == 302
    [job] = jobs_of(g)
    assert job.status == "stopped" and job.finished_at is not None
    plan_jobs.run(job.id)  # its message, if it comes, is ignored
    assert W.seat_count(g) == 0


def test_stop_asks_a_running_job_and_the_worker_keeps_the_best(w, as_user):
    """The stop button sets the flag; the worker's should_stop sees it and the solver returns
    the best plan so far, which is stored. Needs the solver that takes should_stop."""
    g = golfers(w, time_limit_s=30)  # one it cannot finish before it is asked to stop
    job = queued_job(w)
    job_id = job.id
    # The host presses stop the moment the worker claims the job.
    _db.session.execute(text("UPDATE seating_jobs SET stop_requested = :t WHERE id = :id"),
                        {"t": True, "id": job_id})
    _db.session.commit()
    plan_jobs.run(job_id)
    [job] = jobs_of(g)
    assert job.status == "stopped", (job.status, job.message)
    assert (job.finished_at - job.started_at).total_seconds() < 10
    assert W.seat_count(g) == 32 * 10  # the best so far, stored
    assert services.current_plan(g).metrics.get("stopped") is True


def test_the_stop_button_sets_the_flag_of_a_running_job(w, as_user):
    g = w["gathering"]
    job = queued_job(w, status="running", started_at=utcnow(), heartbeat_at=utcnow())
    host = as_user(w["host"])
    token = get_csrf(host, f"/gatherings/{g.id}/seating/plan")
    done = host.post(f"/gatherings/{g.id}/seating/jobs/{job.id}/stop", data={"csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"job={job.id}#job")
    [job] = jobs_of(g)
    assert job.status == "running" and job.stop_requested
    page = host.get(done.headers["Location"]).get_data(as_text=True)
    assert "Stopping: the best plan so far is kept." in page
    assert 'data-action="stop-job" disabled' in page


def test_progress_is_written_to_the_job_while_it_runs(w):
    """Each report of the solver lands on the row, best plan included. Needs the solver that
    takes progress."""
    g = w["gathering"]
    job = queued_job(w)
    plan_jobs.run(job.id)
    [job] = jobs_of(g)
    assert job.status == "done"
    assert job.best_plan is not None and '"rounds"' in job.best_plan
    assert plan_jobs.progress_of(job)["iterations"] is not None


def test_a_failing_solve_ends_the_job_as_failed_and_changes_nothing(w, monkeypatch):
    g = w["gathering"]

    def broken(instance, **_callbacks):
        raise RuntimeError("boom")

    monkeypatch.setattr(plan_jobs.solver, "solve", broken)
    job = queued_job(w)
    plan_jobs.run(job.id)
    [job] = jobs_of(g)
    assert job.status == "failed" and job.message and "boom" not in job.message
    assert W.seat_count(g) == 0


# --- the API ----------------------------------------------------------------------------------

def test_allocate_tables_answers_202_with_a_job_to_poll(background, w, api):  # noqa: F811
    g = w["gathering"]
    started = api("POST", f"/gatherings/{g.id}/seating", w["host"], json={"seed": 2})
    assert started.status_code == 202, started.get_json()
    body = started.get_json()
    jsonschema.validate(body, _op("allocateTables").response)
    location = started.headers["Location"]
    assert location == f"/api/v1/gatherings/{g.id}/seating/jobs/{body['id']}"
    assert body["status"] in ("queued", "running", "done")

    again = api("POST", f"/gatherings/{g.id}/seating", w["host"], json={})
    if again.status_code == 409:  # still running: a second is refused
        assert "being made already" in again.get_json()["error"]["message"]
    core_jobs.wait_idle(background)

    read = api("GET", location.removeprefix("/api/v1"), w["host"])
    assert read.status_code == 200
    jsonschema.validate(read.get_json(), _op("getSeatingJob").response)
    assert read.get_json()["status"] == "done"
    plan = api("GET", f"/gatherings/{g.id}/seating", w["counsellor"])
    assert plan.status_code == 200 and plan.get_json()["rounds"]

    # Stopping an ended job answers it as it is.
    stopped = api("POST", location.removeprefix("/api/v1") + "/stop", w["host"])
    assert stopped.status_code == 200 and stopped.get_json()["status"] == "done"
    jsonschema.validate(stopped.get_json(), _op("stopSeatingJob").response)


def test_the_job_operations_are_scoped(w, api, make_gathering):  # noqa: F811
    g = w["gathering"]
    job = queued_job(w)
    path = f"/gatherings/{g.id}/seating/jobs/{job.id}"
    assert api("GET", path, w["outsider"]).status_code == 404
    assert api("POST", path + "/stop", w["outsider"]).status_code == 404
    assert api("GET", path, w["counsellor"]).status_code == 200
    assert api("POST", path + "/stop", w["counsellor"]).status_code == 403
    assert api("GET", path).status_code == 401
    other = make_gathering(county="46", title="Andre samling")
    assert api("GET", f"/gatherings/{other.id}/seating/jobs/{job.id}", w["host"]).status_code \
        == 404
    stopped = api("POST", path + "/stop", w["host"])
    assert stopped.status_code == 200 and stopped.get_json()["status"] == "stopped"


def test_the_job_operations_are_in_the_openapi_document(client, places):
    document = client.get("/api/v1/openapi.json").get_json()
    read = document["paths"]["/gatherings/{id}/seating/jobs/{job_id}"]["get"]
    stop = document["paths"]["/gatherings/{id}/seating/jobs/{job_id}/stop"]["post"]
    assert read["operationId"] == "getSeatingJob" and stop["operationId"] == "stopSeatingJob"
    assert {"403", "404"} <= set(stop["responses"]) and "404" in read["responses"]
    assert "202" in document["paths"]["/gatherings/{id}/seating"]["post"]["responses"]


# --- the real worker process on Redis ----------------------------------------------------------

def _redis_or_skip():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")


class _Workers:
    """`flask --app eventapp jobs work` processes on Redis and the test database; the web side
    (the test's app) sends to the same Redis namespace."""

    def __init__(self, app, database_url, tmp_path):
        _redis_or_skip()
        self.namespace = f"eventapp-test-{uuid.uuid4().hex[:12]}"
        app.config.update(JOBS_BROKER_URL=REDIS_URL, JOBS_NAMESPACE=self.namespace,
                          JOBS_INLINE_MAX_SEATINGS=0)
        self.env = {**os.environ, "DATABASE_URL": database_url, "JOBS_BROKER_URL": REDIS_URL,
                    "JOBS_NAMESPACE": self.namespace, "SECRET_KEY": "test-secret-key",
                    "MAIL_FILE_DIR": str(tmp_path / "mail")}
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        flask = Path(sys.executable).with_name("flask")
        log = (self.tmp_path / f"worker{len(self.processes)}.log").open("w")
        process = subprocess.Popen(
            [str(flask), "--app", "eventapp", "jobs", "work", "--threads", "1"], env=self.env,
            stdout=log, stderr=subprocess.STDOUT, cwd=str(Path(__file__).resolve().parents[2]))
        log.close()
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.tmp_path.glob("worker*.log")))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{self.namespace}*"):
            client.delete(key)


@pytest.fixture
def workers(app, database_url, tmp_path):
    found = _Workers(app, database_url, tmp_path)
    yield found
    found.stop()


def wait_for(gathering, done, workers, seconds=60) -> SeatingJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = jobs_of(gathering)[-1]
        if done(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job.status}: {workers.logs()}")


def test_the_worker_process_runs_jobs_from_redis(w, workers, as_user):
    """Start on the page, the worker process plans and stores; SIGTERM ends it cleanly."""
    worker = workers.start()
    g = w["gathering"]
    assert start_by_page(as_user(w["host"]), g).status_code == 302
    job = wait_for(g, lambda j: j.status not in ("queued", "running"), workers)
    assert job.status == "done", (job.message, workers.logs())
    assert W.seat_count(g) == 26
    worker.terminate()
    assert worker.wait(15) == 0, workers.logs()


def test_a_worker_killed_mid_job_leaves_nothing_stuck(app, w, workers, as_user):
    """kill -9 the worker while it solves: the job falls silent, nothing is stored, and once it
    is stale the host starts over and another worker makes the plan."""
    app.config["JOBS_STALE_SECONDS"] = 1
    g = golfers(w, time_limit_s=3)
    first = workers.start()
    host = as_user(w["host"])
    assert start_by_page(host, g).status_code == 302
    wait_for(g, lambda j: j.status == "running", workers)
    first.kill()
    first.wait(10)
    dead = jobs_of(g)[-1]
    assert dead.status == "running", "the solve beat the kill"
    assert W.seat_count(g) == 0
    refused = start_by_page(host, g)  # not stale yet: refused
    assert "being made already" in host.get(refused.headers["Location"]).get_data(as_text=True)

    stale_at = max(dead.started_at + timedelta(seconds=3), dead.heartbeat_at) \
        + timedelta(seconds=1.5)
    time.sleep(max(0.0, (stale_at - utcnow()).total_seconds()))
    workers.start()
    assert start_by_page(host, g).status_code == 302
    job = wait_for(g, lambda j: j.id != dead.id and j.status not in ("queued", "running"),
                   workers)
    assert job.status == "done", (job.message, workers.logs())
    assert jobs_of(g)[0].status == "failed" and W.seat_count(g) == 32 * 10


def golfers(w, *, time_limit_s: int):
    """32 people at eight tables of four for ten rounds (the social golfer 8-4-10), no rules:
    no solver reaches its lower bound quickly, so a solve lasts its time limit."""
    g = w["gathering"]
    for reg in _db.session.scalars(select(Registration).where(Registration.gathering_id == g.id)):
        _db.session.delete(reg)
    _db.session.flush()
    units = W.units()
    for i in range(32):
        W.person(g, f"Golfer {i + 1:02d}", where=units[i % len(units)], commit=False)
    services.set_tables(g, w["host"], count=8, seats=4)
    services.set_rounds(g, w["host"], [("mixed", None)] * 10)
    settings = services.settings_for(g)
    settings.min_counsellors_per_table = settings.max_county_staff_per_table = 0
    settings.max_per_organisation = 0
    settings.time_limit_s = time_limit_s
    _db.session.commit()
    return g


def test_the_worker_command_needs_a_broker(app):
    result = app.test_cli_runner().invoke(args=["jobs", "work"])
    assert result.exit_code != 0 and "JOBS_BROKER_URL" in result.output


def test_a_worker_waits_for_a_gathering_locked_just_then(app, w, monkeypatch, is_postgres):
    """Storing needs the gathering's lock; a request holding it past LOCK_TIMEOUT_SECONDS makes
    the worker wait and try again, not fail the job."""
    if not is_postgres:
        pytest.skip("SQLite has no row locks to wait for")
    app.config["LOCK_TIMEOUT_SECONDS"] = 0.3
    g = w["gathering"]
    gid = g.id
    held, real = threading.Event(), solver.solve

    def hold():
        with app.app_context():
            try:
                _db.session.execute(text("SELECT id FROM gatherings WHERE id = :id FOR UPDATE"),
                                    {"id": gid})
                held.set()
                time.sleep(1.5)
                _db.session.commit()
            finally:
                _db.session.remove()

    def solve_then_someone_holds_the_gathering(instance, **callbacks):
        result = real(instance, **callbacks)
        threading.Thread(target=hold).start()
        held.wait(5)
        return result

    monkeypatch.setattr(plan_jobs.solver, "solve", solve_then_someone_holds_the_gathering)
    job = queued_job(w)
    plan_jobs.run(job.id)
    [job] = jobs_of(g)
    assert job.status == "done", job.message
    assert W.seat_count(g) == 26
