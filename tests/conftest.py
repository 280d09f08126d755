"""Fixtures: the app from the factory with TestConfig, a clean database per test, helpers.

The database is SQLite in a temporary file unless TEST_DATABASE_URL names another (the suite
runs on PostgreSQL in CI that way). The schema is built once per run by the migrations, so
every run also tests them.
"""

import contextvars
import os
import re
import socket
import threading

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text, update

from eventapp import create_app
from eventapp.config import TestConfig
from eventapp.extensions import db as _db
from tests import factories

PASSWORD = factories.PASSWORD


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return _worker_database(url, worker) if worker else url
    # tmp_path_factory is the worker's own under pytest-xdist.
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def _worker_database(url: str, worker: str) -> str:
    """The database named by ``url`` with the xdist worker's name added, made when missing: each
    worker empties its tables between tests, so two must never share one."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                {"name": name}).scalar():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            # A test database needs no durability: a commit need not wait for the disk.
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def is_postgres(database_url):
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Drop whatever is there and build the schema with the migrations, once per run."""
    from flask_migrate import upgrade

    app = create_app(_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        with _db.engine.begin() as conn:
            if database_url.startswith("postgresql"):
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            else:
                _db.metadata.drop_all(conn)
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=app.extensions["migrate"].directory)
        _db.engine.dispose()
    return database_url


def _config(database_url, instance_path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SECRET_KEY = "test-secret-key"  # noqa: S105
        MAIL_FILE_DIR = str(instance_path / "mail")
        # A port where nothing listens unless a test starts an SMTP server there.
        MAIL_PORT = _free_port()

        @classmethod
        def from_env(cls):
            return {}

    return Config


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    The test holds an app context for its own database work; without this, requests would
    share it (and its ``g`` and database session) with the test and with each other.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        # What the request committed must be visible to the test's own session.
        if has_app_context():
            _db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def _built_app(_schema, tmp_path_factory):
    """One app for the run: building one compiles every URL rule, which took a fifth of the
    suite's time when each test built its own. Each test gets the configuration back as built
    and empty rate limits (see ``app``)."""
    app = create_app(_config(_schema, tmp_path_factory.mktemp("instance")))
    app.test_client_class = IsolatedClient
    return app, dict(app.config)


@pytest.fixture
def app(_built_app, tmp_path):
    from eventapp.extensions import limiter

    app, config = _built_app
    app.config.clear()
    app.config.update(config)
    app.config["MAIL_FILE_DIR"] = str(tmp_path / "mail")
    app.config["MAIL_PORT"] = _free_port()
    limiter.reset()
    with app.app_context():
        yield app
        _db.session.remove()
        _end_jobs(app)
        _truncate()
        _db.engine.dispose()


def _end_jobs(app):
    """A plan a test left solving in the in-process workers must not write into the next
    test's tables: ask every job to stop, and wait until the workers are idle."""
    if not any(jobs.worker for jobs in app.extensions.get("jobs", {}).values()):
        return
    from eventapp.core import jobs as core_jobs
    from eventapp.seating.models import JOB_ACTIVE, SeatingJob

    with _db.engine.begin() as conn:
        conn.execute(update(SeatingJob).where(SeatingJob.status.in_(JOB_ACTIVE))
                     .values(stop_requested=True))
    core_jobs.wait_idle(app, timeout_s=60)


# Tests emptied since the tables were last vacuumed (PostgreSQL), and how often to vacuum.
_emptied = 0
VACUUM_EVERY = 20


def _truncate():
    """Empty every table and start the ids over. On PostgreSQL DELETE, not TRUNCATE: a test
    leaves a few rows, and TRUNCATE makes new files for all seventy tables each time (a third
    of the suite's time there went into it)."""
    global _emptied
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if conn.dialect.name != "postgresql":
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
            return
        conn.exec_driver_sql("; ".join(f"DELETE FROM {name}" for name in tables))
        used = conn.execute(text("SELECT schemaname || '.' || sequencename FROM pg_sequences "
                                 "WHERE last_value IS NOT NULL")).scalars().all()
        if used:
            conn.execute(text("SELECT " + ", ".join(f"setval('{seq}', 1, false)"
                                                    for seq in used)))
    # DELETE leaves the rows behind as dead until a vacuum; on a server without autovacuum
    # (as test servers often run, this machine's among them) every test's DELETE went through
    # all the rows of the tests before it (the shipped municipalities alone add 400 a test),
    # and by the end of a run emptying the tables took one to three seconds a test.
    _emptied += 1
    if _emptied % VACUUM_EVERY == 0:
        with _db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM " + ", ".join(tables))


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def places(app):
    """The shipped counties, municipalities and Oslo districts."""
    from eventapp.places.services import load_shipped

    load_shipped()
    _db.session.commit()
    return factories.Places()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app, places):
    return factories.make_user


@pytest.fixture
def make_gathering(app, places):
    return factories.make_gathering


@pytest.fixture
def open_gathering(make_gathering, db):
    """Vestland's gathering two months ahead, open for registration."""
    from datetime import date, timedelta

    g = make_gathering(county="46", start=date.today() + timedelta(days=60),
                       end=date.today() + timedelta(days=61))
    g.status = "open"
    db.session.commit()
    return g


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def get_csrf(client, url: str) -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def login(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    token = get_csrf(client, "/account/login")
    url = "/account/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def post_form(client, url: str, data: dict, page: str | None = None):
    """POST like a browser: fetch the page first for its CSRF token."""
    token = get_csrf(client, page or url)
    return client.post(url, data={**data, "csrf_token": token})


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port; messages land in ``server.messages``."""
    from tests.smtp import SMTPServer

    servers = []

    def start(port: int | None = None, **behaviour):
        server = SMTPServer(port or _free_port(), **behaviour)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def use_smtp(app):
    """Point the app's mail at ``port``."""

    def point(port: int):
        app.config["MAIL_TRANSPORT"] = "smtp"
        app.config["MAIL_SERVER"] = "127.0.0.1"
        app.config["MAIL_PORT"] = port

    return point


@pytest.fixture
def run_in_thread():
    """Run functions concurrently in threads and re-raise the first failure."""

    def run(*targets):
        errors = []

        def wrap(target):
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 - handed back to the test
                errors.append(exc)

        threads = [threading.Thread(target=wrap, args=(t,)) for t in targets]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        if errors:
            raise errors[0]

    return run
