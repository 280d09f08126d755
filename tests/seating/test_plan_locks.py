"""The solver never holds a lock (issue 15, item 5): registrations go on while a plan is being
made, and a plan solved from people who have since changed is not written."""

import threading

import pytest
from sqlalchemy import text

from eventapp.core.errors import Conflict
from eventapp.extensions import db as _db
from eventapp.registration.models import Registration
from eventapp.registration.services import cancel
from eventapp.seating import services, solver
from tests.seating import world as W


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("SQLite has no row locks to hold or not to hold")


@pytest.fixture
def w(db, make_user, make_gathering):
    w = W.build(make_user, make_gathering)
    W.setup_plan(w)
    return w


def _meanwhile(app, monkeypatch, work):
    """Run ``work`` on a second connection while the solver runs; returns what it saw."""
    seen = {}
    real = solver.solve

    def solve(instance):
        def other():
            with app.app_context():
                try:
                    seen["result"] = work()
                    _db.session.commit()
                except Exception as exc:  # noqa: BLE001 - the test judges it
                    _db.session.rollback()
                    seen["error"] = exc
                finally:
                    _db.session.remove()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(20)
        seen["finished"] = not thread.is_alive()
        return real(instance)

    monkeypatch.setattr(services.solver, "solve", solve)
    return seen


def test_while_the_solver_runs_the_gathering_is_not_locked(app, db, w, monkeypatch):
    gid = w["gathering"].id

    def lock_the_gathering_at_once():
        return _db.session.execute(text(
            "SELECT id FROM gatherings WHERE id = :id FOR NO KEY UPDATE NOWAIT"), {"id": gid}
        ).scalar()

    seen = _meanwhile(app, monkeypatch, lock_the_gathering_at_once)
    services.plan(w["gathering"], w["host"])
    db.session.commit()

    assert seen.get("error") is None, seen.get("error")
    assert seen["result"] == gid
    assert W.seat_count(w["gathering"]) > 0


def test_a_plan_solved_from_people_who_changed_meanwhile_is_not_written(app, db, w, monkeypatch):
    gone = w["people"]["M3"].id
    seen = _meanwhile(app, monkeypatch,
                      lambda: cancel(_db.session.get(Registration, gone), w["host"]) and None)

    with pytest.raises(Conflict) as refused:
        services.plan(w["gathering"], w["host"])
    db.session.rollback()

    assert seen["finished"] and seen.get("error") is None, seen
    assert "Make the plan again" in refused.value.message or \
        "Lag bordplanen på nytt" in refused.value.message
    assert W.seat_count(w["gathering"]) == 0
    # Planned again, it holds the people as they are now.
    services.plan(w["gathering"], w["host"])
    db.session.commit()
    assert W.seat_count(w["gathering"]) > 0
