"""Removing a national survey question asks first, saying what surveys keep it."""

import html as html_lib

from sqlalchemy import select

from eventapp.surveys.models import SurveyQuestion
from tests.conftest import get_csrf, login


def _text(response) -> str:
    return " ".join(html_lib.unescape(response.get_data(as_text=True)).split())


def test_removing_a_national_question_asks_first(client, db, world):
    login(client, world["directorate"].email)
    year = world["gathering"].start_date.year
    url = f"/surveys/template?year={year}"
    client.get(url)
    question = db.session.scalars(select(SurveyQuestion).where(
        SurveyQuestion.year == year, SurveyQuestion.code == "tables")).one()
    question_id = question.id
    delete = f"/surveys/template/{question_id}/delete"
    assert f'href="{delete}"' in client.get(url).get_data(as_text=True)

    page = client.get(delete)
    shown = _text(page)
    assert page.status_code == 200
    assert "Fjerne spørsmålet fra den nasjonale malen?" in shown
    assert f"fjernes fra den nasjonale malen for {year}" in shown
    assert "Ingen undersøkelse er satt opp med det ennå." in shown
    assert "Ja, fjern spørsmålet" in shown

    token = get_csrf(client, url)
    assert client.post(delete, data={"csrf_token": token}).status_code == 200
    assert db.session.get(SurveyQuestion, question_id) is not None
    assert client.post(delete, data={"csrf_token": token, "confirmed": "1"}).status_code == 302
    db.session.expunge_all()
    assert db.session.get(SurveyQuestion, question_id) is None


def test_the_count_of_surveys_that_keep_the_question(client, db, world):
    from eventapp.surveys import services

    services.survey_for(world["gathering"], world["host"])
    db.session.commit()
    year = world["gathering"].start_date.year
    question = db.session.scalars(select(SurveyQuestion).where(
        SurveyQuestion.year == year, SurveyQuestion.code == "tables")).one()
    login(client, world["directorate"].email)
    shown = _text(client.get(f"/surveys/template/{question.id}/delete"))
    assert "1 undersøkelse som alt er satt opp, beholder sin kopi og sine svar." in shown
