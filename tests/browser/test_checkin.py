"""Check-in per day on a phone: switch to day 2, tick someone, the count follows; axe and no
sideways scroll on both days and on a one-day gathering."""

from datetime import date

import pytest
from playwright.sync_api import expect

from eventapp.registration.services import RegistrationData, record_attendance, register
from tests.browser.conftest import PHONE
from tests.browser.test_journeys import check_axe, log_in_ok, no_horizontal_scroll

pytestmark = pytest.mark.browser


def _people(db, gathering, n=6):
    people = []
    for i in range(n):
        data = RegistrationData(
            name=f"Kristine Marie Haugland-Johannessen {i}", email=f"k{i}@kommune.example",
            organisation_kind="municipality",
            municipality_number=("4601", "4621", "4627")[i % 3], role="programme_adviser",
            day2=i != 0)
        people.append(register(gathering, data, channel="host"))
    db.session.commit()
    return people


@pytest.mark.parametrize("days", [2, 1])
def test_checkin_per_day_on_a_phone(page, db, make_user, make_gathering, screenshot, days,
                                    monkeypatch):
    from eventapp.registration.services import day as checkin_day

    # Ticks count only on the gathering's days: check in as on its first day.
    monkeypatch.setattr(checkin_day, "today", lambda: date(2027, 3, 10))
    host = make_user("county_host", county="46")
    gathering = make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                               end=date(2027, 3, 10 + days - 1), status="open")
    people = _people(db, gathering)
    record_attendance(people[1], True, day=1)
    db.session.commit()
    page.set_viewport_size(PHONE)
    log_in_ok(page, host.email)
    found: list[str] = []
    page.goto(f"/gatherings/{gathering.id}/checkin")
    check_axe(page, f"check-in ({days} days)", found)
    width, inner = no_horizontal_scroll(page)
    assert width <= inner, f"check-in scrolls sideways: {width} > {inner}"
    if days == 2:
        # Locators by structure: the strings are translated at the end of the issue.
        page.locator(".checkin-days a").nth(1).click()
        expect(page.locator(".checkin-days a").nth(1)).to_have_attribute("aria-current", "page")
        expect(page.locator('[data-figure="attended"]')).to_have_text("0")
        page.locator(f"#r-{people[0].id} button").click()
        expect(page.locator('[data-figure="attended"]')).to_have_text("1")
        expect(page.locator('[data-figure="day1-attended"]')).to_have_text("1")
        db.session.refresh(people[0])
        assert (people[0].attended_day1, people[0].attended_day2) == (None, True)
        check_axe(page, "check-in day 2 after a tick", found)
        width, inner = no_horizontal_scroll(page)
        assert width <= inner, f"day 2 scrolls sideways: {width} > {inner}"
    screenshot(page, f"checkin-{days}-days-phone")
    assert not found, "\n".join(found)
