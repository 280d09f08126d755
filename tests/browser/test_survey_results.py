"""The survey results page and the national survey comparison in Chromium: plotly draws every
chart under the CSP with nothing in the console, at desktop and phone width, no sideways
scroll, and axe finds nothing serious."""

import random

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from eventapp.reporting import services as reporting
from eventapp.surveys.models import AGREEMENT, SurveyResponse
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import check_axe, log_in_ok, no_horizontal_scroll
from tests.browser.test_reporting import _watch
from tests.surveys.conftest import make_world, open_survey, submit

pytestmark = pytest.mark.browser

COMMENTS = ["Bookingsystemet var tungvint å bruke for oss i kommunen",
            "Mer tid til gruppearbeid, takk", "Gode samtaler ved bordene",
            "Fint å møte andre kommuner"]


def _answer_all(rng, survey) -> dict:
    answers = {}
    for q in survey.questions:
        if q.kind == "agreement":
            answers[str(q.id)] = rng.choice(AGREEMENT)
        elif q.kind == "single":
            answers[str(q.id)] = rng.choice(q.values)
        elif q.kind in ("multiple", "programme_items"):
            answers[str(q.id)] = rng.sample(q.values, rng.randint(1, 3))
        elif rng.random() < 0.5:
            answers[str(q.id)] = rng.choice(COMMENTS)
    return answers


def test_survey_pages_draw_their_charts(page, db, make_user, make_gathering, screenshot):
    rng = random.Random(5)
    directorate = make_user("directorate", county=None, email="hkdir@example.no")
    gathering = None
    # Agder's two are too few, and Innlandet's five are hidden with them (else the national
    # figure less the others would give Agder away).
    for county, n in (("46", 9), ("11", 6), ("42", 2), ("34", 5)):
        g, host = make_world(db, make_user, make_gathering, county)
        survey = open_survey(db, g, host)
        for _ in range(n):
            submit(db, survey.qr_token, _answer_all(rng, survey),
                   rng.choice(["municipal", "county", "partner"]))
        # All shown, as responses stored before figures moved five at a time are, so that
        # there are counties under five to hide.
        db.session.execute(update(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
                           .values(state="shown"))
        db.session.commit()
        if county == "46":
            gathering, vestland = g, survey
            themes = [reporting.create_theme(vestland, host, name)
                      for name in ("Bookingsystem", "Gruppearbeid")]
            report = reporting.survey_results(vestland)
            for answers in report.texts.values():
                for a in answers[:2]:
                    answer = reporting.answer_by_handle(vestland, report.page_key, a.handle)
                    reporting.set_themes(vestland, host, answer.id, [themes[0].id])
            db.session.commit()
    messages = _watch(page)
    log_in_ok(page, directorate.email)
    found: list[str] = []
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        response = page.goto(f"/gatherings/{gathering.id}/survey/results")
        assert response.status == 200
        charts = page.locator(".survey-chart .report-chart-canvas")
        # One chart per question with options: agreement, programme items, settles.
        expect(charts).to_have_count(3)
        for i in range(3):
            expect(charts.nth(i).locator(".main-svg").first).to_be_visible()
        assert page.locator(".js-plotly-plot").count() == 3
        # One theme control per question works on the answers ticked below it.
        form = page.locator(".survey-tag-form").first
        expect(form.locator(".survey-tag-control select")).to_be_visible()
        expect(form.locator(".survey-tag-count")).to_contain_text("0")
        form.locator('input[name="answer"]').nth(0).check()
        expect(form.locator(".survey-tag-count")).to_contain_text("1")
        if size == "desktop":
            form.locator("select").select_option(label="Gruppearbeid")
            form.locator('button[value="add"]').click()
            expect(page.locator("[data-themes]", has_text="Gruppearbeid")).to_have_count(1)
        # The themes (new one, and the list with counts) come before the questions.
        themes_box = page.locator("#themes").bounding_box()
        assert themes_box["y"] < page.locator(".survey-question").first.bounding_box()["y"]
        page.locator(".survey-theme-admin summary").click()
        expect(page.locator(".survey-theme-used").first).to_be_visible()
        width, inner = no_horizontal_scroll(page)
        assert width <= inner, f"the results page scrolls sideways on {size}"
        check_axe(page, f"survey results {size}", found)
        screenshot(page, f"survey-results-{size}")

        response = page.goto("/reports/national/survey?year=2027")
        assert response.status == 200
        expect(page.locator("#chart-cooperation .main-svg").first).to_be_visible()
        expect(page.locator("#chart-settles .main-svg").first).to_be_visible()
        # Vestland and Rogaland drawn; Agder has too few responses for a bar.
        expect(page.locator("#chart-cooperation .barlayer .point")).to_have_count(2)
        # Top items per county, and each county's name leads to its results.
        expect(page.locator('#nq-useful_items [data-field="top-items"] li')).to_have_count(6)
        expect(page.locator('#nq-useful_items a[data-link="results"]')).to_have_count(2)
        width, inner = no_horizontal_scroll(page)
        assert width <= inner, f"the survey comparison scrolls sideways on {size}"
        check_axe(page, f"survey comparison {size}", found)
        screenshot(page, f"survey-national-{size}")

        page.goto(f"/gatherings/{gathering.id}/survey/themes/{themes[0].id}/delete")
        expect(page.locator("#delete-theme button")).to_be_visible()
        width, inner = no_horizontal_scroll(page)
        assert width <= inner, f"the theme deletion page scrolls sideways on {size}"
        check_axe(page, f"delete theme {size}", found)
    assert page.evaluate("window.__csp") == []
    assert messages == []
    assert not found, "\n".join(found)
