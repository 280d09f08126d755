"""Fixtures for the follow-up log: the grants' held gathering in Vestland with its people, and
a builder for items."""

import pytest

from eventapp.followup import services
from tests.grants.conftest import add_person, as_user, world  # noqa: F401


@pytest.fixture
def add_item(db):
    def add(gathering, host, raised="Hvordan søker vi om tilskudd?", **fields):
        item = services.add_item(gathering, host, services.ItemData(
            kind=fields.pop("kind", "question"), raised=raised, **fields))
        db.session.commit()
        return item

    return add
