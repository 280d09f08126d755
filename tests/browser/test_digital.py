"""A digital follow-up webinar in a real browser: the host creates it without a venue (a bad
link refused beside the field first), the public page says "digital" without the link, and
the pages look right, accessible and without sideways scrolling on a phone."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.looks import look
from tests.browser.test_journeys import log_in_ok

pytestmark = pytest.mark.browser

LINK = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_webinar%40thread.v2/0"


def test_the_host_creates_a_webinar_and_the_public_page_keeps_the_link(
        page, db, make_user, screenshot):
    from eventapp.gatherings.models import Gathering

    host = make_user("county_host", county="46")
    log_in_ok(page, host.email)
    page.goto("/gatherings/new")
    day = (date.today() + timedelta(days=45)).isoformat()
    page.locator("#title").fill("Oppfølgingswebinar")
    page.locator("#start_date").fill(day)
    page.locator("#end_date").fill(day)
    page.locator('input[name=mode][value="digital"]').check()
    page.locator("#meeting_url").fill("javascript:alert(1)")
    page.locator("main form button.button[type=submit]").click()
    # Refused beside the field, nothing saved, and the choices kept.
    expect(page.locator("#meeting_url-error")).to_contain_text("https://")
    expect(page.locator("#meeting_url")).to_have_attribute("aria-invalid", "true")
    expect(page.locator('input[name=mode][value="digital"]')).to_be_checked()
    assert db.session.scalars(select(Gathering)).first() is None
    found: list[str] = []
    look(page, "new webinar, refused", found, screenshot, "digital-form-error")

    page.locator("#meeting_url").fill(LINK)
    page.locator("main form button.button[type=submit]").click()
    expect(page.locator("[data-mode]")).to_have_attribute("data-mode", "digital")
    expect(page.locator("[data-meeting-url]")).to_have_text(LINK)
    look(page, "webinar overview", found, screenshot, "digital-overview")

    g = db.session.scalars(select(Gathering)).one()
    g.status = "open"
    db.session.commit()
    page.context.clear_cookies()
    page.goto(f"/gatherings/{g.id}/public")
    expect(page.locator('[data-note="digital"]')).to_be_visible()
    expect(page.locator(".lead")).to_contain_text("Digitalt")
    assert "teams.microsoft.com" not in page.content()
    look(page, "public webinar page", found, screenshot, "digital-public")
    assert not found, "\n".join(found)
