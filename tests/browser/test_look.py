"""Designsystemet's look, the public statement pages and the error summary, in the browser:
axe finds nothing at a desktop and a phone width, pages reflow at 320 px, the error summary's
links move focus to their fields, and nothing is loaded from outside the app."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser import test_journeys as journeys
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import log_in_ok

pytestmark = pytest.mark.browser

REFLOW = {"width": 320, "height": 720}


def axe_violations(page) -> list[dict]:
    violations = journeys.axe_violations(page)
    assert violations is not None, "axe checked nothing"
    return violations


def describe(where: str, violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{where}] {v['impact']}: {v['id']} - {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


def check_widths(page, where: str, found: list[str], screenshot=None, name=None):
    """axe at 1280 and 390 px (every impact), and no sideways scrolling at 320 px."""
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        if violations:
            found.append(describe(f"{where} @ {size['width']}", violations))
        if screenshot and name:
            screenshot(page, f"look-{name}-{size['width']}")
    page.set_viewport_size(REFLOW)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > REFLOW["width"]:
        found.append(f"[{where} @ 320] the page is {width} px wide: it does not reflow")
    page.set_viewport_size(DESKTOP)


def external_requests(page) -> list[str]:
    """Record every request the page makes that leaves the app's own address."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def test_public_pages_are_clean_and_styled(page, live_server, screenshot):
    requests = external_requests(page)
    found: list[str] = []
    for url, name in (("/", "welcome"), ("/account/login", "login"),
                      ("/accessibility", "accessibility"), ("/privacy", "privacy")):
        page.goto(url)
        check_widths(page, url, found, screenshot, name)
    assert not found, "\n".join(found)

    page.goto("/accessibility")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilgjengelighetserklæring")
    for heading in ("Status for samsvar", "Kjente avvik", "Tilbakemelding og kontakt"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    footer = page.get_by_role("contentinfo")
    footer.get_by_role("link", name="Personvernerklæring").click()
    expect(page).to_have_url(f"{live_server}/privacy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Personvernerklæring for deltakere")

    # Designsystemet is in force: Inter from the app, its tokens under the app's classes. The
    # click's navigation shows the heading before the stylesheets have loaded: wait for them.
    page.wait_for_load_state("load")
    assert "Inter" in page.evaluate("getComputedStyle(document.body).fontFamily")
    # Loaded from the app: a face is found and loads (check() alone is false until the page's
    # text has made the browser fetch it, which raced with this line).
    assert page.evaluate("document.fonts.load('16px Inter').then(faces => faces.length > 0)")
    accent = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--ds-color-accent-base-default')")
    assert accent.strip().lower() == "#0062ba"
    assert page.locator("body").get_attribute("data-color-scheme") == "light"

    # Nothing from a CDN: every stylesheet, font and script came from the app itself.
    outside = [u for u in requests if not u.startswith(live_server) and not u.startswith("data:")]
    assert not outside, outside
    kinds = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert any("/static/vendor/inter/files/" in k for k in kinds)
    assert any(re.search(r"/static/vendor/designsystemet-css/index\.[0-9a-f]{12}\.css$", k) for k in kinds)


def test_registration_error_summary_links_focus_the_fields(page, open_gathering, screenshot):
    found: list[str] = []
    page.goto(f"/gatherings/{open_gathering.id}/register")
    expect(page.get_by_role("link", name="Slik behandler vi personopplysningene dine")).to_be_visible()
    page.locator("main form button[type=submit]").click()

    summary = page.locator(".ds-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", level=2)).to_have_text(
        "For å gå videre må du rette opp følgende feil:")
    # It takes focus as the page loads, so a screen reader starts there.
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    assert links.count() >= 2
    check_widths(page, "registration with errors", found, screenshot, "register-errors")
    assert not found, "\n".join(found)

    # Each link takes the keyboard to its field, on a phone too.
    page.set_viewport_size(PHONE)
    expect(links.first).to_have_text(re.compile(r"^Navn: "))
    for i in range(links.count()):
        link = summary.get_by_role("link").nth(i)
        target = link.get_attribute("href")
        link.click()
        expect(page.locator(target)).to_be_focused()
        expect(page.locator(target)).to_be_in_viewport()


def test_gathering_form_has_the_error_summary(page, make_user, make_gathering):
    host = make_user("county_host", county="46")
    gathering = make_gathering(county="46", title="Vestlandssamlinga")
    log_in_ok(page, host.email)
    page.goto(f"/gatherings/{gathering.id}/edit")
    page.locator("#title").fill("")
    page.locator("main form button[type=submit]").last.click()
    summary = page.locator(".ds-error-summary")
    expect(summary).to_be_visible()
    first = summary.get_by_role("link").first
    target = first.get_attribute("href")
    first.click()
    expect(page.locator(target)).to_be_focused()


def test_signed_in_pages_are_clean(page, db, make_user, make_gathering, screenshot):
    host = make_user("county_host", county="46")
    gathering = make_gathering(county="46", title="Vestlandssamlinga", status="open")
    make_gathering(county="46", title="Haustsamlinga")
    log_in_ok(page, host.email)
    found: list[str] = []
    for url, name in (("/", "home-signed-in"), ("/gatherings/", "gatherings"),
                      (f"/gatherings/{gathering.id}", "overview")):
        page.goto(url)
        check_widths(page, url, found, screenshot, name)
    assert not found, "\n".join(found)


def test_final_report_landmarks_are_unique(page, make_user, make_gathering):
    """The final report had two regions with one name (axe's landmark-unique)."""
    host = make_user("county_host", county="46")
    gathering = make_gathering(county="46", title="Vestlandssamlinga", status="open")
    log_in_ok(page, host.email)
    page.goto(f"/gatherings/{gathering.id}/report")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vestlandssamlinga")
    found: list[str] = []
    check_widths(page, "final report", found)
    assert not found, "\n".join(found)
