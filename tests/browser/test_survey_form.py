"""The survey in the browser: a participant answers on a phone in Norwegian by personal link
and in English by the QR code; the host's survey and QR pages. Every page passes axe and fits
a phone without sideways scroll."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from eventapp.surveys import services
from eventapp.surveys.models import SurveyResponse
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import check_axe, log_in_ok, no_horizontal_scroll
from tests.grants.conftest import add_person
from tests.surveys.conftest import add_items

pytestmark = pytest.mark.browser


def check(page, where: str, found: list[str], screenshot, name: str):
    check_axe(page, where, found)
    width, inner = no_horizontal_scroll(page)
    if width > inner:
        found.append(f"[{where}] scrolls sideways: {width} > {inner}")
    screenshot(page, f"survey-{name}")


def test_participants_answer_on_a_phone_in_both_languages(page, db, make_user, make_gathering,
                                                          screenshot):
    # The gathering ends today: the survey opens and invites in the browser's own present.
    today = services.today()
    gathering = make_gathering(county="46", title="Vestlandssamlinga om karriereveiledning",
                               start=today - timedelta(days=1), end=today)
    gathering.status = "held"
    db.session.commit()
    add_items(db, gathering)
    host = make_user("county_host", county="46", email="vert@vestland.example")
    add_person(db, gathering, email="p@example.no")
    survey = services.survey_for(gathering, host)
    own = services.add_question(survey, host, kind="short_text", text="Hvilken kommune jobber du i?",
                                text_en="Which municipality do you work in?", required=True)
    services.open_survey(survey, host)
    [token] = services.invite(survey, host).values()
    db.session.commit()
    cooperation = next(q for q in survey.questions if q.code == "cooperation")
    found: list[str] = []

    # Norwegian, by personal link, on a phone: a refused send first, then a good one.
    page.set_viewport_size(PHONE)
    page.goto(f"/s/{token}")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    check(page, "form nb", found, screenshot, "form-nb-phone")
    # Every question is the same box: its heading inside the border, all starting at one edge.
    boxes = page.locator(".survey-answers .survey-question")
    lefts = set()
    for i in range(boxes.count()):
        box = boxes.nth(i).bounding_box()
        title = boxes.nth(i).locator(".survey-question-title").first.bounding_box()
        lefts.add(round(box["x"]))
        if title["y"] < box["y"] + 1 or title["x"] < box["x"] + 1:
            found.append(f"question {i}: its heading is not inside its box")
    if len(lefts) != 1:
        found.append(f"the questions start at different edges: {sorted(lefts)}")
    page.locator("button[data-action=submit]").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page.locator(f"#q{own.id}-error")).to_be_visible()
    check(page, "form nb with errors", found, screenshot, "form-nb-errors-phone")
    page.get_by_label("Helt enig").check()
    page.locator(f"#q{own.id}").fill("Bergen")
    page.locator(f"#question-{next(q.id for q in survey.questions if q.code == 'useful_items')}"
                 " input").first.check()
    page.locator("button[data-action=submit]").click()
    expect(page.locator("[data-state=thanks]")).to_be_visible()
    check(page, "thanks", found, screenshot, "thanks-phone")
    # Back on the link: the answers are there to be changed.
    page.goto(f"/s/{token}")
    expect(page.locator(f"#q{cooperation.id}-0")).to_be_checked()
    expect(page.locator(f"#q{own.id}")).to_have_value("Bergen")

    # English, by the QR code, switched with the language buttons above the form.
    page.goto(f"/s/{survey.qr_token}")
    page.locator("[data-part=language] button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Which municipality do you work in?")).to_be_visible()
    check(page, "form en", found, screenshot, "form-en-phone")
    page.set_viewport_size(DESKTOP)
    check(page, "form en desktop", found, screenshot, "form-en-desktop")
    page.set_viewport_size(PHONE)
    page.get_by_label("Partly disagree").check()
    page.get_by_label("Which municipality do you work in?").fill("Voss")
    page.locator("#group-1").check()
    page.locator("button[data-action=submit]").click()
    expect(page.locator("[data-state=thanks]")).to_be_visible()
    # Sent again from the same phone, the answer is changed, not added.
    page.goto(f"/s/{survey.qr_token}")
    expect(page.get_by_label("Partly disagree")).to_be_checked()
    page.get_by_label("Partly agree").check()
    page.locator("button[data-action=submit]").click()
    expect(page.locator("[data-state=edited]")).to_be_visible()
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 2
    groups = sorted(db.session.scalars(select(SurveyResponse.participant_group)))
    assert groups == ["county", "municipal"]

    # The host's pages, at both sizes, in Norwegian again.
    page.locator("footer button[value=nb]").click()
    log_in_ok(page, host.email)
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(f"/gatherings/{gathering.id}/survey")
        # Two responses wait for three more before any figure counts them.
        expect(page.locator("[data-figure=responses]")).to_have_text("0")
        check(page, f"survey page {size}", found, screenshot, f"host-{size}")
        page.goto(f"/gatherings/{gathering.id}/survey/qr")
        expect(page.locator(".survey-qr-code")).to_be_visible()
        check(page, f"qr page {size}", found, screenshot, f"qr-{size}")
    assert not found, "\n".join(found)
