"""The grant pages in a browser: the host applies (and is refused beside the field), the
directorate decides, the report goes in and is approved, the host deletes personal data; every
page passes axe and fits a phone without sideways scroll."""

from datetime import date
from functools import partial

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventapp.grants import services
from eventapp.grants.models import FinalReport, GrantApplication
from tests.browser.conftest import DESKTOP
from tests.browser.looks import look
from tests.browser.test_journeys import log_in_ok
from tests.grants.conftest import add_attended, add_person, vestland_units

pytestmark = pytest.mark.browser


@pytest.fixture
def held(db, make_user, make_gathering):
    gathering = make_gathering(county="46", title="Vestlandssamlinga om karriereveiledning",
                               start=date(2027, 3, 10), end=date(2027, 3, 11))
    gathering.status = "held"
    db.session.commit()
    add_attended(db, gathering, 58)
    units = vestland_units(db)
    add_person(db, gathering, unit=units[20], name="Kristine Marie Haugland-Johannessen",
               travel_support_requested=True)
    add_person(db, gathering, unit=units[21], name="Ola Sunde", travel_support_requested=True)
    add_person(db, gathering, kind="partner", role="speaker")
    return {"gathering": gathering,
            "host": make_user("county_host", county="46", name="Hanne Vert"),
            "directorate": make_user("directorate", county=None, name="Dina Direktorat")}


_look = partial(look, prefix="grants")


def test_grant_journey_in_the_browser(page, browser, live_server, db, held, screenshot):
    g, host = held["gathering"], held["host"]
    found: list[str] = []
    log_in_ok(page, host.email)

    page.goto(f"/gatherings/{g.id}/grant")
    page.locator("#planned_participants").fill("65")
    page.locator("#applied_nok").fill("300 000")  # above 4 000 × 65
    page.locator("#apply form button[type=submit]").click()
    expect(page.locator("#applied_nok-error")).to_be_visible()
    expect(page.locator("#applied_nok")).to_have_attribute("aria-invalid", "true")
    assert db.session.scalars(select(GrantApplication)).first() is None
    _look(page, "grant: refused application", found, screenshot, "apply-refused")
    page.locator("#applied_nok").fill("250 000")
    page.locator("#apply form button[type=submit]").click()
    expect(page.locator(".alert--success")).to_be_visible()

    page.goto(f"/gatherings/{g.id}/budget")
    for category, description, planned, actual in (
            ("venue", "Hotell og saler", "160 000", "150 000"),
            ("meals", "Lunsj og middag", "70 000", "52 000"),
            ("travel_support", "Reisestøtte indre Sogn", "10 000", "8 000")):
        page.locator("#category").select_option(category)
        page.locator("#description").fill(description)
        page.locator("#planned_nok").fill(planned)
        page.locator("#actual_nok").fill(actual)
        page.locator("#add form button[type=submit]").click()
        expect(page.locator(".alert--success")).to_be_visible()
    page.locator(".travel-line input[type=checkbox]").first.check()
    page.locator(".travel-line button[type=submit]").click()
    expect(page.locator('[data-list="uncovered"] li')).to_have_count(1)
    _look(page, "budget", found, screenshot, "budget")

    other = browser.new_context(locale="nb-NO", base_url=live_server, viewport=DESKTOP)
    try:
        hk = other.new_page()
        log_in_ok(hk, held["directorate"].email)
        hk.goto(f"/gatherings/{g.id}/grant")
        hk.locator("#granted_nok").fill("250000")
        hk.locator("#decide form button[type=submit]").click()
        hk.locator('[data-confirm] [data-action="confirm"]').click()  # asks first
        expect(hk.locator(".alert--success")).to_be_visible()
        expect(hk.locator('[data-figure="repay"]')).to_have_text("40\u00a0000")
        _look(hk, "grant: decided", found, screenshot, "grant")
        hk.goto("/grants/rules?year=2027")
        _look(hk, "rules", found, screenshot, "rules")

        page.goto(f"/gatherings/{g.id}/report")
        _look(page, "report: draft", found, screenshot, "report-draft")
        page.locator("#follow_up_actions").fill("Faste digitale møter med alle kommunene.")
        page.locator("#submit_report").click()
        _look(page, "report: confirm submit", found, screenshot, "submit")
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".alert--success")).to_be_visible()

        hk.goto(f"/gatherings/{g.id}/report")
        _look(hk, "report: review", found, screenshot, "review")
        hk.locator("#approve").click()
        hk.locator('[data-confirm] [data-action="confirm"]').click()  # asks first
        expect(hk.locator(".alert--success")).to_be_visible()
        assert db.session.scalars(select(FinalReport)).one().status == "approved"
    finally:
        other.close()

    page.goto(f"/gatherings/{g.id}/report")
    page.locator(f'a[href="/gatherings/{g.id}/report/purge"]').first.click()
    _look(page, "purge: confirm", found, screenshot, "purge")
    page.locator("main form button[type=submit]").click()
    expect(page.locator('[data-note="purged"]')).to_be_visible()
    expect(page.locator('[data-figure="repay"]')).to_have_text("40\u00a0000")
    _look(page, "report: purged", found, screenshot, "report-purged")
    assert services.report_for(g).purged_at is not None

    assert not found, "\n".join(found)
