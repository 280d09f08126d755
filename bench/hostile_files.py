"""Hostile files against the contact import: seconds and peak memory to read each.

    python bench/hostile_files.py [--cap-mb 3000] [--timeout 120]

Each file is read by the import's own reader in a fresh interpreter, under an address-space cap
(RLIMIT_AS, so that a reader that pads a declared A1:XFD1048576 dies of MemoryError instead of
taking the machine) and a timeout. Per file: what came of it (rows read, or the refusal), the
seconds, the peak of Python's allocations while reading (tracemalloc) and the process's peak
resident size (VmHWM, the interpreter and the app included).

The files are those of tests/invitations/test_hostile_files.py, built with zipfile: a 1.5 KB
workbook declaring A1:XFD1048576 with a cell in that far corner (the one that grew a worker to
1.66 GB), the same declaration with cells only at the top, and one that unpacks to 200 MB; and
a CSV with a 200 KB field. Exit status 1 if any takes a second or more or 100 MB or more.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.invitations.test_hostile_files import HEADER, KARI, hostile_xlsx  # noqa: E402

READER = """
import json, resource, sys, time, tracemalloc
cap = int(sys.argv[3]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from eventapp import create_app
from eventapp.config import TestConfig
from eventapp.core.errors import DomainError
from eventapp.invitations.services.contact_import import _rows_from_table, _table_rows

class Config(TestConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SECRET_KEY = "bench"

    @classmethod
    def from_env(cls):
        return {}

data = open(sys.argv[1], "rb").read()
outcome = {}
with create_app(Config).test_request_context(headers={"Accept-Language": "en"}):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        rows, _optional = _rows_from_table(_table_rows(sys.argv[2], data))
        outcome["result"] = f"{len(rows)} row(s) read"
    except DomainError as exc:
        outcome["result"] = "refused: " + exc.message
    except MemoryError:
        outcome["result"] = "MemoryError"
    except Exception as exc:
        outcome["result"] = f"{type(exc).__name__}: {exc}"
    outcome["seconds"] = time.perf_counter() - started
    outcome["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
# The peak resident size of this process since it started (ru_maxrss would carry the parent's
# over from before exec).
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
outcome["rss_mb"] = int(hwm.split()[1]) / 1024
print(json.dumps(outcome))
"""


def files() -> list[tuple[str, str, bytes]]:
    return [
        ("xlsx declaring A1:XFD1048576, a cell in that corner", "kontakter.xlsx", hostile_xlsx()),
        ("xlsx declaring A1:XFD1048576, cells at the top only", "kontakter.xlsx",
         hostile_xlsx(rows={1: HEADER, 2: KARI})),
        ("xlsx unpacking to 200 MB", "kontakter.xlsx", hostile_xlsx(padding=200_000_000)),
        ("csv with a 200 KB field", "kontakter.csv",
         ("kommunenummer,navn,e-post\n4601,Kari," + "x" * 200_000 + "@bergen.no\n").encode()),
    ]


def read(name: str, data: bytes, cap_mb: int, timeout: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            done = subprocess.run([sys.executable, "-c", READER, str(path), name, str(cap_mb)],
                                  capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                                  check=False)
        except subprocess.TimeoutExpired:
            return {"result": f"still reading after {timeout} s", "seconds": float(timeout)}
    lines = done.stdout.strip().splitlines()
    if not lines:
        return {"result": "died: " + (done.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(lines[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap-mb", type=int, default=3000,
                        help="address-space cap of each reader (default 3000)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per file (default 120)")
    args = parser.parse_args()
    bad = False
    print(f"{'file':54} {'bytes':>8} {'seconds':>8} {'peak MB':>8} {'RSS MB':>7}  result")
    for label, name, data in files():
        outcome = read(name, data, args.cap_mb, args.timeout)
        seconds, peak = outcome.get("seconds"), outcome.get("peak_mb")
        bad |= seconds is None or seconds >= 1 or peak is None or peak >= 100
        print(f"{label:54} {len(data):8d} {_num(seconds):>8} {_num(peak):>8} "
              f"{_num(outcome.get('rss_mb')):>7}  {outcome['result'][:90]}")
    return 1 if bad else 0


def _num(value) -> str:
    return "-" if value is None else f"{value:.2f}" if value < 10 else f"{value:.0f}"


if __name__ == "__main__":
    sys.exit(main())
