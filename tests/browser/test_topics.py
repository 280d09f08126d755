"""Programme topics in a real browser: the directorate keeps the list, a host ticks an item's
topics and sees them on the programme, and the roll-up by topic draws its chart beside the
table; accessible and without sideways scrolling on a phone."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_journeys import check_axe, log_in_ok, no_horizontal_scroll
from tests.browser.test_reporting import _watch

pytestmark = pytest.mark.browser


@pytest.fixture
def people(db, make_user, make_gathering):
    from eventapp.gatherings.services import seed_topics

    seed_topics()
    db.session.commit()
    return {"directorate": make_user("directorate"),
            "host": make_user("county_host", county="46"),
            "gathering": make_gathering(county="46", title="Vestlandssamlinga",
                                        start=date(2027, 3, 10), end=date(2027, 3, 11))}


def test_the_directorate_adds_a_topic_and_a_host_uses_it(page, people, db, screenshot):
    log_in_ok(page, people["directorate"].email)
    page.goto("/gatherings/topics")
    expect(page.locator("[data-topic]")).to_have_count(10)
    form = page.locator("#add-topic form")
    form.locator("#name").fill("Bolig og bosetting")
    form.locator("#name_en").fill("Housing and settlement")
    form.locator("#code").fill("Bolig!")
    form.locator("button[type=submit]").click()
    # A bad code is refused beside its field; nothing is added.
    expect(page.locator("#code-error")).to_be_visible()
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-topic]")).to_have_count(10)
    page.locator("#add-topic #code").fill("housing")
    page.locator("#add-topic button[type=submit]").click()
    expect(page.locator("[data-topic]")).to_have_count(11)
    housing = page.locator('[data-topic="housing"]')
    expect(housing).to_contain_text("Bolig og bosetting")
    housing.locator("[data-action=up]").click()
    expect(page.locator("[data-topic]").nth(9)).to_have_attribute("data-topic", "housing")
    page.locator('[data-topic="nav_measures"] [data-action=deactivate]').click()
    expect(page.locator('[data-topic="nav_measures"]')).to_have_attribute("data-active", "0")
    screenshot(page, "programme-topics")

    page.context.clear_cookies()
    log_in_ok(page, people["host"].email)
    g = people["gathering"]
    page.goto(f"/gatherings/{g.id}/programme")
    form = page.locator("#item-form form")
    # The deactivated topic is not offered; the new one is.
    expect(form.locator('input[name=topics][value="nav_measures"]')).to_have_count(0)
    form.locator("#title").fill("Ukrainske flyktninger i Vestland")
    form.locator("#kind").select_option("talk")
    form.locator("#start").fill("09:00")
    form.locator("#end").fill("09:45")
    form.locator('input[name=topics][value="refugee_groups"]').check()
    form.locator('input[name=topics][value="housing"]').check()
    form.locator("button[type=submit]").click()
    item = page.locator(".programme-item", has_text="Ukrainske flyktninger i Vestland")
    expect(item.locator(".programme-topics")).to_have_attribute(
        "data-topics", "refugee_groups housing")
    expect(page.locator("#check-refugee_groups")).to_have_attribute("data-ok", "true")
    # The host has no way to the national list.
    page.goto("/gatherings/topics")
    expect(page.locator("h1")).not_to_have_text("Programtemaer")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_roll_up_page_draws_its_chart_and_fits(page, people, db, size, screenshot):
    from tests.reporting.test_topics import Raw

    raw = Raw(db)
    for county, year in (("46", 2025), ("11", 2025), ("03", 2025)):
        raw.gathering(county, year, "held", [
            ("a", ["refugee_groups"], False), ("b", ["legal_framework"], False),
            ("c", ["competence_mapping", "county_municipality"], False)],
            [("shown", ["a"], False), ("shown", ["a", "b"], False), ("shown", ["c"], False),
             ("shown", ["a", "c"], False), ("shown", ["b"], False), ("shown", ["a"], False)])
    if size == "phone":
        page.set_viewport_size(PHONE)
    # plotly.js is large; on a busy machine its page takes longer than the default to load.
    page.set_default_timeout(20000)
    messages = _watch(page)
    log_in_ok(page, people["directorate"].email)
    page.goto("/reports/topics?from=2025&to=2025")
    expect(page.locator("h1")).to_contain_text("2025")
    row = page.locator('tr[data-topic="refugee_groups"]')
    expect(row.locator('[data-field="held"]')).to_have_text(re.compile(r"3 av 3|3 of 3"))
    expect(row.locator('[data-field="ticked"]')).to_contain_text("(12)")
    # plotly drew the chart (its SVG), under the page's own CSP.
    expect(page.locator("#chart-topics .main-svg").first).to_be_visible()
    expect(page.locator("#chart-topics .barlayer .point")).to_have_count(4)
    assert page.evaluate("window.__csp") == []
    assert messages == []
    found: list[str] = []
    check_axe(page, f"topic report ({size})", found)
    width, inner = no_horizontal_scroll(page)
    assert width <= inner, f"the topic report scrolls sideways on {size}: {width} > {inner}"
    screenshot(page, f"topic-report-{size}")
    page.goto("/gatherings/topics")
    check_axe(page, f"topic list ({size})", found)
    width, inner = no_horizontal_scroll(page)
    assert width <= inner, f"the topic list scrolls sideways on {size}: {width} > {inner}"
    assert not found, "\n".join(found)
