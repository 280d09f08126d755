"""Check-in counts only on the gathering's days: a tick before the first day is refused until
confirmed, and even then counts nothing toward the grant (issue 16, guard rails)."""

from datetime import timedelta

import pytest

from eventapp.grants.models import GrantRules
from eventapp.grants.services import count_participants
from eventapp.registration.services import RegistrationData, record_attendance, register
from eventapp.registration.services.day import CheckinBeforeGathering
from tests.conftest import get_csrf, login


@pytest.fixture
def person(db, open_gathering, places):
    r = register(open_gathering, RegistrationData(
        name="Ada Åsen", email="ada@kommune.example", organisation_kind="municipality",
        municipality_number="4601", role="leader"), channel="host")
    db.session.commit()
    return r


def counted(gathering) -> int:
    rules = GrantRules(year=gathering.start_date.year, attendance="any_day",
                       include_speakers=False)
    return count_participants(gathering, rules).participants


def test_a_tick_before_the_first_day_asks_first_and_is_not_counted(db, open_gathering, person):
    g = open_gathering
    day_before = g.start_date - timedelta(days=1)
    with pytest.raises(CheckinBeforeGathering) as asked:
        record_attendance(person, True, day=1, on=day_before)
    assert asked.value.status == 409 and "tilskudd" in asked.value.message
    db.session.rollback()
    assert (person.attended, person.attended_day1, person.checked_in_at) == (None, None, None)
    # Confirmed: the arrival is noted, but no day is ticked and the grant counts nobody.
    record_attendance(person, True, day=1, on=day_before, early=True)
    db.session.commit()
    assert person.checked_in_at is not None
    assert (person.attended, person.attended_day1, person.attended_day2) == (None, None, None)
    assert counted(g) == 0
    # On the day it counts.
    record_attendance(person, True, day=1, on=g.start_date)
    db.session.commit()
    assert person.attended and person.attended_day1 and counted(g) == 1
    # Taking a tick back is never refused.
    record_attendance(person, False, day=1, on=day_before)
    assert person.attended_day1 is False


def test_the_checkin_page_says_why_and_changes_nothing(client, db, open_gathering, person,
                                                       make_user):
    host = make_user("county_host", county="46")
    login(client, host.email)
    page = f"/gatherings/{open_gathering.id}/checkin"
    response = client.post(f"{page}/{person.id}",
                           data={"attended": "1", "day": "1", "csrf_token": get_csrf(client, page)},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Samlingen har ikke startet" in text and "telles ikke med i tilskuddet" in text
    db.session.refresh(person)
    assert person.attended is None and person.attended_day1 is None
