"""How long the app takes to start, next to a bare Flask + Flask-SQLAlchemy app.

Each run is a fresh Python process that imports the app and builds it with ``create_app()``
(what a gunicorn worker, a ``flask`` command or a test run pays once); the figure is the
process's wall time from start to exit, the median of N runs, the two apps' runs interleaved so
a slower moment of the machine falls on both. One run of each comes first and is not counted
(it fills the OS file cache, writes the byte-code caches and, on a fresh checkout, builds the
static files' compressed copies in the instance folder: core/assets.py).

    python bench/startup.py [-n 7] [--imports 25]

``--imports N`` also prints the N slowest imports of one start (``python -X importtime``,
cumulative), to see what a start pays for.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

APP = """
from eventapp import create_app
create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench"})
"""

# The floor: the framework and the database layer the app is built on, and nothing else.
BARE = """
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
app = Flask(__name__)
app.config.update(SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY="bench")
db = SQLAlchemy(app)
@app.get("/")
def index():
    return "ok"
"""


def run(code: str, *flags: str) -> tuple[float, str]:
    # Byte-code caching on, as on a server: the uncounted first run writes the .pyc files.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *flags, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stderr


def slowest_imports(count: int) -> list[tuple[int, str]]:
    """(cumulative microseconds, module) of the slowest top-level imports of one start."""
    _elapsed, log = run(APP, "-X", "importtime")
    rows = []
    for line in log.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative, name = line[len("import time:"):].split("|")
        rows.append((int(cumulative), name[1:]))  # the name keeps its indent
    # Nested imports are indented under their parent: list only the outermost ones, whose
    # cumulative times add up to the whole.
    top = [(micros, name) for micros, name in rows if not name.startswith(" ")]
    return sorted(top, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=7, help="runs of each app (default 7)")
    parser.add_argument("--imports", type=int, default=0, metavar="N",
                        help="also print the N slowest imports of one start")
    args = parser.parse_args()

    run(APP)
    run(BARE)
    app, bare = [], []
    for _ in range(args.n):
        app.append(run(APP)[0])
        bare.append(run(BARE)[0])
    app_median, bare_median = statistics.median(app), statistics.median(bare)
    print(f"start to ready, median of {args.n} fresh processes:")
    print(f"  eventapp create_app()      {app_median:6.2f} s  (min {min(app):.2f}, max {max(app):.2f})")
    print(f"  bare Flask + SQLAlchemy    {bare_median:6.2f} s  (min {min(bare):.2f}, max {max(bare):.2f})")
    print(f"  ratio                      {app_median / bare_median:6.2f} ×")
    if args.imports:
        print("\nslowest imports of one start (cumulative, python -X importtime):")
        for micros, name in slowest_imports(args.imports):
            print(f"  {micros / 1000:8.1f} ms  {name}")


if __name__ == "__main__":
    main()
