"""Municipality facts in the browser: the directorate imports a year's figures (preview, then
confirm), sets the thresholds (refused beside the field, then saved), and the host applies the
board's suggested places for a large settler. Each page passes axe and fits 390 px. The figures
are made up."""

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventapp.places.models import MunicipalityYear
from eventapp.registration.models import GatheringMunicipality
from tests.browser.looks import look
from tests.browser.test_journeys import log_in_ok

pytestmark = pytest.mark.browser

FIGURES = ("kommunenummer;kommune;anmodet;vedtatt;bosatt\n"
           "4601;Bergen;700;700;655\n"
           "4602;Kinn;30;25;22\n"
           "4636;Solund;5;0;0\n")


def test_directorate_imports_figures_and_host_applies_suggested_places(
        page, browser, live_server, db, places, make_user, make_gathering, screenshot):
    director = make_user("directorate", county=None, email="hkdir@example.no")
    host = make_user("county_host", county="46", email="vert@vestland.example")
    gathering = make_gathering(county="46", start=date(2027, 3, 10), end=date(2027, 3, 11),
                               municipal_cap=2)
    found: list[str] = []

    log_in_ok(page, director.email)
    page.goto("/places/facts?year=2027")
    expect(page.locator("[data-empty]")).to_be_visible()
    page.get_by_role("link", name="Importer tall for 2027").click()
    page.locator("#file").set_input_files(
        {"name": "tall.csv", "mimeType": "text/csv", "buffer": b"kommunenummer;bosatt\n4699;-1\n"})
    page.locator("#upload button[type=submit]").click()
    expect(page.locator("#facts-problems")).to_contain_text("Linje 2")
    look(page, "facts import refused", found, screenshot, "import-refused", prefix="facts")
    page.locator("#file").set_input_files(
        {"name": "tall.csv", "mimeType": "text/csv", "buffer": FIGURES.encode()})
    page.locator("#upload button[type=submit]").click()
    expect(page.locator("[data-count=added]")).to_have_text("3")
    assert db.session.scalars(select(MunicipalityYear)).all() == []
    look(page, "facts preview", found, screenshot, "preview", prefix="facts")
    page.get_by_role("button", name="Importer tallene for 2027").click()
    expect(page.locator("#facts-table tr[data-number='4601'] [data-size-class]")) \
        .to_have_text("Stor")
    look(page, "facts page", found, screenshot, "year", prefix="facts")

    page.locator("#medium_from").fill("30")
    page.locator("#large_from").fill("10")
    page.locator("#thresholds button[type=submit]").click()
    expect(page.locator("#large_from-error")).to_be_visible()
    page.locator("#large_from").fill("700")
    page.locator("#thresholds button[type=submit]").click()
    expect(page.locator("#facts-table tr[data-number='4601'] [data-size-class]")) \
        .to_have_text("Middels")
    page.locator("#large_from").fill("60")
    page.locator("#medium_from").fill("20")
    page.locator("#thresholds button[type=submit]").click()
    expect(page.locator("#facts-table tr[data-number='4601'] [data-size-class]")) \
        .to_have_text("Stor")

    host_page = browser.new_context(locale="nb-NO", base_url=live_server).new_page()
    host_page.set_default_timeout(5000)
    log_in_ok(host_page, host.email)
    host_page.goto(f"/gatherings/{gathering.id}/board")
    expect(host_page.locator("[data-figure=coverage]")).to_contain_text(
        "0 av 2 kommuner som bosetter")
    expect(host_page.locator("#cap-suggestions li")).to_have_count(1)
    look(host_page, "board with facts", found, screenshot, "board", prefix="facts")
    host_page.get_by_role("link", name="Bruk de foreslåtte plassene").click()
    look(host_page, "apply suggestions", found, screenshot, "confirm", prefix="facts")
    host_page.get_by_role("button", name="Ja, øk plassene").click()
    expect(host_page.locator("#cap-suggestions")).to_have_count(0)
    db.session.expire_all()
    assert db.session.scalars(select(GatheringMunicipality.cap).where(
        GatheringMunicipality.gathering_id == gathering.id)).all() == [4]
    host_page.context.close()
    assert found == []
