"""Does the time of a login or a reset request tell whether an account exists?

Medians of N wrong-password logins for a known and for an unknown email, and of N password
reset requests for each, through the app's own views (Flask's test client, so no network
timing in between) with the real argon2 parameters, not the tests' fast ones.

    python bench/login_timing.py [-n 15] [--reset-n 60] [--database-url URL]

The database is SQLite in a temporary file unless --database-url (or BENCH_DATABASE_URL)
names another; its schema is built by the migrations. Rate limits are off for the run (CSRF
is on: the form's token is read once). The requests are interleaved (known, unknown, known,
...) so that a slower moment of the machine falls on both. Exit status 1 if a pair of medians
differs by more than --tolerance (default 25 %).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KNOWN = "kjent.bruker@example.no"
UNKNOWN = "ukjent.bruker@example.no"
PASSWORD = "Fjord-kaffe-tavle-9"  # noqa: S105 - a bench account's password


def build_app(database_url: str, tmp: Path):
    from flask_migrate import upgrade

    from eventapp import create_app
    from eventapp.extensions import db

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "bench-secret-key",
        "MAIL_TRANSPORT": "file",
        "MAIL_FILE_DIR": str(tmp / "mail"),
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_FAST": False,
    })
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        from eventapp.accounts.services import create_user

        create_user(email=KNOWN, name="Kjent Bruker", role="directorate", password=PASSWORD)
        db.session.commit()
    return app


def csrf_token(client) -> str:
    page = client.get("/account/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def timed(client, url: str, data: dict) -> float:
    start = time.perf_counter()
    response = client.post(url, data=data)
    elapsed = time.perf_counter() - start
    if response.status_code >= 500:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed * 1000


def medians(client, url: str, make_data, n: int) -> tuple[float, float]:
    known, unknown = [], []
    timed(client, url, make_data(KNOWN))  # warm up: templates, caches, the first argon2 run
    timed(client, url, make_data(UNKNOWN))
    for _ in range(n):
        known.append(timed(client, url, make_data(KNOWN)))
        unknown.append(timed(client, url, make_data(UNKNOWN)))
    return statistics.median(known), statistics.median(unknown)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15, help="logins of each kind (default 15)")
    parser.add_argument("--reset-n", type=int, default=60, help="reset requests of each kind")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--tolerance", type=float, default=0.25)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite'}"
        app = build_app(url, tmp)
        client = app.test_client()
        token = csrf_token(client)
        login = medians(client, "/account/login", lambda email: {
            "email": email, "password": "Feil-passord-123456", "csrf_token": token}, args.n)
        reset = medians(client, "/account/reset",
                        lambda email: {"email": email, "csrf_token": token}, args.reset_n)

    print("Login and reset timing (median ms, real argon2 parameters)")
    print(f"{'':28}{'known email':>14}{'unknown email':>16}{'ratio':>8}")
    failed = False
    for name, (known, unknown), n in (("login, wrong password", login, args.n),
                                      ("reset request", reset, args.reset_n)):
        ratio = unknown / known
        print(f"{name + f' (n={n})':28}{known:14.1f}{unknown:16.1f}{ratio:8.2f}")
        failed |= abs(ratio - 1) > args.tolerance
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
