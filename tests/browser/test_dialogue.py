"""The directorate in planning on a phone: the host writes to the directorate (refused beside
the field first), reads another county's programme and copies an item into their own (a bad
start refused first); the directorate marks the programme quality assured and records the
evaluation meeting. Every page passes axe and fits 390 px without sideways scroll."""

from datetime import date, time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from eventapp.dialogue import services
from eventapp.dialogue.models import DialogueComment, EvaluationMeeting
from eventapp.gatherings.models import ProgrammeItem
from tests.browser.conftest import PHONE
from tests.browser.test_journeys import check_axe, log_in_ok, no_horizontal_scroll
from tests.dialogue.conftest import add_programme_item

pytestmark = pytest.mark.browser


@pytest.fixture
def world(db, places, make_user, make_gathering, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: date(2027, 6, 1))
    host = make_user("county_host", county="46", email="vert@vestland.example")
    rogaland_host = make_user("county_host", county="11", email="vert@rogaland.example")
    directorate = make_user("directorate", county=None, email="hkdir@example.no")
    coming = make_gathering(county="46", title="Høstsamlinga", start=date(2027, 9, 14),
                            end=date(2027, 9, 15), status="open")
    add_programme_item(db, coming, host, "Velkommen", start=time(9, 0), end=time(9, 30))
    held = make_gathering(county="46", title="Vestlandssamlinga", start=date(2027, 3, 10),
                          end=date(2027, 3, 11), status="held")
    other = make_gathering(county="11", title="Rogalandssamlingen", start=date(2027, 4, 20),
                           end=date(2027, 4, 21), status="open")
    talk = add_programme_item(db, other, rogaland_host, "Hvem kommer nå?", start=time(10, 0),
                              end=time(11, 30),
                              speakers=[("Kari Nordmann", "IMDi Vest", "imdi")])
    return {"host": host, "directorate": directorate, "coming": coming, "held": held,
            "other": other, "talk": talk}


def _fits(page, where, found):
    check_axe(page, where, found)
    width, inner = no_horizontal_scroll(page)
    assert width <= inner, f"{where} scrolls sideways: {width} > {inner}"


def test_the_directorate_in_planning_at_390_px(page, db, world, screenshot):
    found: list[str] = []
    coming, talk = world["coming"], world["talk"]
    log_in_ok(page, world["host"].email)
    page.set_viewport_size(PHONE)

    page.goto(f"/gatherings/{coming.id}/conversation")
    page.locator("#write button[type=submit]").click()
    expect(page.locator("#body-error")).to_be_visible()
    expect(page.locator("#body")).to_have_attribute("aria-invalid", "true")
    _fits(page, "conversation: refused (phone)", found)
    page.locator("#body").fill("Kan dere se over programmet for dag 2?")
    page.locator("#write button[type=submit]").click()
    expect(page.locator(".alert--success")).to_be_visible()
    expect(page.locator("[data-list=comments] > li")).to_have_count(1)
    _fits(page, "conversation (phone)", found)
    screenshot(page, "dialogue-conversation-phone")
    assert db.session.scalar(select(func.count(DialogueComment.id))) == 1

    page.goto(f"/gatherings/{coming.id}")
    page.locator(f"a[href='/programmes/other-counties?gathering_id={coming.id}']").first.click()
    _fits(page, "other programmes (phone)", found)
    page.get_by_role("link", name="Rogalandssamlingen").click()
    item = page.locator(f"#item-{talk.id}")
    item.locator("summary").click()
    page.locator(f"#item{talk.id}-day").select_option("1")
    page.locator(f"#item{talk.id}-start").fill("23:00")
    item.locator("button[type=submit]").click()
    expect(page.locator(f"#item{talk.id}-start-error")).to_be_visible()
    _fits(page, "copy: refused (phone)", found)
    screenshot(page, "dialogue-copy-refused-phone")
    page.locator(f"#item{talk.id}-start").fill("13:00")
    page.locator(f"#item-{talk.id} button[type=submit]").click()
    expect(page.locator(".alert--success")).to_be_visible()
    assert db.session.scalar(select(func.count(ProgrammeItem.id)).where(
        ProgrammeItem.gathering_id == coming.id)) == 2

    page.context.clear_cookies()
    log_in_ok(page, world["directorate"].email)
    page.goto(f"/gatherings/{coming.id}/checks")
    page.locator("[data-action=mark-quality]").click()
    expect(page.locator("[data-quality=assured]")).to_be_visible()
    _fits(page, "checklist: quality assured (phone)", found)

    held = world["held"]
    page.goto(f"/gatherings/{held.id}/evaluation-meeting")
    page.locator("#held_on").fill("2027-03-01")
    page.locator("#notes").fill("Godt program.")
    page.locator("#record button[type=submit]").click()
    expect(page.locator("#held_on-error")).to_be_visible()
    _fits(page, "evaluation meeting: refused (phone)", found)
    page.locator("#held_on").fill("2027-04-02")
    page.locator("#agreed_actions").fill("Mer tid til gruppene\nInviter NAV tidlig")
    page.locator("#record button[type=submit]").click()
    expect(page.locator("[data-list=agreed-actions] li")).to_have_count(2)
    _fits(page, "evaluation meeting (phone)", found)
    screenshot(page, "dialogue-meeting-phone")
    assert db.session.scalar(select(func.count(EvaluationMeeting.id))) == 1
    assert not found, "\n".join(found)
