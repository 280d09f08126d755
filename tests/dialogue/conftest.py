"""Fixtures for the directorate in planning: the grants' held gathering in Vestland with its
people (a second Vestland host and a second directorate reviewer, so each side has two to
mail), and a programme to read and copy from in Rogaland."""

from datetime import date, time

import pytest

from eventapp.dialogue import services
from tests.grants.conftest import add_person, as_user, world  # noqa: F401


@pytest.fixture(autouse=True)
def _after_the_gathering(monkeypatch):
    # The world's gathering ends 11 March 2027; the meeting's "not in the future" rule is
    # tested against this day.
    monkeypatch.setattr(services, "today", lambda: date(2027, 6, 1))


@pytest.fixture
def people(world, make_user):  # noqa: F811 - the grants' world, imported above
    return {**world,
            "host2": make_user("county_host", county="46", email="vert2@vestland.example"),
            "directorate2": make_user("directorate", county=None, email="hkdir2@example.no")}


def add_programme_item(db, gathering, actor, title, day=1, start=time(9, 0), end=time(10, 0),
                       **fields):
    from eventapp.gatherings.services import ItemData, SpeakerData, add_item

    speakers = [SpeakerData(*s) for s in fields.pop("speakers", [])]
    item = add_item(gathering, actor, ItemData(day=day, start=start, end=end,
                                               kind=fields.pop("kind", "talk"), title=title,
                                               speakers=speakers, **fields))
    db.session.commit()
    return item
