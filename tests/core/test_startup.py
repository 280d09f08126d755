"""The app starts without the libraries only some pages or commands need: each is imported
where it is used (bench/startup.py measures the time this saves)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Spreadsheets, charts, QR codes, calendars, PDFs and their charts, migrations, the API's test
# tool, checking email addresses: none is needed to build the app or to answer most requests.
HEAVY = ("openpyxl", "plotly", "segno", "icalendar", "weasyprint", "kaleido", "alembic",
         "flask_migrate", "schemathesis", "email_validator")

PROBE = f"""
import json, sys
from eventapp import create_app
create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "probe"}})
print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))
"""


def test_heavy_libraries_are_not_imported_at_start():
    # A fresh interpreter: the test run itself has imported them all long ago.
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_migration_commands_still_work(tmp_path):
    # Flask-Migrate (and alembic with it) loads when a `flask db` command runs.
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "eventapp", "db", "heads"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PATH": "", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
                               "SECRET_KEY": "probe"})
    assert done.returncode == 0, done.stderr
    assert "(head)" in done.stdout


def test_the_start_leaves_what_it_made_out_of_collections():
    # Every process that builds the app, a `flask` command or a test run as much as the served
    # one: no collection walks the start's objects again, not even the interpreter's at exit.
    probe = ("import gc, json; from eventapp import create_app; "
             "create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'probe'}); "
             "print(json.dumps([gc.get_freeze_count(), len(gc.get_objects()), gc.isenabled()]))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    frozen, tracked, collecting = json.loads(done.stdout.strip().splitlines()[-1])
    assert frozen > 100_000 and tracked < frozen / 10
    assert collecting


def test_the_served_app_leaves_what_the_start_made_out_of_collections(tmp_path):
    # gunicorn imports wsgi.py in each worker; its long-lived objects stay frozen and young
    # ones are collected less often, so a request's collections are few and do not walk the
    # start's objects again (bench/pages.py measures the pauses saved).
    probe = ("import gc, json, wsgi; "
             "print(json.dumps([gc.get_freeze_count(), gc.get_threshold()[0], len(gc.get_objects())]))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={"PATH": "", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
                               "SECRET_KEY": "probe"})
    assert done.returncode == 0, done.stderr
    frozen, threshold, tracked = json.loads(done.stdout.strip().splitlines()[-1])
    assert frozen > 100_000 and tracked < frozen / 10
    assert threshold == 10_000
