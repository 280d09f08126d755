"""Background jobs through Dramatiq: a feature names a task, the job library moves the work.

The state a page shows (queued, running, how far, how it ended) lives in the feature's own
table; a message carries only the id of its row. With ``JOBS_BROKER_URL=redis://...`` messages
go to Redis and ``flask --app eventapp jobs work`` (one or more processes, like the outbox
sender) runs them. Without it (the SQLite demo, the tests) the web process runs them itself,
in worker threads of Dramatiq's in-memory broker started on the first message: no other
service is needed.

A feature registers its task at import with ``@task("name")``; the broker and its actors are
made for an app the first time it sends or works. Every task runs in an app context of its own
and leaves with its database session removed. A task is not retried by the library: a failure
is recorded on its row by the task itself, and a message lost with a killed worker is made up
for by starting the job again (the feature decides when a silent job counts as dead).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app

from eventapp.extensions import db

if TYPE_CHECKING:  # Dramatiq (and Redis's client) load with the first job, not at the app's start.
    import dramatiq

QUEUE = "eventapp"
_TASKS: dict[str, Callable] = {}


def task(name: str):
    """Register ``fn(*args)`` as the task ``name`` (args: plain JSON values, such as an id)."""

    def decorator(fn):
        _TASKS[name] = fn
        return fn

    return decorator


@dataclass
class Jobs:
    broker: dramatiq.Broker
    in_process: bool
    actors: dict[str, dramatiq.Actor] = field(default_factory=dict)
    worker: dramatiq.Worker | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _in_app(app: Flask, name: str):
    def run(*args):
        with app.app_context():
            try:
                _TASKS[name](*args)
            finally:
                db.session.remove()

    run.__name__ = name.replace(".", "_")
    return run


def jobs_for(app: Flask) -> Jobs:
    """The app's broker and actors for its current ``JOBS_BROKER_URL``, made on first use
    (every task is registered by then); kept per broker address, so a test may switch."""
    import dramatiq
    from dramatiq.brokers.stub import StubBroker

    url = app.config.get("JOBS_BROKER_URL") or None
    namespace = app.config.get("JOBS_NAMESPACE", "eventapp")
    kept = app.extensions.setdefault("jobs", {})
    found = kept.get((url, namespace))
    if found is None:
        if url:
            from dramatiq.brokers.redis import RedisBroker

            broker = RedisBroker(url=url, namespace=namespace)
        else:
            broker = StubBroker()
            broker.emit_after("process_boot")
        found = kept[(url, namespace)] = Jobs(broker=broker, in_process=not url)
    for name in _TASKS:
        if name not in found.actors:
            found.actors[name] = dramatiq.actor(
                _in_app(app, name), actor_name=name, queue_name=QUEUE, broker=found.broker,
                # The task records its own failure; a retry would solve the same thing again.
                max_retries=0,
                time_limit=int(app.config.get("JOBS_TIME_LIMIT_SECONDS", 600)) * 1000)
    return found


def enqueue(name: str, *args) -> None:
    """Send the task ``name`` after the caller has committed what it reads: the worker may start
    at once. In process, start the worker threads on the first message."""
    app = current_app._get_current_object()
    jobs = jobs_for(app)
    if jobs.in_process:
        start_worker(app, threads=int(app.config.get("JOBS_THREADS", 2)))
    jobs.actors[name].send(*args)


def start_worker(app: Flask, *, threads: int) -> dramatiq.Worker:
    import dramatiq

    jobs = jobs_for(app)
    with jobs.lock:
        if jobs.worker is None:
            jobs.worker = dramatiq.Worker(jobs.broker, queues={QUEUE}, worker_threads=threads,
                                          worker_timeout=100)
            jobs.worker.start()
    return jobs.worker


def wait_idle(app: Flask, timeout_s: float = 120) -> None:
    """Wait until the in-process queue is empty and its last job has ended (tests, the demo)."""
    from dramatiq.brokers.stub import StubBroker

    jobs = jobs_for(app)
    if isinstance(jobs.broker, StubBroker):
        jobs.broker.join(QUEUE, timeout=int(timeout_s * 1000))
        if jobs.worker is not None:
            jobs.worker.join()
