"""Partners in the browser: the host adds a partner (refused beside the field first), adds a
contact, and a participant picks the partner on the registration form. Each page passes axe and
fits 390 px."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventapp.partners.models import Partner
from eventapp.registration.models import Registration
from tests.browser.looks import look
from tests.browser.test_journeys import log_in_ok

pytestmark = pytest.mark.browser


def test_host_keeps_partners_and_a_participant_picks_one(
        page, browser, live_server, db, places, make_user, make_gathering, screenshot):
    host = make_user("county_host", county="46", email="vert@vestland.example")
    gathering = make_gathering(county="46", start=date(2027, 3, 10), end=date(2027, 3, 11))
    gathering.status = "open"
    db.session.commit()
    found: list[str] = []

    log_in_ok(page, host.email)
    page.goto("/partners")
    page.locator("#kind").select_option("imdi")
    page.locator("#add-partner button[type=submit]").click()
    expect(page.locator("#name-error")).to_be_visible()
    look(page, "partner refused", found, screenshot, "refused", prefix="partners")
    page.locator("#name").fill("IMDi Vest")
    page.locator("#add-partner button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("IMDi Vest")

    page.locator("#contact-name").fill("Ida Imdi")
    page.locator("#contact-email").fill("ikke-en-adresse")
    page.locator("#add-contact button[type=submit]").click()
    expect(page.locator("#contact-email-error")).to_be_visible()
    page.locator("#contact-email").fill("ida@imdi.example")
    page.locator("#add-contact button[type=submit]").click()
    expect(page.locator("[data-email='ida@imdi.example']")).to_be_visible()
    look(page, "partner page", found, screenshot, "partner", prefix="partners")
    page.goto("/partners")
    expect(page.locator("[data-kind=imdi]")).to_contain_text("IMDi")
    look(page, "partner list", found, screenshot, "list", prefix="partners")
    partner = db.session.scalars(select(Partner)).one()

    visitor = browser.new_page(base_url=live_server)
    visitor.goto(f"/gatherings/{gathering.id}/register")
    visitor.locator("#name").fill("Ida Imdi")
    visitor.locator("#email").fill("ida@imdi.example")
    visitor.locator("#organisation_kind").select_option("partner")
    visitor.locator("#partner_id").select_option(str(partner.id))
    visitor.locator("#role").select_option("partner")
    look(visitor, "register with partner", found, screenshot, "register", prefix="partners")
    visitor.locator("#main form button[type=submit]").last.click()
    expect(visitor).to_have_url(re.compile(r"/registration/"))
    registration = db.session.scalars(select(Registration)).one()
    assert (registration.partner_id, registration.partner_name) == (partner.id, "IMDi Vest")
    visitor.close()
    assert found == []
