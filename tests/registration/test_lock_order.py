"""One lock order for every limit (issue 15, item 1): a limit that changes while people register.

Each test forces one interleaving on PostgreSQL: a second database connection holds a row (or
the change itself holds it, uncommitted) while registrations are under way, or a registration
is paused right after it checked its place. Then it asserts what must hold whatever the timing:
nobody confirmed over the limit that applied when they took the place, no deadlock, no 500,
nobody lost. SQLite serialises every writer, so none of these interleavings can happen there.
"""

import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from eventapp.api.services import create_token
from eventapp.core.errors import ValidationFailed
from eventapp.core.time import utcnow
from eventapp.extensions import db as _db
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.services import change_status, update_gathering
from eventapp.registration import services
from eventapp.registration.models import GatheringMunicipality, Registration
from eventapp.registration.services import RegistrationData, register
from eventapp.registration.services import registering as registering_module

BERGEN = "4601"


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("SQLite serialises every writer: no two transactions ever interleave")


@pytest.fixture
def world(app, db, make_user, make_gathering, places):
    gathering = make_gathering(county="46", start=date.today() + timedelta(days=60),
                               end=date.today() + timedelta(days=61), municipal_cap=2)
    gathering.status = "open"
    host = make_user("county_host", county="46")
    tokens = [create_token(host, name) for name in ("registrations", "caps")]
    # Used just now: the first use of a token writes its row, and requests at once on one
    # token would queue there instead of on the rows under test.
    for token, _raw in tokens:
        token.last_used_at = utcnow()
    raws = [raw for _token, raw in tokens]
    services.cap_row(gathering, places.unit(BERGEN))
    db.session.commit()
    return {"app": app, "id": gathering.id, "host_id": host.id,
            "headers": {"Authorization": f"Bearer {raws[0]}"},
            "cap_headers": {"Authorization": f"Bearer {raws[1]}"}}


# --- forcing the interleavings -----------------------------------------------------------------

class Holder:
    """A second connection that holds a row until ``release``."""

    def __init__(self, sql: str, **params):
        self.conn = _db.engine.connect()
        self.tx = self.conn.begin()
        self.conn.execute(text(sql), params)

    def release(self):
        self.tx.commit()
        self.conn.close()


def lock_waiters() -> int:
    with _db.engine.connect() as conn:
        return conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"))


def wait_for_waiters(n: int, unless=lambda: False, timeout: float = 15) -> None:
    """Until ``n`` transactions wait for a lock (or ``unless()`` holds: the step did not
    wait at all)."""
    deadline = time.monotonic() + timeout
    while lock_waiters() < n and not unless():
        assert time.monotonic() < deadline, f"never {n} waiting for a lock"
        time.sleep(0.02)


class Step(threading.Thread):
    """One request or service call in its own thread, connection and transaction."""

    def __init__(self, app, call, name: str):
        super().__init__(name=name, daemon=True)
        self.app, self.call = app, call
        self.result = self.error = None
        self.finished = threading.Event()

    def run(self):
        try:
            with self.app.app_context():
                try:
                    self.result = self.call()
                    _db.session.commit()
                except Exception as exc:  # noqa: BLE001 - every failure is the test's to judge
                    _db.session.rollback()
                    self.error = exc
                finally:
                    _db.session.remove()
        finally:
            self.finished.set()

    def done(self, timeout: float = 30):
        self.join(timeout)
        assert not self.is_alive(), f"{self.name} never finished"
        return self


def api(app, method: str, url: str, headers: dict, body: dict | None = None):
    def call():
        response = app.test_client().open(url, method=method, headers=headers, json=body)
        return response.status_code, response.get_json()
    return call


def person(n: int, number: str = BERGEN) -> dict:
    return {"name": f"Deltaker {n}", "email": f"d{n}@kommune.example",
            "organisation": {"kind": "municipality", "number": number}, "role": "leader"}


def partner(n: int) -> RegistrationData:
    return RegistrationData(name=f"Partner {n}", email=f"p{n}@nav.example",
                            organisation_kind="partner", partner_name="NAV Vestland",
                            role="partner")


class Pause:
    """Stop the thread named ``name`` right after ``function`` returns, until ``go``."""

    def __init__(self, monkeypatch, module, function: str, name: str):
        self.reached, self.go, self.name = threading.Event(), threading.Event(), name
        original = getattr(module, function)

        def paused(*args, **kwargs):
            result = original(*args, **kwargs)
            if threading.current_thread().name == self.name and not self.reached.is_set():
                self.reached.set()
                assert self.go.wait(20)
            return result

        monkeypatch.setattr(module, function, paused)


def statuses(db, gathering_id) -> dict:
    db.session.expire_all()
    return dict(db.session.execute(
        select(Registration.status, func.count()).where(Registration.gathering_id == gathering_id)
        .group_by(Registration.status)).all())


def confirm_in_bergen(db, gathering_id, n: int) -> None:
    gathering = db.session.get(Gathering, gathering_id)
    for i in range(n):
        register(gathering, RegistrationData(
            name=f"Tidlig {i}", email=f"tidlig{i}@bergen.example",
            organisation_kind="municipality", municipality_number=BERGEN, role="leader"),
            channel="host", actor=None)
    db.session.commit()


# --- the cap of one municipality ---------------------------------------------------------------

def test_lowering_a_cap_while_a_registration_takes_its_place_does_not_deadlock(
        world, db, monkeypatch):
    """The measured deadlock: the registration has checked its place (and holds the cap row)
    when the host lowers the cap; then it inserts. Before, the cap change held the gathering
    and waited for the cap row while the insert waited for the gathering: a 500."""
    app, gid, headers = world["app"], world["id"], world["headers"]
    pause = Pause(monkeypatch, registering_module, "count_confirmed", "registration")
    registration = Step(app, api(app, "POST", f"/api/v1/gatherings/{gid}/registrations",
                                 headers, person(1)), "registration")
    registration.start()
    assert pause.reached.wait(15)
    cap_change = Step(app, api(app, "PUT", f"/api/v1/gatherings/{gid}/caps/{BERGEN}",
                               world["cap_headers"], {"cap": 1}), "cap change")
    cap_change.start()
    wait_for_waiters(1, unless=cap_change.finished.is_set)
    pause.go.set()
    registration.done(), cap_change.done()

    assert registration.error is None and cap_change.error is None
    assert registration.result[0] == 201, registration.result
    assert cap_change.result[0] == 200, cap_change.result
    assert registration.result[1]["status"] == "confirmed"
    assert statuses(db, gid) == {"confirmed": 1}
    assert db.session.scalars(select(GatheringMunicipality.cap)).one() == 1


def test_a_cap_lowered_while_registrations_wait_applies_to_them(world, db):
    """The change holds the gathering (uncommitted) while three registrations arrive: each
    waits, then reads the lowered cap, not the one it loaded before its lock."""
    app, gid, headers = world["app"], world["id"], world["headers"]
    confirm_in_bergen(db, gid, 1)
    services.set_municipality_cap(db.session.get(Gathering, gid), _host(db, world),
                                  bergen(db), 1)
    steps = [Step(app, api(app, "POST", f"/api/v1/gatherings/{gid}/registrations", headers,
                           person(n)), f"r{n}") for n in range(3)]
    for step in steps:
        step.start()
    wait_for_waiters(3)
    db.session.commit()
    results = [step.done().result for step in steps]

    assert [r[0] for r in results] == [201, 201, 201]
    assert sorted(r[1]["status"] for r in results) == ["waitlisted"] * 3
    assert statuses(db, gid) == {"confirmed": 1, "waitlisted": 3}


def bergen(db):
    from eventapp.places.models import Municipality

    return db.session.scalars(select(Municipality).where(Municipality.number == BERGEN)).one()


def _host(db, world):
    from eventapp.accounts.models import User

    return db.session.get(User, world["host_id"])


# --- the gathering's own limits: municipal_cap, capacity, the pool, the status -----------------

def test_municipal_cap_lowered_by_update_waits_for_registrations_already_under_way(world, db):
    """The measured over-booking: registrations wait for Bergen's row (a second connection
    holds it) when the host lowers municipal_cap. Before, the change committed at once and the
    waiting registrations then checked the cap they had loaded: all confirmed over the new
    limit. Now the change waits until those already under way are done, and applies after."""
    app, gid, headers = world["app"], world["id"], world["headers"]
    update = Step(app, lambda: update_gathering(
        _db.session.get(Gathering, gid), _host(_db, world), municipal_cap=1), "update")
    db.session.get(Gathering, gid).municipal_cap = 3
    db.session.commit()
    confirm_in_bergen(db, gid, 1)

    holder = Holder("SELECT id FROM gathering_municipalities FOR UPDATE")
    steps = [Step(app, api(app, "POST", f"/api/v1/gatherings/{gid}/registrations", headers,
                           person(n)), f"r{n}") for n in range(2)]
    for step in steps:
        step.start()
    wait_for_waiters(2)
    update.start()
    wait_for_waiters(3, unless=update.finished.is_set)
    changed_while_they_waited = update.finished.is_set()
    holder.release()
    results = [step.done().result for step in steps]
    update.done()

    assert update.error is None
    assert not changed_while_they_waited, "the limit changed under registrations in flight"
    # Both took their place under the cap that applied then (3); the change came after.
    assert [r[0] for r in results] == [201, 201], results
    assert statuses(db, gid) == {"confirmed": 3}, results
    assert db.session.get(Gathering, gid).municipal_cap == 1


@pytest.mark.parametrize("limit", ["capacity", "pool_cap"])
def test_capacity_or_pool_lowered_while_registrations_wait_applies_to_them(world, db, limit):
    """The change holds the gathering, uncommitted, while registrations wait for it. Before,
    they then checked the limit they had loaded: confirmed over the new one."""
    app, gid = world["app"], world["id"]
    gathering = db.session.get(Gathering, gid)
    gathering.capacity = 10 if limit == "capacity" else None
    gathering.pool_cap = 10
    db.session.commit()
    for n in range(3):
        register(gathering, partner(100 + n), channel="host")
    db.session.commit()

    update_gathering(db.session.get(Gathering, gid), _host(db, world), **{limit: 3})
    steps = [Step(app, lambda n=n: register(_db.session.get(Gathering, gid), partner(n),
                                            channel="public_link").status, f"r{n}")
             for n in range(2)]
    for step in steps:
        step.start()
    wait_for_waiters(2, unless=lambda: all(s.finished.is_set() for s in steps))
    db.session.commit()
    for step in steps:
        assert step.done().error is None
    assert sorted(s.result for s in steps) == ["waitlisted", "waitlisted"]
    assert statuses(db, gid) == {"confirmed": 3, "waitlisted": 2}


def test_closing_registration_applies_to_those_waiting(world, db):
    app, gid = world["app"], world["id"]
    change_status(db.session.get(Gathering, gid), _host(db, world), "closed")
    step = Step(app, lambda: register(_db.session.get(Gathering, gid), partner(1),
                                      channel="public_link"), "late")
    step.start()
    wait_for_waiters(1, unless=step.finished.is_set)
    db.session.commit()
    step.done()

    assert isinstance(step.error, ValidationFailed), step.error
    assert "form" in step.error.fields
    assert statuses(db, gid) == {}


def test_a_cancellation_waiting_for_a_lowered_capacity_promotes_nobody_over_it(world, db):
    app, gid = world["app"], world["id"]
    gathering = db.session.get(Gathering, gid)
    gathering.capacity = 3
    db.session.commit()
    confirm_in_bergen(db, gid, 3)  # two confirmed (Bergen's cap), one waiting
    for n in range(1):
        register(gathering, partner(n), channel="host")
    db.session.commit()
    assert statuses(db, gid) == {"confirmed": 3, "waitlisted": 1}
    first = db.session.scalars(select(Registration.id).where(
        Registration.status == "confirmed", Registration.municipality_id.is_not(None))
        .order_by(Registration.id)).first()

    update_gathering(db.session.get(Gathering, gid), _host(db, world), capacity=2)
    step = Step(app, lambda: services.host_cancel(_db.session.get(Registration, first),
                                                  _host(_db, world)), "cancel")
    step.start()
    wait_for_waiters(1, unless=step.finished.is_set)
    db.session.commit()
    step.done()

    assert step.error is None
    assert step.result == []
    assert statuses(db, gid) == {"confirmed": 2, "waitlisted": 1, "cancelled": 1}


def test_a_swap_and_a_cap_change_at_once_do_not_deadlock(world, db, monkeypatch):
    """A swap holds the place while it changes hands, then mails (the outbox row refers to the
    gathering); the host lowers the cap meanwhile."""
    from eventapp.registration.services import changes

    app, gid = world["app"], world["id"]
    confirm_in_bergen(db, gid, 1)
    rid = db.session.scalars(select(Registration.id)).one()
    pause = Pause(monkeypatch, changes, "hold_places", "swap")
    swap = Step(app, lambda: services.swap(
        _db.session.get(Registration, rid), _host(_db, world),
        services.PersonData(name="Kollega", email="kollega@bergen.example", role="leader")),
        "swap")
    swap.start()
    assert pause.reached.wait(15)
    cap_change = Step(app, lambda: services.set_municipality_cap(
        _db.session.get(Gathering, gid), _host(_db, world),
        bergen(_db), 1), "cap change")
    cap_change.start()
    wait_for_waiters(1, unless=cap_change.finished.is_set)
    pause.go.set()
    swap.done(), cap_change.done()

    assert swap.error is None and cap_change.error is None
    db.session.expire_all()
    assert db.session.get(Registration, rid).name == "Kollega"


# --- bounded waits (item 2) --------------------------------------------------------------------

def test_a_registration_that_cannot_get_its_lock_in_time_answers_409_and_saves_nothing(
        world, db, app):
    """The gathering is held (a long change) past LOCK_TIMEOUT_SECONDS: the API answers 409
    with Retry-After and nothing is saved; the retry with the same Idempotency-Key runs."""
    from eventapp.mail.models import OutboxMessage

    app.config["LOCK_TIMEOUT_SECONDS"] = 0.3
    gid, headers = world["id"], {**world["headers"], "Idempotency-Key": "rush-1"}
    url = f"/api/v1/gatherings/{gid}/registrations"
    holder = Holder("SELECT id FROM gatherings WHERE id = :id FOR NO KEY UPDATE", id=gid)
    started = time.monotonic()
    response = app.test_client().post(url, headers=headers, json=person(1))
    waited = time.monotonic() - started
    holder.release()

    assert response.status_code == 409, response.get_json()
    assert response.headers["Retry-After"] == "2"
    assert response.get_json()["error"]["code"] == "busy"
    assert "try again" in response.get_json()["error"]["message"] \
        or "prøv igjen" in response.get_json()["error"]["message"]
    assert 0.3 <= waited < 5
    assert statuses(db, gid) == {}
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0

    again = app.test_client().post(url, headers=headers, json=person(1))
    assert again.status_code == 201
    assert statuses(db, gid) == {"confirmed": 1}


def test_the_form_says_many_are_registering_and_keeps_what_was_typed(world, db, app):
    from tests.conftest import get_csrf

    app.config["LOCK_TIMEOUT_SECONDS"] = 0.3
    gid = world["id"]
    client = app.test_client()
    url = f"/gatherings/{gid}/register"
    token = get_csrf(client, url)
    holder = Holder("SELECT id FROM gatherings WHERE id = :id FOR NO KEY UPDATE", id=gid)
    response = client.post(url, data={
        "csrf_token": token, "name": "Kari Travel", "email": "kari@bergen.example",
        "organisation_kind": "municipality", "municipality": BERGEN, "role": "leader",
        "day1": "y", "day2": "y"})
    holder.release()

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Mange melder seg på akkurat nå" in page
    assert 'value="Kari Travel"' in page
    assert statuses(db, gid) == {}
