"""The directorate's national report in Chromium: plotly draws both charts under the app's
Content-Security-Policy with nothing in the console, at desktop and phone width, and axe finds
nothing serious; a county host sees their own row and its drill-down."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import check_axe, log_in_ok, no_horizontal_scroll
from tests.reporting.builders import Builder, Plan

pytestmark = pytest.mark.browser

# Collects what the console and CSP say from the first moment of each page.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def year_2025(db, make_user):
    builder = Builder(make_user)
    builder.add(Plan("46", granted=44_000, report="approved", municipal=8))
    builder.add(Plan("03", granted=30_000, report="submitted"))
    builder.add(Plan("50", granted=None, municipal=4))
    builder.add(Plan("15", granted=52_000, report="approved", municipal=10, only_day1=2))
    return builder


def _watch(page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.add_init_script(WATCH_CSP)
    return messages


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_national_page_draws_both_charts_under_the_csp(page, year_2025, size, screenshot):
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    messages = _watch(page)
    log_in_ok(page, year_2025.directorate.email)
    response = page.goto("/reports/national?year=2025")
    assert response.status == 200
    assert "script-src 'self';" in response.headers["content-security-policy"]

    for chart in ("#chart-participants", "#chart-spend"):
        expect(page.locator(f"{chart} .main-svg").first).to_be_visible()
        # One bar per county (the spend chart: granted and spent for each).
        bars = page.locator(f"{chart} .barlayer .point")
        expect(bars).to_have_count(4 if chart == "#chart-participants" else 8)
    assert page.evaluate("window.__csp") == []
    assert messages == []

    # The charts fit the screen, and so does the page.
    for chart in ("#chart-participants", "#chart-spend"):
        box = page.locator(chart).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
    width, inner = no_horizontal_scroll(page)
    assert width <= inner, f"the national report scrolls sideways on {size}"

    found: list[str] = []
    check_axe(page, f"national report {size}", found)
    screenshot(page, f"national-report-{size}")
    assert not found, "\n".join(found)


def test_county_host_sees_own_row_and_drills_down(page, year_2025, screenshot):
    messages = _watch(page)
    host = year_2025.host("46")
    log_in_ok(page, host.email)
    page.get_by_role("navigation").locator("a[href='/reports/national']").click()
    expect(page.locator("#national-table tbody tr")).to_have_count(1)
    expect(page.locator("#national-table tbody tr[data-county='46']")).to_be_visible()
    page.locator("#national-table").get_by_role("link", name="Vestland").click()
    expect(page.locator("#county-table tbody tr")).to_have_count(1)
    assert page.evaluate("window.__csp") == []
    assert messages == []
    page.set_viewport_size(PHONE)
    width, inner = no_horizontal_scroll(page)
    assert width <= inner, "the drill-down scrolls sideways on a phone"
    found: list[str] = []
    check_axe(page, "county drill-down", found)
    screenshot(page, "county-report-phone")
    assert not found, "\n".join(found)

    response = page.goto("/reports/national/03?year=2025")
    assert response.status == 404


def test_period_pages_look_right_and_draw_every_chart(page, db, make_user, screenshot):
    """The national grant report and survey comparison over 2024-2025: every chart drawn under
    the CSP with nothing in the console, each beside its table, and look() clean at both
    widths, also with a refused period's message beside its field."""
    from tests.browser.looks import look

    builder = Builder(make_user)
    builder.add(Plan("46", year=2024, granted=20_000, report="approved"))
    builder.add(Plan("46", year=2025, granted=30_000, municipal=8))
    builder.add(Plan("03", year=2025, granted=None))
    messages = _watch(page)
    log_in_ok(page, builder.directorate.email)
    found: list[str] = []

    response = page.goto("/reports/national?from=2024&to=2025")
    assert response.status == 200
    for chart in ("#chart-participants", "#chart-spend", "#chart-roles", "#chart-sizes"):
        expect(page.locator(f"{chart} .main-svg").first).to_be_visible()
    expect(page.locator("#roles-table tbody tr")).to_have_count(2)
    expect(page.locator("#period-from")).to_have_value("2024")
    look(page, "national report 2024-2025", found, screenshot, "national-period",
         prefix="reporting")

    response = page.goto("/reports/national/survey?from=2024&to=2025")
    assert response.status == 200
    look(page, "survey comparison 2024-2025", found, screenshot, "survey-period",
         prefix="reporting")

    assert page.evaluate("window.__csp") == []
    assert messages == []

    response = page.goto("/reports/national?from=2025&to=2024")
    assert response.status == 422  # which the console reports, as it does every 422
    expect(page.locator("#period-to-error")).to_be_visible()
    look(page, "national report refused period", found, screenshot, "national-bad-period",
         prefix="reporting")
    assert page.evaluate("window.__csp") == []
    assert not found, "\n".join(found)
