"""The gathering's overview by phase, the sections' navigation by phase (folded on a phone),
and check-in that ticks without reloading the page and filters as one types (issue 16, item 1).
axe at 1280 and 390 px with no violation of any impact."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from eventapp.core.time import OSLO, utcnow
from eventapp.registration.services import RegistrationData, register
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import axe_violations, describe, log_in_ok, no_horizontal_scroll

pytestmark = pytest.mark.browser

TODAY = utcnow().astimezone(OSLO).date()


def _axe(page, where: str, found: list[str]):
    violations = axe_violations(page)
    if violations is None:
        found.append(f"[{where}] axe did not run")
    elif violations:
        found.append(describe(where, violations))


def _wide_enough(page, where: str, found: list[str]):
    width, inner = no_horizontal_scroll(page)
    if width > inner:
        found.append(f"[{where}] scrolls sideways: {width} > {inner}")


def _gathering_on_its_days(db, make_gathering, n=8):
    gathering = make_gathering(county="46", title="Vestlandssamlinga", start=TODAY,
                               end=TODAY + timedelta(days=1), status="open")
    people = []
    names = ["Ingrid Bakke", "Knut Sotra", "Lise Haugland", "Oksana Melnyk", "Olav Lid",
             "Yusuf Ahmadi", "Åse Ødegård", "Kristine Marie Haugland-Johannessen"]
    for i in range(n):
        people.append(register(gathering, RegistrationData(
            name=names[i], email=f"p{i}@kommune.example", organisation_kind="municipality",
            municipality_number=("4601", "4621", "4627", "4624")[i % 4],
            role="programme_adviser"), channel="host"))
    db.session.commit()
    return gathering, people


def test_overview_by_phase_and_the_sections_on_desktop_and_phone(page, db, make_user,
                                                                 make_gathering, screenshot):
    host = make_user("county_host", county="46")
    gathering, _people = _gathering_on_its_days(db, make_gathering)
    found: list[str] = []
    log_in_ok(page, host.email)
    page.goto(f"/gatherings/{gathering.id}")
    phases = page.locator(".phases > li")
    expect(phases).to_have_count(5)
    # On its days the gathering's "now" leads with check-in, and that phase is under way.
    expect(page.locator("#phase-days")).to_have_class("phase phase--now")
    expect(page.locator(".overview-now a").first).to_have_attribute(
        "href", f"/gatherings/{gathering.id}/checkin")
    # On a desktop the groups are shown at once: no disclosure to open.
    nav = page.get_by_role("navigation", name="Sider for samlingen")
    expect(nav.locator("summary")).to_be_hidden()
    expect(nav.get_by_role("link", name="Innsjekking", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Oversikt", exact=True)).to_have_attribute("aria-current", "page")
    _axe(page, "overview 1280", found)
    _wide_enough(page, "overview 1280", found)
    screenshot(page, "overview-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    # On a phone the sections fold into one line that names where one is.
    summary = nav.locator("summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Oversikt")
    expect(nav.get_by_role("link", name="Innsjekking", exact=True)).to_be_hidden()
    # Check-in is the first thing after the folded sections: one tap away.
    checkin = page.locator(".overview-now a.overview-primary")
    expect(checkin).to_be_in_viewport()
    _axe(page, "overview 390", found)
    _wide_enough(page, "overview 390", found)
    screenshot(page, "overview-phone")
    summary.click()
    expect(nav.get_by_role("link", name="Innsjekking", exact=True)).to_be_visible()
    expect(nav.locator("details")).to_have_attribute("open", "")
    _axe(page, "overview 390, sections open", found)
    _wide_enough(page, "overview 390, sections open", found)
    screenshot(page, "overview-phone-sections-open")
    nav.get_by_role("link", name="Innsjekking", exact=True).click()
    expect(page).to_have_url(f"{page.url.split('/gatherings')[0]}/gatherings/{gathering.id}/checkin")
    expect(nav.locator("summary")).to_contain_text("Innsjekking")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_checkin_ticks_without_reload_and_filters_as_you_type(page, db, make_user,
                                                              make_gathering, screenshot, size):
    counsellor = make_user("counsellor", county="46")
    gathering, people = _gathering_on_its_days(db, make_gathering)
    page.set_viewport_size(PHONE if size == "phone" else DESKTOP)
    found: list[str] = []
    log_in_ok(page, counsellor.email)
    page.goto(f"/gatherings/{gathering.id}/checkin?day=1")
    _axe(page, f"check-in {size}", found)
    _wide_enough(page, f"check-in {size}", found)
    # A mark on the window survives only if the page is not loaded again.
    page.evaluate("window.__noReload = true")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url)
            if frame == page.main_frame else None)
    expect(page.locator('[data-figure="attended"]')).to_have_text("0")

    oksana = people[3]
    page.locator(f"#r-{oksana.id} button").click()
    expect(page.locator(f"#r-{oksana.id}")).to_have_class("checkin-row checkin-row--in")
    expect(page.locator('[data-figure="attended"]')).to_have_text("1")
    expect(page.locator('[data-figure="day1-attended"]')).to_have_text("1")
    expect(page.locator("[data-checkin-message]")).to_contain_text("Oksana Melnyk")
    # Focus stays on the person's button, now the one to undo with.
    expect(page.locator(f"#r-{oksana.id} button")).to_be_focused()
    assert page.evaluate("window.__noReload") is True and navigations == []
    db.session.refresh(oksana)
    assert oksana.attended_day1 is True

    # The search field filters as one types, æøå and organisations included.
    search = page.get_by_role("searchbox")
    search.fill("ødeg")
    expect(page.locator(".checkin-row:visible")).to_have_count(1)
    expect(page.locator(".checkin-row:visible .checkin-name")).to_have_text("Åse Ødegård")
    expect(page.locator("[data-filter-status]")).to_have_text("Viser 1 av 8.")
    search.fill("voss")
    expect(page.locator(".checkin-row:visible")).to_have_count(2)
    search.fill("ingen slik person")
    expect(page.locator(".checkin-row:visible")).to_have_count(0)
    expect(page.locator("[data-filter-status]")).to_contain_text("ingen slik person")
    search.fill("melnyk")
    # Undo while filtered: the row comes back checked out and stays the only one shown.
    page.locator(f"#r-{oksana.id} button").click()
    expect(page.locator('[data-figure="attended"]')).to_have_text("0")
    expect(page.locator(f"#r-{oksana.id}")).to_have_class("checkin-row")
    expect(page.locator(".checkin-row:visible")).to_have_count(1)
    assert page.evaluate("window.__noReload") is True and navigations == []
    _axe(page, f"check-in {size} filtered", found)
    search.fill("")
    expect(page.locator(".checkin-row:visible")).to_have_count(8)
    screenshot(page, f"overview-checkin-{size}")
    assert not found, "\n".join(found)


def test_checkin_without_javascript_still_works(browser, live_server, db, make_user,
                                                make_gathering):
    counsellor = make_user("counsellor", county="46")
    gathering, people = _gathering_on_its_days(db, make_gathering)
    context = browser.new_context(locale="nb-NO", base_url=live_server, viewport=PHONE,
                                  java_script_enabled=False)
    context.set_default_timeout(5000)
    page = context.new_page()
    try:
        log_in_ok(page, counsellor.email)
        page.goto(f"/gatherings/{gathering.id}/checkin?day=1")
        # The search is a GET filter.
        page.get_by_role("searchbox").fill("sotra")
        page.get_by_role("button", name="Søk").click()
        expect(page).to_have_url(f"{live_server}/gatherings/{gathering.id}/checkin?day=1&q=sotra")
        expect(page.locator(".checkin-row")).to_have_count(1)
        page.locator(f"#r-{people[1].id} button").click()
        expect(page.locator('[data-figure="attended"]')).to_have_text("1")
        expect(page.get_by_role("status").first).to_contain_text("Knut Sotra")
        # The sections fold on a phone and open without a script.
        nav = page.get_by_role("navigation", name="Sider for samlingen")
        nav.locator("summary").click()
        expect(nav.get_by_role("link", name="Bord")).to_be_visible()
    finally:
        context.close()
    db.session.refresh(people[1])
    assert people[1].attended_day1 is True
