"""Counting the SQL statements a request runs (issue 20: a fixed number of queries per page).

``with statements() as counted: client.get(url)`` then ``counted.n`` is how many statements the
engine ran meanwhile, from any thread (the test client's request, or the live server's), and
``counted.sql`` lists them, so a failing test can print what grew.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

from eventapp.extensions import db


@dataclass
class Counted:
    sql: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def n(self) -> int:
        return len(self.sql)

    def __str__(self) -> str:
        return f"{self.n} statements:\n" + "\n".join(f"  {s[:160]}" for s in self.sql)


@contextmanager
def statements():
    counted = Counted()

    def record(conn, cursor, statement, parameters, context, executemany):
        with counted.lock:
            counted.sql.append(" ".join(statement.split()))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", record)
