"""Fixtures for the follow-up log: the grants' held gathering in Vestland with its people, and
a builder for items."""

from datetime import date

import pytest

from eventapp.followup import services
from tests.grants.conftest import add_person, as_user, world  # noqa: F401


@pytest.fixture(autouse=True)
def _after_the_gathering(monkeypatch):
    # The world's gathering ends 11 March 2027; answers are mailed only after it. The rule has
    # tests of its own (test_answers_are_mailed_only_after_the_gathering).
    monkeypatch.setattr(services, "today", lambda: date(2027, 6, 1))


@pytest.fixture
def add_item(db):
    def add(gathering, host, raised="Hvordan søker vi om tilskudd?", **fields):
        item = services.add_item(gathering, host, services.ItemData(
            kind=fields.pop("kind", "question"), raised=raised, **fields))
        db.session.commit()
        return item

    return add
