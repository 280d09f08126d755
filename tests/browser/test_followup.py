"""The follow-up log on a phone: the host adds an item, is refused beside the field, fixes it
and gives it a due date; the page passes axe and fits 390 px without sideways scroll."""

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventapp.followup import services
from eventapp.followup.models import FollowUpItem
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import check_axe, log_in_ok, no_horizontal_scroll
from tests.grants.conftest import add_person

pytestmark = pytest.mark.browser


@pytest.fixture
def world(db, places, make_user, make_gathering, monkeypatch):
    # Answers are mailed only after the gathering (11 March 2027).
    monkeypatch.setattr(services, "today", lambda: date(2027, 6, 1))
    gathering = make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                               end=date(2027, 3, 11))
    gathering.status = "held"
    db.session.commit()
    return {"gathering": gathering,
            "host": make_user("county_host", county="46", email="vert@vestland.example")}


@pytest.fixture
def add_item(db):
    def add(gathering, host, raised, **fields):
        item = services.add_item(gathering, host, services.ItemData(
            kind=fields.pop("kind", "question"), raised=raised, **fields))
        db.session.commit()
        return item

    return add


def test_follow_up_log_at_390_px(page, db, world, add_item, screenshot):
    g, host = world["gathering"], world["host"]
    for _ in range(3):
        add_person(db, g)
    add_item(g, host, "Kan vi få presentasjonene fra samlingen?", raised_by="Bord 3",
             answer="Ja, de ligger på fylkets nettsider under «Karriereveiledning».",
             status="done")
    add_item(g, host, "Kommunene ønsker et felles bookingsystem for veiledningssamtaler",
             kind="input", raised_by="Bodø kommune", owner="Karrieresenteret",
             action="Karrieresenteret setter opp booking av veiledning fra høsten",
             status="in_progress")
    found: list[str] = []
    log_in_ok(page, host.email)
    page.set_viewport_size(PHONE)
    page.goto(f"/gatherings/{g.id}/follow-up")
    page.locator("#add input[value=question]").check()
    page.locator("#raised").fill("Hvem betaler tolk neste gang?")
    page.locator("#status").select_option("done")
    page.locator("#add button[type=submit]").click()
    expect(page.locator("#answer-error")).to_be_visible()
    expect(page.locator("#answer")).to_have_attribute("aria-invalid", "true")
    assert db.session.scalars(select(FollowUpItem).where(
        FollowUpItem.raised.like("Hvem betaler%"))).first() is None
    check_axe(page, "follow-up: refused (phone)", found)
    width, inner = no_horizontal_scroll(page)
    assert width <= inner, f"scrolls sideways: {width} > {inner}"
    screenshot(page, "followup-refused-phone")

    page.locator("#answer").fill("Fylket dekker tolk etter avtale.")
    # The date picker offers nothing before the gathering; a due date goes with the item.
    expect(page.locator("#due_on")).to_have_attribute("min", "2027-03-10")
    page.locator("#due_on").fill("2027-04-15")
    page.locator("#add button[type=submit]").click()
    expect(page.locator(".alert--success")).to_be_visible()
    expect(page.locator("tr[data-item]")).to_have_count(3)
    expect(page.locator("td[data-due='2027-04-15']")).to_be_visible()
    check_axe(page, "follow-up: log (phone)", found)
    width, inner = no_horizontal_scroll(page)
    assert width <= inner, f"scrolls sideways: {width} > {inner}"
    screenshot(page, "followup-log-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "followup-log-desktop")
    page.locator("[data-action=mail]").click()
    check_axe(page, "follow-up: mail (desktop)", found)
    screenshot(page, "followup-mail-desktop")
    page.set_viewport_size(PHONE)
    width, inner = no_horizontal_scroll(page)
    assert width <= inner, f"mail page scrolls sideways: {width} > {inner}"
    screenshot(page, "followup-mail-phone")
    assert not found, "\n".join(found)
