"""A blank survey is refused with nothing saved (issue 16, guard rails)."""

import pytest
from sqlalchemy import func, select

from eventapp.core.errors import ValidationFailed
from eventapp.surveys import services
from eventapp.surveys.models import SurveyAnswer, SurveyResponse
from tests.conftest import get_csrf
from tests.surveys.conftest import OPEN_DAY, open_survey


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("answers", [{}, {"0": ""}, "blank-strings", "empty-lists"])
def test_a_blank_survey_is_refused_and_nothing_is_saved(db, world, answers):
    survey = open_survey(db, world["gathering"], world["host"])
    for q in survey.questions:
        q.required = False
    db.session.commit()
    if answers == "blank-strings":
        answers = {str(q.id): "   " for q in survey.questions}
    elif answers == "empty-lists":
        answers = {str(q.id): [] for q in survey.questions}
    elif answers == {"0": ""}:
        answers = {str(survey.questions[0].id): ""}
    with pytest.raises(ValidationFailed) as refused:
        services.submit(survey.qr_token, answers, "municipal", on=OPEN_DAY)
    assert "answers" in refused.value.fields
    db.session.rollback()
    assert count(db, SurveyResponse) == 0 and count(db, SurveyAnswer) == 0


def test_the_form_says_answer_at_least_one(client, db, world, monkeypatch):
    from eventapp.surveys.services import dates

    monkeypatch.setattr(dates, "today", lambda: OPEN_DAY)
    survey = open_survey(db, world["gathering"], world["host"])
    for q in survey.questions:
        q.required = False
    db.session.commit()
    url = f"/s/{survey.qr_token}"
    response = client.post(url, data={"csrf_token": get_csrf(client, url)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-error="answers"' in page and "Svar på minst ett spørsmål." in page
    assert count(db, SurveyResponse) == 0
