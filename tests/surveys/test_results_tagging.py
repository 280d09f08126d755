"""The results page sorts free-text answers into themes with one control per question that
works on the answers ticked (issue 20: a form per answer made the page 412 KB): the page stays
small with many answers, a theme goes on (and comes off) several answers at once, and bad input
is refused with a message, changing nothing."""

import random
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from eventapp.reporting import services as reporting
from eventapp.surveys.models import SurveyAnswer, survey_answer_themes
from tests.conftest import login
from tests.reporting.test_query_counts import answer
from tests.surveys.conftest import make_world, open_survey, question


@pytest.fixture
def tagged_survey(db, world):
    survey = open_survey(db, world["gathering"], world["host"])
    answer(db, survey, 12, random.Random(3))
    themes = [reporting.create_theme(survey, world["host"], n) for n in ("Lokalet", "Mat")]
    db.session.commit()
    return {**world, "survey": survey, "themes": themes,
            "page": f"/gatherings/{world['gathering'].id}/survey/results",
            "post": f"/gatherings/{world['gathering'].id}/survey/answers/themes"}


def _form(html: str, question_id: int) -> dict:
    """What the question's tagging control sends, without the answers ticked."""
    form = re.search(rf'<form[^>]*class="survey-tag-form".*?name="question" value="{question_id}"'
                     r'.*?</form>', html, re.S)[0]
    return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form)[1],
            "page": re.search(r'name="page" value="([^"]+)"', form)[1],
            "question": str(question_id)}


def _handles(html: str) -> dict[str, str]:
    """{answer text: its checkbox's handle} on the page."""
    return {unescape(text): handle for handle, text in re.findall(
        r'name="answer" value="([^"]+)">.*?<p class="survey-text-body">([^<]*)</p>', html)}


def _tags(db) -> dict[str, list[str]]:
    db.session.expire_all()
    return {a.text: sorted(t.name for t in a.themes)
            for a in db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.text.is_not(None)))
            if a.themes}


def test_the_page_stays_small_with_many_answers(client, db, world):
    survey = open_survey(db, world["gathering"], world["host"])
    answer(db, survey, 400, random.Random(4), "Et svar som er litt lengre enn de fleste")
    for name in ("Lokalet", "Mat", "Reise", "Gruppearbeid", "Bookingsystem", "Ukraina"):
        reporting.create_theme(survey, world["host"], name)
    db.session.commit()
    login(client, world["host"].email)
    html = client.get(f"/gatherings/{world['gathering'].id}/survey/results").text
    assert len(html.encode()) < 150_000, len(html.encode())
    # Every answer can be ticked, under one control for the question.
    assert html.count('name="answer"') == 400
    assert html.count('class="survey-tag-form"') == 1
    assert html.count('name="theme"') == 1


def test_a_theme_goes_on_and_off_several_answers_at_once(client, db, tagged_survey):
    s = tagged_survey
    comments = question(s["survey"], "comments").id
    lokalet, mat = s["themes"]
    login(client, s["host"].email)
    html = client.get(s["page"]).text
    handles = _handles(html)
    assert len(handles) == 12
    texts = sorted(handles)
    ticked = texts[:3]
    response = client.post(s["post"], data={**_form(html, comments), "theme": str(lokalet.id),
                                            "action": "add",
                                            "answer": [handles[t] for t in ticked]})
    assert response.status_code == 302 and response.location.endswith(f"#q-{comments}")
    assert _tags(db) == {t: ["Lokalet"] for t in ticked}
    # A second theme on two of them and one more; then the first theme off two.
    html = client.get(s["page"]).text
    handles = _handles(html)
    client.post(s["post"], data={**_form(html, comments), "theme": str(mat.id), "action": "add",
                                 "answer": [handles[t] for t in (texts[0], texts[1], texts[5])]})
    client.post(s["post"], data={**_form(html, comments), "theme": str(lokalet.id),
                                 "action": "remove",
                                 "answer": [handles[t] for t in (texts[0], texts[2])]})
    assert _tags(db) == {texts[0]: ["Mat"], texts[1]: ["Lokalet", "Mat"], texts[5]: ["Mat"]}
    page = client.get(s["page"]).text
    assert f'<li data-theme="{mat.id}" data-count="3">' in page
    assert f'<li data-theme="{lokalet.id}" data-count="1">' in page


def test_bad_input_is_refused_with_a_message_and_changes_nothing(
        client, db, tagged_survey, make_user, make_gathering):
    s = tagged_survey
    comments = question(s["survey"], "comments").id
    lokalet = s["themes"][0]
    other_g, other_host = make_world(db, make_user, make_gathering, "11")
    other = open_survey(db, other_g, other_host)
    answer(db, other, 5, random.Random(5), "Annet fylke")
    foreign_theme = reporting.create_theme(other, other_host, "Fremmed")
    db.session.commit()
    foreign_answer = db.session.scalars(select(SurveyAnswer).where(
        SurveyAnswer.text.like("Annet fylke%"))).first()
    login(client, s["host"].email)
    client.set_cookie("lang", "en")  # the messages as written
    html = client.get(s["page"]).text
    form = _form(html, comments)
    own = list(_handles(html).values())[:2]
    foreign = reporting.answer_handle(form["page"], foreign_answer.id)
    refusals = {
        "no answer ticked": ({"theme": str(lokalet.id), "action": "add"},
                             "Tick one or more answers first."),
        "another gathering's answer": (
            {"theme": str(lokalet.id), "action": "add", "answer": [*own, foreign]},
            "Some of the ticked answers are not among this survey's answers"),
        "a made-up handle": ({"theme": str(lokalet.id), "action": "add", "answer": ["x" * 22]},
                             "Some of the ticked answers are not among this survey's answers"),
        "another page's key": ({"theme": str(lokalet.id), "action": "add", "answer": own,
                                "page": "mine"},
                               "Some of the ticked answers are not among this survey's answers"),
        "an unknown theme": ({"theme": "999999", "action": "add", "answer": own},
                             "Choose one of this survey's themes."),
        "another survey's theme": ({"theme": str(foreign_theme.id), "action": "add",
                                    "answer": own}, "Choose one of this survey's themes."),
        "no theme": ({"theme": "", "action": "add", "answer": own},
                     "Choose one of this survey's themes."),
        "an unknown action": ({"theme": str(lokalet.id), "action": "swap", "answer": own},
                              "Choose whether to add the theme or to remove it."),
    }
    for why, (data, message) in refusals.items():
        response = client.post(s["post"], data={**form, **data})
        assert response.status_code == 422, why
        assert message in unescape(response.text), why
        assert 'role="alert"' in response.text, why
    # Without a valid CSRF token: refused too (by the app-wide check, before the view).
    response = client.post(s["post"], data={**form, "csrf_token": "x", "theme": str(lokalet.id),
                                            "action": "add", "answer": own})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(survey_answer_themes)) == 0
