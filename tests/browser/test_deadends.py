"""No dead ends in the browser (issue 16, section 2): the host moves a gathering's dates and the
programme with them after a preview, and starts a new gathering as a copy of an earlier one.
Every page passes axe with no violation of any impact at 1280 and 390 px."""

from datetime import date, time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventapp.core.time import OSLO
from eventapp.gatherings.models import Gathering
from eventapp.gatherings.services import ItemData, add_item
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.looks import look
from tests.browser.test_journeys import log_in_ok

pytestmark = pytest.mark.browser


def check_all(page, where: str, found: list[str]):
    look(page, where, found)


@pytest.fixture
def world(db, places, make_user, make_gathering):
    host = make_user("county_host", county="46", email="vert@vestland.example")
    g = make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                       end=date(2027, 3, 11))
    for day, start, title in ((1, time(9), "Velkommen og innledning"),
                              (1, time(13), "Gruppearbeid ved bordene"),
                              (2, time(9, 30), "Erfaringsdeling fra kommunene")):
        add_item(g, host, ItemData(day=day, start=start, end=time(start.hour + 1), kind="talk",
                                   title=title))
    db.session.commit()
    return {"host": host, "gathering": g}


def test_moving_the_dates_with_the_programme(page, db, world, screenshot):
    g, host = world["gathering"], world["host"]
    found: list[str] = []
    log_in_ok(page, host.email)
    page.set_viewport_size(PHONE)
    page.goto(f"/gatherings/{g.id}/edit")
    page.locator("#start_date").fill("2027-04-14")
    page.locator("#end_date").fill("2027-04-15")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#start_date-error")).to_be_visible()
    expect(page.locator("[data-preview=move-programme] tbody tr")).to_have_count(3)
    check_all(page, "move preview", found)
    page.set_viewport_size(PHONE)
    screenshot(page, "deadends-move-preview-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "deadends-move-preview-desktop")
    page.locator("[data-action=move-programme]").click()
    expect(page.locator(".alert--success")).to_be_visible()
    db.session.expire_all()
    moved = db.session.get(Gathering, g.id)
    assert (moved.start_date, moved.end_date) == (date(2027, 4, 14), date(2027, 4, 15))
    assert sorted(i.starts_at.astimezone(OSLO).strftime("%Y-%m-%d %H:%M")
                  for i in moved.active_items) == [
        "2027-04-14 09:00", "2027-04-14 13:00", "2027-04-15 09:30"]
    check_all(page, "gathering after the move", found)
    assert not found, "\n".join(found)


def test_starting_a_gathering_as_a_copy(page, db, world, screenshot):
    g, host = world["gathering"], world["host"]
    found: list[str] = []
    log_in_ok(page, host.email)
    page.set_viewport_size(PHONE)
    page.goto("/gatherings/new")
    page.locator("[data-action=copy-gathering]").click()
    check_all(page, "copy: choose", found)
    page.locator("#source-choice").select_option(str(g.id))
    page.locator("form.copy-choose button[type=submit]").click()
    expect(page.locator(f"[data-plan='{g.id}']")).to_be_visible()
    expect(page.locator("#title")).to_have_value("Vestlandssamlinga")
    page.locator("#title").fill("Vestlandssamlinga 2028")
    page.locator("#start_date").fill("2028-03-08")
    page.locator("#end_date").fill("2028-03-08")
    page.locator("[data-action=create-copy]").click()
    expect(page.locator("#end_date-error")).to_be_visible()
    check_all(page, "copy: refused", found)
    page.set_viewport_size(PHONE)
    screenshot(page, "deadends-copy-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "deadends-copy-desktop")
    page.locator("#end_date").fill("2028-03-09")
    page.locator("[data-action=create-copy]").click()
    expect(page.locator(".alert--success")).to_be_visible()
    copy = db.session.scalars(select(Gathering).where(
        Gathering.title == "Vestlandssamlinga 2028")).one()
    assert len(copy.active_items) == 3 and copy.start_date == date(2028, 3, 8)
    check_all(page, "copy: created", found)
    assert not found, "\n".join(found)
