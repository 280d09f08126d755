"""What the results page, its files and the API give away: no answer, response or invitation id
and no time; free texts in an order that does not depend on when they came; the handle the
tagging form names an answer by changes on every load; filters wait until the survey closes."""

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from eventapp.core.errors import NotFound
from eventapp.reporting import services as reporting
from eventapp.surveys import services
from eventapp.surveys.models import (
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    survey_answer_themes,
)
from tests.conftest import login
from tests.surveys.conftest import OPEN_DAY, make_world, open_survey, question, submit

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Everything that would name an answer, a response or an invitation, or say when it came.
LEAKS = re.compile(r"\b(a|answer|answers|r|response|responses|invitation|i)\.id\b|"
                   r"submitted_on|answered_at|sent_at|reminded_at|data-answer|\.created_at")

# Ties on purpose: the same text twice (tagged differently), and texts that differ in case only.
TEXTS = ["Bra", "bra", "Bra", "Ærlig talt for lang dag", "alt var fint", "Alt var fint",
         "Mer gruppearbeid", "zzz", "Bra"]


@pytest.fixture
def world(db, places, make_user, make_gathering):
    gathering, host = make_world(db, make_user, make_gathering, "46", "vert@vestland.example")
    return {"gathering": gathering, "host": host,
            "directorate": make_user("directorate", county=None, email="hkdir@example.no")}


def test_no_template_of_the_survey_or_its_results_names_an_answer_or_a_time():
    for folder in ("surveys", "reporting"):
        for path in (TEMPLATES / folder).glob("*.html"):
            found = LEAKS.findall(path.read_text())
            assert not found, (path.name, found)


def _answer_all(db, survey, order):
    comments = question(survey, "comments")
    coop = question(survey, "cooperation")
    for i in order:
        submit(db, survey.qr_token, {str(comments.id): TEXTS[i],
                                     str(coop.id): ["helt_enig", "noytral"][i % 2]},
               ["municipal", "county"][i % 2])


def _tag_one_bra(db, survey, host, theme, which: int):
    """Tag the ``which``-th "Bra" as inserted: the first in one order, the last in the other."""
    bras = db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.text == "Bra")
                              .order_by(SurveyAnswer.id)).all()
    reporting.set_themes(survey, host, bras[which].id, [theme.id])
    db.session.commit()


def _normalised(html: str) -> str:
    html = re.sub(r'<input[^>]*name="[^"]*csrf_token"[^>]*>', "", html)
    return re.sub(r'name="(page|answer)" value="[^"]*"', r'name="\1"', html)


def _everything(client, gid, headers) -> dict:
    page = f"/gatherings/{gid}/survey/results"
    book = load_workbook(io.BytesIO(client.get(f"{page}.xlsx").data))
    return {"page": _normalised(client.get(page).get_data(as_text=True)),
            "csv": client.get(f"{page}.csv").data,
            "xlsx": [[list(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets],
            "api": client.get(f"/api/v1/gatherings/{gid}/survey/results",
                              headers=headers).get_json()}


def test_the_same_answers_in_another_order_give_the_same_page_files_and_api(
        app, db, world, api_headers):
    g, host = world["gathering"], world["host"]
    survey = open_survey(db, g, host)
    theme = reporting.create_theme(survey, host, "Ros")
    db.session.commit()
    client = app.test_client()
    login(client, host.email)
    headers = api_headers(host)
    seen = []
    for order, which in ((list(range(len(TEXTS))), 0), (list(reversed(range(len(TEXTS)))), -1)):
        db.session.execute(delete(survey_answer_themes))
        db.session.execute(delete(SurveyAnswer))
        db.session.execute(delete(SurveyResponse))
        db.session.commit()
        # Nine answers: the five released, four waiting; a tenth releases them all.
        _answer_all(db, survey, order)
        _answer_all(db, survey, [order[0]])
        assert services.results(survey)["responses"] == 10
        _tag_one_bra(db, survey, host, theme, which)
        seen.append(_everything(client, g.id, headers))
    assert seen[0]["api"] == seen[1]["api"]
    assert seen[0]["csv"] == seen[1]["csv"]
    assert seen[0]["xlsx"] == seen[1]["xlsx"]
    assert seen[0]["page"] == seen[1]["page"]
    texts = re.findall(r'<p class="survey-text-body">([^<]*)</p>', seen[0]["page"])
    assert len(texts) == 10 and texts == sorted(texts, key=lambda t: (t.casefold(), t))


def test_handles_change_on_every_load_and_name_no_id(app, db, world):
    g, host = world["gathering"], world["host"]
    survey = open_survey(db, g, host)
    reporting.create_theme(survey, host, "Ros")
    _answer_all(db, survey, range(5))
    db.session.commit()
    client = app.test_client()
    login(client, host.email)
    page = f"/gatherings/{g.id}/survey/results"
    first, second = client.get(page).text, client.get(page).text
    assert "data-answer" not in first
    handles = [re.findall(r'name="answer" value="([^"]+)"', html) for html in (first, second)]
    keys = [re.findall(r'name="page" value="([^"]+)"', html) for html in (first, second)]
    assert len(handles[0]) == 5 and len(set(handles[0])) == 5
    assert not set(handles[0]) & set(handles[1])
    assert len(set(keys[0])) == 1 and keys[0] != keys[1]
    ids = {str(a) for a in db.session.scalars(select(SurveyAnswer.id))}
    ids |= {str(r) for r in db.session.scalars(select(SurveyResponse.id))}
    for handle in handles[0]:
        assert handle not in ids and not handle.isdigit()
    # Nor does the tagging control's address (one control for the question's answers).
    assert re.findall(r'action="[^"]*/survey/answers/[^"]*"', first) == [
        f'action="/gatherings/{g.id}/survey/answers/themes"']


def test_files_and_api_carry_no_ids_or_times(app, db, world, api_headers):
    g, host = world["gathering"], world["host"]
    survey = open_survey(db, g, host)
    _answer_all(db, survey, range(5))
    services.close_survey(survey, host, on=OPEN_DAY)
    db.session.commit()
    client = app.test_client()
    login(client, host.email)
    allowed_ids = {"survey_id", "gathering_id", "question_id"}
    allowed_days = {"opens_on", "closes_on"}

    def keys(value):
        if isinstance(value, dict):
            for k, v in value.items():
                yield k
                yield from keys(v)
        elif isinstance(value, list):
            for v in value:
                yield from keys(v)

    for query in ("", "?group=municipal", "?settles=none"):
        body = client.get(f"/api/v1/gatherings/{g.id}/survey/results{query}",
                          headers=api_headers(host)).get_json()
        for key in keys(body):
            assert not key.endswith("id") or key in allowed_ids, key
            assert not re.search(r"_(at|on)$|date|time", key) or key in allowed_days, key
    page = f"/gatherings/{g.id}/survey/results"
    rows = list(csv.reader(io.StringIO(client.get(f"{page}.csv").data.decode("utf-8-sig")),
                           delimiter=";"))
    headers = [r for r in rows if r and r[0] in ("Nr.", "No.")]
    assert headers == [["Nr.", "Spørsmål", "Svar", "Antall", "Andel"],
                       ["Nr.", "Spørsmål", "Svar", "Temaer"]]
    question_numbers = {str(n) for n in range(1, len(survey.questions) + 1)}
    for row in rows[3:]:
        assert not row or row[0] in question_numbers or row[0] in ("Tall", "Tekstsvar", "Nr.")
    assert not re.search(rb"\d{4}-\d\d-\d\d|\d\d:\d\d", client.get(f"{page}.csv").data)
    book = load_workbook(io.BytesIO(client.get(f"{page}.xlsx").data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(hasattr(c, "year") for c in row), row


def test_filters_wait_until_the_survey_takes_no_more_answers(app, db, world, api_headers):
    g, host = world["gathering"], world["host"]
    survey = open_survey(db, g, host)
    _answer_all(db, survey, range(len(TEXTS)))
    _answer_all(db, survey, [1])  # five municipal, five county
    client = app.test_client()
    login(client, host.email)
    page = f"/gatherings/{g.id}/survey/results"
    html = client.get(page).text
    assert 'data-note="filters-wait"' in html and 'name="group"' not in html
    assert 'data-note="release-step"' in html
    waiting = client.get(f"{page}?group=municipal").text
    assert 'id="suppressed"' in waiting and "survey-question" not in waiting
    body = client.get(f"/api/v1/gatherings/{g.id}/survey/results?group=municipal",
                      headers=api_headers(host)).get_json()
    assert body["suppressed"] is True and body["filters_open"] is False
    assert body["release_step"] == 5 and body["responses"] == 10
    csv_body = client.get(f"{page}.csv?group=municipal").data.decode("utf-8-sig")
    assert "Bra" not in csv_body
    services.close_survey(survey, host, on=OPEN_DAY)
    db.session.commit()
    html = client.get(f"{page}?group=municipal").text
    assert 'name="group"' in html and 'id="suppressed"' not in html
    assert re.search(r'data-figure="filtered">5 ', html)


def test_a_waiting_answer_cannot_be_tagged(db, world):
    g, host = world["gathering"], world["host"]
    survey = open_survey(db, g, host)
    _answer_all(db, survey, range(6))
    theme = reporting.create_theme(survey, host, "Ros")
    db.session.commit()
    waiting = db.session.scalars(
        select(SurveyAnswer).join(SurveyResponse).join(SurveyQuestion)
        .where(SurveyResponse.state == "pending", SurveyAnswer.text.is_not(None))).one()
    page_key = "k" * 22
    with pytest.raises(NotFound):
        reporting.answer_by_handle(survey, page_key, reporting.answer_handle(page_key,
                                                                            waiting.id))
    with pytest.raises(NotFound):
        reporting.set_themes(survey, host, waiting.id, [theme.id])
