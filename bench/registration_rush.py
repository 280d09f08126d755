"""The registration rush: hundreds of people from every municipality register at once.

Sets up a fresh PostgreSQL database (migrations, places, one county host, API token and open
gathering per county), starts the app with gunicorn on 127.0.0.1, fires createRegistration
requests from a thread pool released together by a barrier, stops the app and checks in the
database that no municipality has more confirmed people than its cap and that nobody was lost.

    python bench/registration_rush.py [--people 700] [--threads 64] [--workers 4] [--keep]

Exit status 0 when every request got a 201 and every check holds, 1 otherwise. See README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))  # the benchmarks' shared helpers
import served  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/eventapp_bench"
PASSWORD = "Bench-rush-2026!"  # noqa: S105 - a throwaway account in a throwaway database
SECRET_KEY = "registration-rush-bench-secret-key-not-for-production"  # noqa: S105
ROLES = ("leader", "programme_adviser", "career_counsellor")
OSLO = ZoneInfo("Europe/Oslo")
# A real gathering's two days (the demo's have 21 items): every confirmation carries the whole
# programme as a calendar file, so its size is part of what a registration costs.
PROGRAMME_ITEMS_PER_DAY = 10

# Relative weights of units j % 8: a quarter of them (j % 4 == 0) want 3-4 places, more than the
# default cap of 2, so their waitlists fill; the rest want 1-2. Mean 1.875 per unit.
SPREAD_PATTERN = (4, 1, 2, 1, 3, 2, 1, 1)


# --- pure helpers (tested in tests/registration/test_bench.py) --------------------------------

def spread_counts(people: int, units: int, pattern: tuple[int, ...] = SPREAD_PATTERN) -> list[int]:
    """How many people each unit sends: proportional to pattern[j % len(pattern)], summing to
    exactly ``people``. The people left over after rounding down go one each to the units with
    the fewest (then the largest remainder, then the lower index), so a busy unit is not made
    busier. Deterministic."""
    if units <= 0:
        raise ValueError("need at least one unit")
    if people < 0:
        raise ValueError("people must not be negative")
    weights = [pattern[j % len(pattern)] for j in range(units)]
    total = sum(weights)
    quotas = [people * w / total for w in weights]
    counts = [int(q) for q in quotas]
    rest = people - sum(counts)
    while rest > 0:
        order = sorted(range(units), key=lambda j: (counts[j], -(quotas[j] - counts[j]), j))
        for j in order[:rest]:
            counts[j] += 1
        rest = people - sum(counts)
    return counts


def spread(people: int, units: int, pattern: tuple[int, ...] = SPREAD_PATTERN) -> list[int]:
    """The unit of each person, in sending order: a unit's people are next to each other, so
    the threads race for the same municipality's last place."""
    return [j for j, n in enumerate(spread_counts(people, units, pattern)) for _ in range(n)]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def interleave(groups: list[list]) -> list:
    """Round-robin over the groups, each group's items in their own order: [a1, b1, a2, b2, ...]."""
    out: list = []
    for k in range(max((len(g) for g in groups), default=0)):
        out.extend(g[k] for g in groups if k < len(g))
    return out


def expected_confirmed(counts: list[int], cap: int) -> int:
    """How many should be confirmed when each unit may confirm at most ``cap``."""
    return sum(min(n, cap) for n in counts)


# --- setup -------------------------------------------------------------------------------------

def log(msg: str) -> None:
    print(f"[rush {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def split_url(url: str):
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() != "postgresql":
        raise SystemExit("The benchmark needs PostgreSQL (--database-url postgresql+psycopg://...).")
    return u.set(drivername="postgresql+psycopg"), u.database


def recreate_database(url) -> None:
    from sqlalchemy import create_engine, text

    name = url.database
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop database {name!r}: its name must contain 'bench'.")
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def drop_database(url) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    finally:
        engine.dispose()


def flask(env: dict, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "flask", "--app", "eventapp", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def host_token(env: dict, county_number: str) -> str:
    email = f"host-{county_number}@bench.example.no"
    flask(env, "users", "create", "--email", email, "--password", PASSWORD, "--role",
          "county_host", "--county", county_number, "--name", f"Bench host {county_number}")
    out = flask(env, "tokens", "create", "--email", email, "--name", "registration rush")
    return out.strip().splitlines()[-1].strip()


def registration_units(url) -> dict[str, list[str]]:
    """county number -> the numbers people register under: the county's municipalities, with
    Oslo's city districts in place of Oslo (as the app's registration_units does)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT c.number, m.number FROM municipalities m JOIN counties c ON c.id = m.county_id"
                " WHERE m.active AND NOT EXISTS (SELECT 1 FROM municipalities d"
                "   WHERE d.parent_id = m.id AND d.active)"
                " ORDER BY c.number, m.number")).all()
            municipalities = conn.scalar(text(
                "SELECT count(*) FROM municipalities WHERE kind = 'municipality' AND active"))
    finally:
        engine.dispose()
    units: dict[str, list[str]] = {}
    for county, number in rows:
        units.setdefault(county, []).append(number)
    units["_municipalities"] = [str(municipalities)]
    return units


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, method: str, path: str, token: str, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + "/api/v1" + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json",
        "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - 127.0.0.1 only
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def start_app(env: dict, port: int, workers: int, threads: int, log_path: Path):
    log_file = open(log_path, "w")  # noqa: SIM115 - closed in stop_app
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
         "-b", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log_file.close()
            raise SystemExit(f"gunicorn exited ({proc.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(base + "/", timeout=2):  # noqa: S310
                pass
            return proc, log_file, base
        except urllib.error.HTTPError:
            return proc, log_file, base  # it answers, whatever the status
        except OSError:
            time.sleep(0.3)
    served.stop(proc, log_file)
    raise SystemExit(f"gunicorn did not answer within 60 s; see {log_path}")




# --- the rush ----------------------------------------------------------------------------------

@dataclass
class Result:
    index: int
    status: int
    seconds: float
    reg_status: str | None = None
    error: str | None = None


@dataclass
class Rush:
    results: list[Result] = field(default_factory=list)
    wall: float = 0.0


def rush(port: int, jobs: list[tuple[int, str, dict]], threads: int) -> Rush:
    """Send every job (gathering id, token, body) from ``threads`` threads released together."""
    work: queue.Queue = queue.Queue()
    for i, job in enumerate(jobs):
        work.put((i, job))
    results: list[Result] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def worker():
        barrier.wait(60)
        while True:
            try:
                i, (gathering_id, token, body) = work.get_nowait()
            except queue.Empty:
                return
            payload = json.dumps(body)
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            try:
                conn.request("POST", f"/api/v1/gatherings/{gathering_id}/registrations", payload,
                             {"Authorization": f"Bearer {token}",
                              "Content-Type": "application/json", "Accept": "application/json"})
                resp = conn.getresponse()
                raw = resp.read()
                elapsed = time.perf_counter() - started
                result = Result(i, resp.status, elapsed)
                if resp.status == 201:
                    result.reg_status = json.loads(raw).get("status")
                else:
                    result.error = raw[:300].decode(errors="replace")
            except Exception as exc:  # noqa: BLE001 - counted and reported, never hidden
                result = Result(i, 0, time.perf_counter() - started, error=repr(exc))
            finally:
                conn.close()
            with lock:
                results.append(result)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait(60)
    started = time.perf_counter()
    for t in pool:
        t.join(600)
    out = Rush(results=sorted(results, key=lambda r: r.index), wall=time.perf_counter() - started)
    return out


def cap_check(url, gathering_ids: list[int]) -> dict:
    """Ask the database, after a rush, for every unit's confirmed count against its cap in
    ``gathering_ids``."""
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(url)
    ids = bindparam("ids", expanding=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT r.gathering_id, m.number, coalesce(gm.cap, g.municipal_cap) AS cap,"
                "  count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,"
                "  count(*) FILTER (WHERE r.status = 'waitlisted') AS waitlisted"
                " FROM registrations r JOIN gatherings g ON g.id = r.gathering_id"
                " JOIN municipalities m ON m.id = r.municipality_id"
                " LEFT JOIN gathering_municipalities gm"
                "   ON gm.gathering_id = r.gathering_id AND gm.municipality_id = r.municipality_id"
                " WHERE r.gathering_id IN :ids"
                " GROUP BY r.gathering_id, m.number, gm.cap, g.municipal_cap").bindparams(ids),
                {"ids": gathering_ids}).all()
            statuses = dict(conn.execute(text(
                "SELECT status, count(*) FROM registrations WHERE gathering_id IN :ids"
                " GROUP BY status").bindparams(ids), {"ids": gathering_ids}).all())
    finally:
        engine.dispose()
    over = [(n, c, cap) for _g, n, cap, c, _w in rows if c > cap]
    # A unit with people waiting must have all its places taken (no place left unused).
    unused = [(n, c, cap) for _g, n, cap, c, w in rows if w > 0 and c < cap]
    return {"rows": rows, "over": over, "unused": unused, "statuses": statuses,
            "confirmed": sum(r[3] for r in rows), "waitlisted": sum(r[4] for r in rows)}


@dataclass
class Round:
    """One rush against its own 15 gatherings, with or without a venue capacity."""

    name: str
    capacity: int | None
    people: int
    outcome: Rush | None = None
    check: dict | None = None
    counts: list[int] = field(default_factory=list)


def open_gatherings(base: str, tokens: dict, name: str, capacity: int | None) -> dict[str, int]:
    """One open gathering per county (createGathering, then updateGathering)."""
    start = date.today() + timedelta(days=60)
    gatherings: dict[str, int] = {}
    for county, token in tokens.items():
        status, body = api(base, "POST", "/gatherings", token, {
            "county_number": county, "title": f"Registration rush {county} ({name})",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=1)).isoformat(), "venue": "Bench hall"})
        if status != 201:
            raise SystemExit(f"createGathering for county {county}: {status} {body}")
        gid = body["id"]
        for day in (start, start + timedelta(days=1)):
            for n in range(PROGRAMME_ITEMS_PER_DAY):
                begins = datetime.combine(day, dtime(9), OSLO) + timedelta(minutes=45 * n)
                status, item = api(base, "POST", f"/gatherings/{gid}/programme", token, {
                    "starts_at": begins.isoformat(),
                    "ends_at": (begins + timedelta(minutes=40)).isoformat(), "kind": "talk",
                    "title": f"Innlegg {n + 1}: karriereveiledning for flyktninger",
                    "description": "Erfaringer fra kommunene og fylkeskommunen. " * 6})
                if status != 201:
                    raise SystemExit(f"createProgrammeItem {gid}: {status} {item}")
        change = {"status": "open"} | ({"capacity": capacity} if capacity else {})
        status, body = api(base, "PATCH", f"/gatherings/{gid}", token, change)
        if status != 200:
            raise SystemExit(f"updateGathering {body} {change}: {status} {body}")
        gatherings[county] = body["id"]
    return gatherings


def jobs_for(gatherings: dict[str, int], tokens: dict, units: dict, people: int, prefix: str):
    """Every registration of a round, and how many each unit sends."""
    counties = sorted(gatherings)
    flat = [(county, number) for county in counties for number in units[county]]
    assignment = spread(people, len(flat))
    per_county: dict[str, list] = {county: [] for county in counties}
    for i, unit in enumerate(assignment):
        county, number = flat[unit]
        per_county[county].append((gatherings[county], tokens[county], {
            "name": f"Rush person {i}", "email": f"{prefix}-{i}@bench.example.no",
            "organisation": {"kind": "district" if len(number) == 6 else "municipality",
                             "number": number},
            "role": ROLES[i % len(ROLES)], "days": [1, 2], "attends_dinner": i % 2 == 0,
        }))
    # All counties' hosts at once; a municipality's people stay close in the queue, so they are
    # in flight together and race for its last place.
    return interleave([per_county[c] for c in counties]), spread_counts(people, len(flat))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=700)
    parser.add_argument("--threads", type=int, default=64, help="client threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--app-threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_DATABASE_URL),
                        help="PostgreSQL database to (re)create; its name must contain 'bench'")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if args.people < 1 or args.threads < 1 or args.workers < 1 or args.app_threads < 1:
        parser.error("--people, --threads, --workers and --app-threads must be at least 1")

    url, _name = split_url(args.database_url)
    url_text = url.render_as_string(hide_password=False)
    tmp = Path(tempfile.mkdtemp(prefix="registration-rush-"))
    env = {**os.environ, "DATABASE_URL": url_text, "SECRET_KEY": SECRET_KEY,
           "MAIL_TRANSPORT": "file", "MAIL_FILE_DIR": str(tmp / "mail"),
           "RATELIMIT_STORAGE_URI": "memory://", "FLASK_APP": "eventapp"}
    env.pop("FLASK_DEBUG", None)
    # The capacity is never reached: it only makes every registration count the gathering's
    # head count as well as its municipality's places, which is what the comparison measures.
    rounds = [Round("warm-up", None, min(args.people, 100)),
              Round("no capacity", None, args.people),
              Round("capacity", args.people * 10, args.people)]
    finished = False
    try:
        log(f"creating database {url.database} on {url.host}:{url.port or 5432}")
        recreate_database(url)
        flask(env, "db", "upgrade")
        flask(env, "places", "load")
        units = registration_units(url)
        municipality_count = int(units.pop("_municipalities")[0])
        counties = sorted(units)
        log(f"{len(counties)} counties, {municipality_count} municipalities, "
            f"{sum(len(v) for v in units.values())} registration units (Oslo by city district)")

        log("creating a county host and API token per county")
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(8) as ex:
            tokens = dict(zip(counties, ex.map(lambda c: host_token(env, c), counties),
                              strict=True))

        port = free_port()
        proc, log_file, base = start_app(env, port, args.workers, args.app_threads,
                                         tmp / "gunicorn.log")
        try:
            log(f"app up at {base} ({args.workers} workers x {args.app_threads} threads)")
            for n, rnd in enumerate(rounds):
                gatherings = open_gatherings(base, tokens, rnd.name, rnd.capacity)
                jobs, rnd.counts = jobs_for(gatherings, tokens, units, rnd.people, f"r{n}")
                log(f"{rnd.name}: {len(jobs)} registrations from {args.threads} threads "
                    f"(capacity {rnd.capacity or 'none'})")
                rnd.outcome = rush(port, jobs, args.threads)
                rnd.check = cap_check(url, list(gatherings.values()))
        finally:
            served.stop(proc, log_file)
            log("app stopped")
        finished = True
    finally:
        if not args.keep:
            try:
                drop_database(url)
            except Exception as exc:  # noqa: BLE001 - report, do not mask the real outcome
                log(f"could not drop {url.database}: {exc}")
        if finished and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"gunicorn log and mail files kept in {tmp}")

    return report(args, rounds[1:], municipality_count)


# A venue capacity makes every registration of a gathering count its head count, one at a
# time; the rush with one must keep within this share of the rush without.
CAPACITY_RATIO = 0.85


def _figures(rnd: Round) -> dict:
    results = rnd.outcome.results
    latencies_ms = [r.seconds * 1000 for r in results]
    by_status: dict = {}
    for r in results:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    return {
        "throughput": len(results) / rnd.outcome.wall if rnd.outcome.wall else 0.0,
        "p50": percentile(latencies_ms, 50), "p95": percentile(latencies_ms, 95),
        "max": max(latencies_ms), "statuses": dict(sorted(by_status.items())),
        "confirmed": sum(r.reg_status == "confirmed" for r in results),
        "waitlisted": sum(r.reg_status == "waitlisted" for r in results),
    }


def report(args, rounds: list[Round], municipality_count: int) -> int:
    cap = 2
    figures = [_figures(rnd) for rnd in rounds]
    counts = rounds[0].counts
    print()
    print("Registration rush")
    print("=================")
    print(f"people             {args.people} per round from {sum(n > 0 for n in counts)} "
          f"registration units ({municipality_count} municipalities, Oslo by city district)")
    print(f"spread             {sum(n >= 3 for n in counts)} units send 3-4 people, "
          f"{sum(n > cap for n in counts)} more than the cap of {cap}")
    print(f"client threads     {args.threads}; gunicorn {args.workers} workers x "
          f"{args.app_threads} threads")
    print()
    print(f"{'':19}" + "".join(f"{rnd.name + (f' {rnd.capacity}' if rnd.capacity else ''):>22}"
                               for rnd in rounds))
    rows = [
        ("wall time", [f"{rnd.outcome.wall:.2f} s" for rnd in rounds]),
        ("throughput", [f"{f['throughput']:.1f} /s" for f in figures]),
        ("latency p50", [f"{f['p50']:.0f} ms" for f in figures]),
        ("latency p95", [f"{f['p95']:.0f} ms" for f in figures]),
        ("latency max", [f"{f['max']:.0f} ms" for f in figures]),
        ("HTTP statuses", [str(f["statuses"]) for f in figures]),
        ("responses", [f"{f['confirmed']} conf / {f['waitlisted']} wait" for f in figures]),
        ("database", [f"{rnd.check['statuses'].get('confirmed', 0)} conf / "
                      f"{rnd.check['statuses'].get('waitlisted', 0)} wait" for rnd in rounds]),
    ]
    for label, values in rows:
        print(f"{label:19}" + "".join(f"{v:>22}" for v in values))
    ratio = figures[1]["throughput"] / figures[0]["throughput"] if figures[0]["throughput"] else 0
    print(f"\nwith a capacity    {ratio:.2f} x the throughput without")
    print()

    ok = True
    for rnd in rounds:
        results, check = rnd.outcome.results, rnd.check
        failures = [r for r in results if r.status != 201]
        want = expected_confirmed(rnd.counts, cap)
        checks = [
            (not failures and len(results) == rnd.people,
             f"every request got 201: {len(results) - len(failures)}/{rnd.people}"),
            (not check["over"], f"municipalities over their cap: {len(check['over'])}"),
            (check["confirmed"] + check["waitlisted"] == rnd.people,
             f"none lost: confirmed {check['confirmed']} + waitlisted {check['waitlisted']} = "
             f"{check['confirmed'] + check['waitlisted']} of {rnd.people}"),
            (not check["unused"] and check["confirmed"] == want,
             f"no place left unused: confirmed {check['confirmed']}, expected {want}"),
        ]
        for passed, text in checks:
            print(f"[{'ok' if passed else 'FAIL'}] {rnd.name}: {text}")
            ok = ok and passed
        for r in failures[:10]:
            print(f"  request {r.index}: status {r.status} {r.error}")
        for number, confirmed, unit_cap in check["over"][:10]:
            print(f"  {number}: {confirmed} confirmed, cap {unit_cap}")
    within = ratio >= CAPACITY_RATIO
    print(f"[{'ok' if within else 'FAIL'}] with a capacity within {1 - CAPACITY_RATIO:.0%} of "
          f"without: {ratio:.2f}")
    ok = ok and within
    print("\nresult: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
