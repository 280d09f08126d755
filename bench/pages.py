"""The main pages against the framework floor, on the scaled data set (issue 20).

Builds the scaled data set (``eventapp.demo.scaled``: the demo, then every county's gathering of
2024-2026, about 3,700 registrations and 2,000 survey responses) in a PostgreSQL database, or
reuses it when it is there, and vacuums and analyses it as autovacuum would; serves the app with
gunicorn (2 workers x 4 threads, gthread) and a bare Flask + Flask-SQLAlchemy app that runs
``SELECT 1`` and renders a small template (the floor) with the same settings; then per page prints
the SQL statements one request runs (counted in-process on a test client), the p50 and p95 latency
at 1 client (each request followed by one to the floor, so both see the same moment of the
machine) and at 20 clients, the requests per second at 20 clients, and the ratio of the page's p50
to the floor's.

    python bench/pages.py [--quick] [--database eventapp_bench] [--rebuild]

Exit status 0 when every page answered 200 and met both targets (within 10 x the floor at p50
with 1 client, at least 50 requests per second with 20), 1 otherwise. See README.md.
"""

from __future__ import annotations

import argparse
import contextvars
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))  # the benchmarks' shared helpers
import served  # noqa: E402

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SECRET_KEY = "pages-bench-secret-key-not-for-production"  # noqa: S105
FLOOR_MAX_RATIO = 10
MIN_RPS = 50
MAX_KB = 150
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# The app of this checkout (and tests/querycount.py), whatever else is installed.
sys.path.insert(0, str(ROOT))

# The floor: the least a Flask + Flask-SQLAlchemy page can cost on these server settings.
FLOOR_TEMPLATE = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><ul>{% for n in rows %}<li>Rad {{ n }}</li>{% endfor %}</ul>
<p>{{ one }}</p></main></body></html>
"""


def floor_app():
    """gunicorn 'pages:floor_app()' with FLOOR_DATABASE_URL set."""
    from flask import Flask, render_template_string
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy import text

    app = Flask("floor")
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["FLOOR_DATABASE_URL"]
    db = SQLAlchemy(app)

    @app.get("/")
    def index():
        one = db.session.execute(text("SELECT 1")).scalar()
        return render_template_string(FLOOR_TEMPLATE, title="Gulvet", rows=range(10), one=one)

    return app


# --- the pages ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    name: str
    who: str  # directorate | host | municipal | api | anonymous
    url: str


@dataclass
class Targets:
    """What the pages are measured on, found in the scaled data."""

    gathering_id: int  # a 2026 gathering with a table plan, the most registrations of those
    host_email: str
    open_gathering_id: int  # open for registration: the public form
    reports_in: int  # a year whose reports are in
    reports_out: int  # a year whose reports are mostly not in yet
    token: str = ""

    def pages(self) -> list[Page]:
        g = self.gathering_id
        return [
            Page("national survey comparison", "directorate",
                 f"/reports/national/survey?year={self.reports_out}"),
            Page("survey results", "host", f"/gatherings/{g}/survey/results"),
            Page("seating plan", "host", f"/gatherings/{g}/seating/plan"),
            Page(f"national report {self.reports_in} (reports in)", "directorate",
                 f"/reports/national?year={self.reports_in}"),
            Page(f"national report {self.reports_out} (not yet in)", "directorate",
                 f"/reports/national?year={self.reports_out}"),
            Page("registrations list", "host", f"/gatherings/{g}/registrations"),
            Page("municipality board", "host", f"/gatherings/{g}/board"),
            Page("budget", "host", f"/gatherings/{g}/budget"),
            Page("API listRegistrations", "api", f"/api/v1/gatherings/{g}/registrations"),
            Page("overview (county host)", "host", "/"),
            Page("overview (municipal contact)", "municipal", "/"),
            Page("public registration form", "anonymous",
                 f"/gatherings/{self.open_gathering_id}/register"),
        ]


# --- building or reusing the data --------------------------------------------------------------

def log(message: str) -> None:
    print(f"[pages {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def database_url(args) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(args.database_url or os.environ.get("BENCH_DATABASE_URL")
                   or f"{DEFAULT_SERVER}/{args.database}")
    if url.get_backend_name() != "postgresql":
        raise SystemExit("The benchmark needs PostgreSQL (--database-url postgresql+psycopg://...).")
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def ensure_database(url: str, rebuild: bool) -> None:
    """Create the database when missing; with ``rebuild`` drop it first (only a database whose
    name says it is for benchmarks)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if rebuild:
                if "bench" not in name:
                    raise SystemExit(f"Refusing to drop {name!r}: its name must contain 'bench'.")
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def make_app(url: str, tmp: Path):
    from eventapp import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "MAIL_TRANSPORT": "file",
        "MAIL_FILE_DIR": str(tmp / "mail"), "RATELIMIT_STORAGE_URI": "memory://",
        "MATERIALS_DIR": str(tmp / "materials"),
        # The build makes some twenty accounts; logging in checks any hash the same way.
        "PASSWORD_HASH_FAST": True,
    })


def build_or_reuse(app, seed: int, scale: float) -> None:
    """Build the scaled set unless every county's gathering of every year is there (a build
    cut short goes on where it stopped)."""
    from sqlalchemy import func, select

    from eventapp.demo.grants import TITLE
    from eventapp.demo.scaled import YEARS, build_scaled
    from eventapp.extensions import db
    from eventapp.gatherings.models import Gathering
    from eventapp.places.models import County

    with app.app_context():
        from sqlalchemy import inspect

        if inspect(db.engine).has_table("gatherings"):
            names = db.session.scalars(select(County.name)).all()
            titles = [TITLE.format(county=n, year=y) for n in names for y in YEARS]
            found = db.session.scalar(select(func.count(Gathering.id))
                                      .where(Gathering.title.in_(titles))) if titles else 0
            if titles and found == len(titles):
                from flask_migrate import upgrade

                upgrade(directory=app.extensions["migrate"].directory)
                log(f"reusing the scaled data set ({found} played gatherings)")
                return
        log(f"building the scaled data set (seed {seed}, scale {scale}); a few minutes")
        started = time.monotonic()
        build_scaled(seed=seed, scale=scale, progress=log)
        log(f"built in {time.monotonic() - started:.0f} s")


def vacuum(url: str) -> None:
    """VACUUM ANALYZE the data set, as autovacuum keeps a production database: the build leaves
    dead rows behind (160 000 in survey_invitations for 3 600 live ones) and no statistics for
    the planner, and a server run without autovacuum (as test servers often are) never clears
    them. A few seconds on a clean set."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()


def find_targets(app) -> Targets:
    from sqlalchemy import func, select

    from eventapp.accounts.models import User
    from eventapp.api.services import create_token
    from eventapp.extensions import db
    from eventapp.gatherings.models import Gathering
    from eventapp.registration.models import Registration
    from eventapp.seating.models import SeatingRound

    with app.app_context():
        seated = select(SeatingRound.gathering_id).distinct()
        counted = (select(Gathering.id, func.count(Registration.id).label("n"))
                   .join(Registration, Registration.gathering_id == Gathering.id)
                   .where(Gathering.id.in_(seated))
                   .group_by(Gathering.id).order_by(func.count(Registration.id).desc()))
        row = db.session.execute(counted).first()
        if row is None:
            raise SystemExit("No gathering with a table plan in the data set: build it again "
                             "with --rebuild.")
        gathering = db.session.get(Gathering, row.id)
        host = db.session.scalars(select(User).where(
            User.role == "county_host", User.county_id == gathering.county_id,
            User.active.is_(True)).order_by(User.id)).first()
        open_id = db.session.scalar(select(Gathering.id).where(Gathering.status == "open")
                                    .order_by(Gathering.id))
        _token, raw = create_token(host, "bench/pages.py")
        db.session.commit()
        log(f"gathering {gathering.id} ({gathering.title}, {row.n} registrations), host "
            f"{host.email}")
        return Targets(gathering.id, host.email, open_id, 2025, 2026, raw)


# --- statements per request (in-process) ---------------------------------------------------------

def logins() -> dict[str, str]:
    from eventapp.demo.accounts import DEMO_USERS

    return {"directorate": DEMO_USERS[0][0], "municipal": DEMO_USERS[3][0]}


def count_statements(app, targets: Targets, pages: list[Page]) -> dict[str, tuple[int, int]]:
    """Per page (statements, status) of one request after a first one (caches warm), counted
    with a before_cursor_execute listener (tests/querycount.py)."""
    from eventapp.demo.accounts import DEMO_PASSWORD
    from tests.querycount import statements

    def get(client, url, **kwargs):
        # Each request in a context of its own, as in production: in the app context held
        # here for the counting, requests would share one logged-in user and database session.
        return contextvars.Context().run(client.get, url, **kwargs)

    emails = {**logins(), "host": targets.host_email}
    found = {}
    with app.app_context():
        clients = {}
        for who in {p.who for p in pages}:
            client = app.test_client()
            if who in emails:
                token = CSRF_RE.search(get(client, "/account/login").get_data(as_text=True))
                contextvars.Context().run(client.post, "/account/login", data={
                    "email": emails[who], "password": DEMO_PASSWORD,
                    "csrf_token": token.group(1)})
            clients[who] = client
        for page in pages:
            client = clients[page.who]
            headers = {"Authorization": f"Bearer {targets.token}"} if page.who == "api" else {}
            get(client, page.url, headers=headers)
            with statements() as counted:
                response = get(client, page.url, headers=headers)
            found[page.name] = (counted.n, response.status_code)
    return found


# --- the servers -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(target: str, env: dict, workers: int, threads: int, log_path: Path,
                 extra: tuple = ()):
    port = free_port()
    log_file = open(log_path, "w")  # noqa: SIM115 - closed in stop_server
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", str(workers), "--threads",
         str(threads), "-b", f"127.0.0.1:{port}", "--timeout", "120", *extra, target],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, log_file, f"http://127.0.0.1:{port}"


def wait_ready(proc, base: str, log_path: Path) -> None:
    import requests

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}); see {log_path}")
        try:
            requests.get(base + "/", timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer within 90 s; see {log_path}")




# --- measuring ---------------------------------------------------------------------------------

@dataclass
class Measured:
    one: list[float] = field(default_factory=list)  # ms at 1 client
    floor: list[float] = field(default_factory=list)  # ms of the floor, interleaved with one
    many: list[float] = field(default_factory=list)  # ms at N clients
    rps: float = 0.0
    statuses: dict = field(default_factory=dict)
    kb: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def http_login(base: str, email: str, password: str):
    import requests

    session = requests.Session()
    page = session.get(base + "/account/login", timeout=60)
    token = CSRF_RE.search(page.text)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    answer = session.post(base + "/account/login", timeout=60, allow_redirects=False, data={
        "email": email, "password": password, "csrf_token": token.group(1)})
    if answer.status_code != 302:
        raise SystemExit(f"login as {email} answered {answer.status_code}")
    return session


def session_like(template, token: str | None):
    """A kept-alive client of its own with the same login (one per thread)."""
    import requests

    session = requests.Session()
    if template is not None:
        session.cookies.update(template.cookies)
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    return session


def timed(session, url: str, measured: Measured | None) -> float:
    start = time.perf_counter()
    response = session.get(url, timeout=120, allow_redirects=False)
    elapsed = (time.perf_counter() - start) * 1000
    if measured is not None:
        with measured.lock:
            measured.statuses[response.status_code] = measured.statuses.get(
                response.status_code, 0) + 1
            measured.kb = len(response.content) / 1024
    return elapsed


def measure(base: str, floor: str, page: Page, template, token: str | None, single: int,
            concurrent: int, clients: int) -> Measured:
    measured = Measured()
    one = session_like(template, token)
    bare = session_like(None, None)
    for _ in range(2):  # warm: connections open, templates compiled in both workers
        timed(one, base + page.url, None)
        timed(bare, floor + "/", None)
    for _ in range(single):
        measured.one.append(timed(one, base + page.url, measured))
        measured.floor.append(timed(bare, floor + "/", None))
    left = iter(range(concurrent))
    lock = threading.Lock()

    def client():
        session = session_like(template, token)
        times = []
        while True:
            with lock:
                if next(left, None) is None:
                    return times
            times.append(timed(session, base + page.url, measured))

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for times in pool.map(lambda _i: client(), range(clients)):
            measured.many.extend(times)
    measured.rps = concurrent / (time.perf_counter() - start)
    return measured


def measure_floor(floor: str, concurrent: int, clients: int) -> Measured:
    return measure(floor, floor, Page("floor", "anonymous", "/"), None, None, 0, concurrent,
                   clients)


# --- the table -----------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    from registration_rush import percentile as interpolated

    return interpolated(values, p)


def table(results: list[tuple[Page, int | str, Measured]], floor: Measured,
          clients: int) -> list[str]:
    floor_p50 = percentile([t for _p, _n, m in results for t in m.floor], 50)
    lines = [
        f"| page | SQL statements | KB | p50 1 client | p95 1 client | floor p50 | × floor "
        f"| p50 {clients} clients | p95 {clients} clients | req/s {clients} clients | targets |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page, statements, m in results:
        p50 = percentile(m.one, 50)
        near = percentile(m.floor, 50)
        ratio = p50 / near
        ok = ratio <= FLOOR_MAX_RATIO and m.rps >= MIN_RPS and set(m.statuses) == {200}
        status = "" if set(m.statuses) == {200} else f" HTTP {m.statuses}"
        lines.append(
            f"| {page.name} | {statements} | {m.kb:.0f} | {p50:.1f} ms | "
            f"{percentile(m.one, 95):.1f} ms | {near:.1f} ms | {ratio:.1f} × | "
            f"{percentile(m.many, 50):.0f} ms | {percentile(m.many, 95):.0f} ms | "
            f"{m.rps:.1f} | {'ok' if ok else 'MISSED'}{status} |")
    lines.append(
        f"| *floor* (SELECT 1 + a small template) | 1 | {floor.kb:.0f} | {floor_p50:.1f} ms | "
        f"{percentile([t for _p, _n, m in results for t in m.floor], 95):.1f} ms | | 1.0 × | "
        f"{percentile(floor.many, 50):.0f} ms | {percentile(floor.many, 95):.0f} ms | "
        f"{floor.rps:.1f} | |")
    return lines


# --- main ---------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="eventapp_bench",
                        help=f"database name on {DEFAULT_SERVER} (default eventapp_bench)")
    parser.add_argument("--database-url", help="the whole URL instead (or BENCH_DATABASE_URL)")
    parser.add_argument("--rebuild", action="store_true", help="drop the database and build anew")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="people per generated gathering, times about 90")
    parser.add_argument("--requests", type=int, default=25,
                        help="requests per page at 1 client (each followed by one to the floor)")
    parser.add_argument("--concurrent-requests", type=int, default=300,
                        help="requests per page at --clients clients (enough that a slow "
                             "second of the machine does not decide a page)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--quick", action="store_true",
                        help="8 requests at 1 client and 40 at 20 clients per page")
    parser.add_argument("--only", help="measure only the pages whose name contains this")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.concurrent_requests = 8, 40

    url = database_url(args)
    ensure_database(url, args.rebuild)
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    app = make_app(url, tmp)
    build_or_reuse(app, args.seed, args.scale)
    started = time.monotonic()
    vacuum(url)
    log(f"vacuumed and analysed in {time.monotonic() - started:.0f} s")
    targets = find_targets(app)
    pages = [p for p in targets.pages() if not args.only or args.only in p.name]
    counts = count_statements(app, targets, pages)
    with app.app_context():
        from eventapp.extensions import db

        db.engine.dispose()

    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY,
           "MAIL_TRANSPORT": "file", "MAIL_FILE_DIR": str(tmp / "mail"),
           "RATELIMIT_STORAGE_URI": "memory://", "MATERIALS_DIR": str(tmp / "materials"),
           "FLOOR_DATABASE_URL": url}
    servers = [start_server("wsgi:app", env, args.workers, args.threads, tmp / "app.log"),
               start_server("pages:floor_app()", env, args.workers, args.threads,
                            tmp / "floor.log", ("--pythonpath", str(BENCH)))]
    try:
        for (proc, _f, base), name in zip(servers, ("app.log", "floor.log"), strict=True):
            wait_ready(proc, base, tmp / name)
        base, floor = servers[0][2], servers[1][2]
        from eventapp.demo.accounts import DEMO_PASSWORD

        sessions = {who: http_login(base, email, DEMO_PASSWORD)
                    for who, email in {**logins(), "host": targets.host_email}.items()}
        floor_alone = measure_floor(floor, args.concurrent_requests, args.clients)
        results = []
        for page in pages:
            log(f"{page.name}: {page.url}")
            measured = measure(base, floor, page, sessions.get(page.who),
                               targets.token if page.who == "api" else None, args.requests,
                               args.concurrent_requests, args.clients)
            n, status = counts[page.name]
            results.append((page, n if status == 200 else f"{n} (HTTP {status})", measured))
    finally:
        for proc, log_file, _base in servers:
            served.stop(proc, log_file)

    print(f"\nPages on the scaled data set: gunicorn {args.workers} workers × {args.threads} "
          f"threads (gthread) on PostgreSQL; {args.requests} requests per page at 1 client "
          f"(each followed by one to the floor), {args.concurrent_requests} at {args.clients} "
          f"clients; {os.cpu_count()} CPUs.\n")
    print("\n".join(table(results, floor_alone, args.clients)))
    missed = [page.name for page, _n, m in results
              if percentile(m.one, 50) / percentile(m.floor, 50) > FLOOR_MAX_RATIO
              or m.rps < MIN_RPS or set(m.statuses) != {200}]
    print(f"\nTargets: every page within {FLOOR_MAX_RATIO} × the floor at p50 with 1 client, "
          f"none under {MIN_RPS} requests/s at {args.clients} clients.")
    heavy = [f"{page.name} ({m.kb:.0f} KB)" for page, _n, m in results if m.kb > MAX_KB]
    print(f"Pages over {MAX_KB} KB (issue 20, item 2): {', '.join(heavy) or 'none'}.")
    print("result: PASS" if not missed else f"result: {len(missed)} missed: {', '.join(missed)}")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
