"""The programme journey in a real browser: plan an item, see the checklist react, read the
public and printable programme; accessibility and narrow screens on the new pages."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_journeys import check_axe, log_in, log_in_ok, no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def planned(db, make_user, make_gathering):
    host = make_user("county_host", county="46")
    gathering = make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                               end=date(2027, 3, 11))
    return host, gathering


def test_host_adds_an_item_and_the_checklist_reacts(page, planned, db):
    host, gathering = planned
    log_in_ok(page, host.email)
    page.goto(f"/gatherings/{gathering.id}/programme")
    directorate = page.locator("#check-directorate_framework")
    expect(directorate).to_have_attribute("data-ok", "false")

    form = page.locator("#item-form form")
    form.locator("#title").fill("HK-dir om rammeverket")
    form.locator("#kind").select_option("talk")
    form.locator("#day").select_option("1")
    form.locator("#start").fill("09:30")
    form.locator("#end").fill("10:15")
    form.locator("#question_minutes").fill("15")
    form.locator("#speakers-0-name").fill("Anne Direktorat")
    form.locator("#speakers-0-organisation").fill("HK-dir")
    form.locator("#speakers-0-organisation_kind").select_option("directorate")
    form.locator("button[type=submit]").click()

    item = page.locator(".programme-item", has_text="HK-dir om rammeverket")
    expect(item).to_contain_text("09:30–10:15")
    expect(page.locator("#check-directorate_framework")).to_have_attribute("data-ok", "true")

    # A clash in the same room is refused beside the start field, and nothing is added.
    form = page.locator("#item-form form")
    form.locator("#title").fill("Kollisjon")
    form.locator("#start").fill("10:00")
    form.locator("#end").fill("10:30")
    form.locator("button[type=submit]").click()
    expect(page.locator("#start-error")).to_contain_text("HK-dir om rammeverket")
    expect(page.locator("#start")).to_have_attribute("aria-invalid", "true")
    assert page.locator(".programme-item").count() == 1


def test_public_and_printable_programme_without_login(page, planned, db, screenshot):
    from datetime import time

    from eventapp.gatherings.services import ItemData, add_item

    host, gathering = planned
    add_item(gathering, host, ItemData(day=1, start=time(10), end=time(10, 30), kind="talk",
                                       title="Velkommen til Vestland"))
    add_item(gathering, host, ItemData(day=2, start=time(9), end=time(11), kind="group_work",
                                       title="Gruppearbeid ved bordene"))
    gathering.status = "open"
    db.session.commit()
    for size, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(f"/gatherings/{gathering.id}/public")
        expect(page.locator("h1")).to_have_text("Vestlandssamlinga")
        expect(page.locator(".programme-item")).to_have_count(2)
        expect(page.locator(".item-actions")).to_have_count(0)
        width, inner = no_horizontal_scroll(page)
        assert width <= inner, f"public programme scrolls sideways on {size}"
        screenshot(page, f"public-programme-{size}")
    page.goto(f"/gatherings/{gathering.id}/programme/print")
    expect(page.locator(".programme-day")).to_have_count(2)
    expect(page.locator("header.site-header")).to_have_count(0)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_programme_pages_are_accessible_and_fit(page, places, db, size, screenshot):
    from eventapp.demo import DEMO_PASSWORD, demo_setup

    demo_setup()
    if size == "phone":
        page.set_viewport_size(PHONE)
    log_in(page, "vert@demo.eventapp.no", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    found: list[str] = []
    from sqlalchemy import select

    from eventapp.gatherings.models import Gathering
    demo = db.session.scalars(select(Gathering).where(Gathering.title.like("Fylkessamling%"))).one()
    for name, url in (("programme", f"/gatherings/{demo.id}/programme"),
                      ("checks", f"/gatherings/{demo.id}/checks"),
                      ("gathering", f"/gatherings/{demo.id}"),
                      ("committee", f"/gatherings/{demo.id}/committee"),
                      ("inputs", f"/gatherings/{demo.id}/inputs"),
                      ("events", f"/gatherings/{demo.id}/events")):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        check_axe(page, f"{name} ({size})", found)
        width, inner = no_horizontal_scroll(page)
        assert width <= inner, f"{name} scrolls sideways on {size}: {width} > {inner}"
        screenshot(page, f"{name}-{size}")
    assert not found, "\n".join(found)
    # The demo's programme passes every check but one, and the page says how to fix it.
    page.goto(f"/gatherings/{demo.id}/checks")
    missing = page.locator(".checklist-item[data-ok=false]")
    expect(missing).to_have_count(1)
    expect(missing.locator("a")).to_have_attribute("href", re.compile(r"/programme"))
