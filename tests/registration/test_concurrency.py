"""No cap is ever exceeded when everyone registers at once.

Each thread has its own app context and so its own database connection and transaction, like
concurrent requests to the app. On PostgreSQL the cap row is locked with SELECT ... FOR UPDATE;
on SQLite writers are serialised.
"""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eventapp.extensions import db as _db
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import Registration
from eventapp.registration.services import RegistrationData, register

N = 30


@pytest.fixture
def open_gathering(make_gathering, db):
    g = make_gathering(county="46", start=date.today() + timedelta(days=30),
                       end=date.today() + timedelta(days=31))
    g.status = "open"
    db.session.commit()
    return g.id


def _rush(app, gathering_id, data_for):
    barrier = threading.Barrier(N)
    errors = []

    def one(i):
        with app.app_context():
            try:
                # Wait for all before touching the database: the connection pool (15) is smaller
                # than the crowd, so the rest queue for a connection, as under real load.
                barrier.wait(10)
                gathering = _db.session.get(Gathering, gathering_id)
                register(gathering, data_for(i), channel="public_link")
                _db.session.commit()
            except Exception as exc:  # noqa: BLE001 - every failure is reported by the test
                errors.append(repr(exc))
                _db.session.rollback()
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def _counts(db, gathering_id):
    db.session.expire_all()
    return dict(db.session.execute(
        select(Registration.status, func.count()).where(Registration.gathering_id == gathering_id)
        .group_by(Registration.status)).all())


def test_thirty_at_once_for_one_municipality(app, db, open_gathering, places):
    errors = _rush(app, open_gathering, lambda i: RegistrationData(
        name=f"Deltaker {i}", email=f"d{i}@bergen.example", organisation_kind="municipality",
        municipality_number="4601", role="programme_adviser"))
    assert errors == []
    assert _counts(db, open_gathering) == {"confirmed": 2, "waitlisted": N - 2}


def test_thirty_at_once_for_the_pool(app, db, open_gathering, places):
    errors = _rush(app, open_gathering, lambda i: RegistrationData(
        name=f"Partner {i}", email=f"p{i}@nav.example", organisation_kind="partner",
        partner_name="NAV Vestland", role="partner"))
    assert errors == []
    assert _counts(db, open_gathering) == {"confirmed": 20, "waitlisted": N - 20}
