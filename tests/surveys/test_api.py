"""The survey's API: answering by token without a bearer, results scoped to the county and
the directorate, the national report for the directorate only; bodies match the spec."""

from datetime import timedelta

import jsonschema
import pytest
from sqlalchemy import func, select

from eventapp.api.spec import OPERATIONS
from eventapp.surveys import services
from eventapp.surveys.models import SurveyAnswer, SurveyResponse
from tests.surveys.conftest import OPEN_DAY, add_person, question


def _op(operation_id):
    return next(o for o in OPERATIONS if o.operation_id == operation_id)


def _responses(db) -> int:
    return db.session.scalar(select(func.count(SurveyResponse.id)))


@pytest.fixture
def running(db, world, monkeypatch):
    """The survey open today, three people invited, one of them a partner. Today is the
    gathering's last day: a survey does not open before the gathering has begun."""
    monkeypatch.setattr(services.dates, "today", lambda: OPEN_DAY)
    g, host = world["gathering"], world["host"]
    people = [add_person(db, g), add_person(db, g), add_person(db, g, kind="partner",
                                                                  role="partner")]
    survey = services.survey_for(g, host)
    services.open_survey(survey, host)
    tokens = services.invite(survey, host)
    db.session.commit()
    return {**world, "survey": survey, "tokens": [tokens[p.id] for p in people]}


def test_operations_are_published(app):
    assert (_op("submitSurveyResponse").method, _op("submitSurveyResponse").path) == (
        "POST", "/surveys/{token}/responses")
    assert _op("submitSurveyResponse").public is True
    assert _op("getSurveyResults").path == "/gatherings/{id}/survey/results"
    assert _op("nationalSurveyReport").path == "/reports/national/survey"


def test_a_personal_link_answers_then_edits_without_a_bearer(db, client, running):
    survey, token = running["survey"], running["tokens"][2]
    coop = question(survey, "cooperation")
    url = f"/api/v1/surveys/{token}/responses"
    first = client.post(url, json={"answers": {str(coop.id): "delvis_enig"}})
    assert first.status_code == 201 and first.get_json() == {"result": "created"}
    jsonschema.validate(first.get_json(), _op("submitSurveyResponse").response)
    again = client.post(url, json={"answers": {str(coop.id): "helt_uenig"}})
    assert again.status_code == 200 and again.get_json() == {"result": "edited"}
    assert _responses(db) == 1
    response = db.session.scalars(select(SurveyResponse)).one()
    assert response.participant_group == "partner"
    assert db.session.scalars(select(SurveyAnswer.choice)).all() == ["helt_uenig"]


def test_the_qr_token_adds_a_response_each_time(db, client, running):
    survey = running["survey"]
    coop = question(survey, "cooperation")
    for group in ("municipal", "county"):
        r = client.post(f"/api/v1/surveys/{survey.qr_token}/responses",
                        json={"answers": {str(coop.id): "helt_enig"}, "group": group})
        assert r.status_code == 201
    assert _responses(db) == 2


def test_bad_answers_give_422_per_question_and_save_nothing(db, client, running):
    survey, token = running["survey"], running["tokens"][0]
    coop, items = question(survey, "cooperation"), question(survey, "useful_items")
    r = client.post(f"/api/v1/surveys/{token}/responses",
                    json={"answers": {str(coop.id): "kanskje", str(items.id): ["item-0"],
                                      str(coop.id + 10_000): "x"}})
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert set(fields) == {str(coop.id), str(items.id), str(coop.id + 10_000)}
    assert _responses(db) == 0
    r = client.post(f"/api/v1/surveys/{token}/responses", json={"answers": {}, "extra": 1})
    assert r.status_code == 422 and _responses(db) == 0
    r = client.post(f"/api/v1/surveys/{token}/responses", json={"answers": {str(coop.id): 5}})
    assert r.status_code == 422 and _responses(db) == 0


def test_unknown_tokens_404_and_closed_or_early_surveys_409(db, client, running):
    survey, token = running["survey"], running["tokens"][0]
    coop = question(survey, "cooperation")
    body = {"answers": {str(coop.id): "helt_enig"}}
    r = client.post("/api/v1/surveys/" + "a" * 43 + "/responses", json=body)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    survey.opens_on = services.today() + timedelta(days=2)
    survey.closes_on = services.today() + timedelta(days=9)
    db.session.commit()
    r = client.post(f"/api/v1/surveys/{token}/responses", json=body)
    assert r.status_code == 409 and "ikke åpnet ennå" in r.get_json()["error"]["message"]
    services.close_survey(survey, running["host"])
    db.session.commit()
    r = client.post(f"/api/v1/surveys/{survey.qr_token}/responses", json=body)
    assert r.status_code == 409 and "er avsluttet" in r.get_json()["error"]["message"]
    assert _responses(db) == 0


@pytest.mark.parametrize("who, status", [
    ("host", 200), ("counsellor", 200), ("directorate", 200), ("contact", 404),
    ("outsider", 404),
])
def test_results_are_scoped(db, client, api_headers, running, who, status):
    survey = running["survey"]
    coop = question(survey, "cooperation")
    for token, value in zip(running["tokens"], ("helt_enig", "vet_ikke", "helt_uenig"),
                            strict=True):
        client.post(f"/api/v1/surveys/{token}/responses", json={"answers": {str(coop.id): value}})
    # Two more by the QR code: five in all, enough to show.
    for value in ("delvis_enig", "noytral"):
        client.post(f"/api/v1/surveys/{survey.qr_token}/responses",
                    json={"answers": {str(coop.id): value}})
    r = client.get(f"/api/v1/gatherings/{running['gathering'].id}/survey/results",
                   headers=api_headers(running[who]))
    assert r.status_code == status
    if status != 200:
        assert "cooperation" not in r.get_data(as_text=True)
        return
    body = r.get_json()
    jsonschema.validate(body, _op("getSurveyResults").response)
    assert body["invitations"] == 3 and body["responses"] == 5 and body["responses_qr"] == 2
    assert body["response_rate"] == 1.0 and body["closes_on"] == survey.closes_on.isoformat()
    got = next(q for q in body["questions"] if q["code"] == "cooperation")
    assert got["agree"] == 2 and got["considered"] == 4 and got["agree_share"] == 0.4


def test_results_filters_hide_small_groups_and_refuse_unknown_values(db, client, api_headers,
                                                                     running):
    url = f"/api/v1/gatherings/{running['gathering'].id}/survey/results"
    headers = api_headers(running["host"])
    coop = question(running["survey"], "cooperation")
    client.post(f"/api/v1/surveys/{running['tokens'][0]}/responses",
                json={"answers": {str(coop.id): "helt_enig"}})
    body = client.get(url + "?group=municipal", headers=headers).get_json()
    jsonschema.validate(body, _op("getSurveyResults").response)
    assert body["suppressed"] is True and body["questions"] == []
    assert client.get(url + "?group=nav", headers=headers).status_code == 422
    assert client.get(url + "?settles=alle", headers=headers).status_code == 422


def test_results_before_a_survey_exists_are_not_found(client, api_headers, world):
    r = client.get(f"/api/v1/gatherings/{world['gathering'].id}/survey/results",
                   headers=api_headers(world["host"]))
    assert r.status_code == 404


def test_national_survey_report_for_the_directorate_only(db, client, api_headers, running):
    coop = question(running["survey"], "cooperation")
    client.post(f"/api/v1/surveys/{running['tokens'][0]}/responses",
                json={"answers": {str(coop.id): "helt_enig"}})
    url = "/api/v1/reports/national/survey?year=2027"
    r = client.get(url, headers=api_headers(running["directorate"]))
    assert r.status_code == 200
    body = r.get_json()
    jsonschema.validate(body, _op("nationalSurveyReport").response)
    # One response waits for four more before any figure counts it.
    assert body["year"] == 2027 and body["responses"] == 0
    assert next(q for q in body["questions"] if q["code"] == "cooperation")["counties"] == []
    for _ in range(4):
        client.post(f"/api/v1/surveys/{running['survey'].qr_token}/responses",
                    json={"answers": {str(coop.id): "delvis_enig"}})
    body = client.get(url, headers=api_headers(running["directorate"])).get_json()
    jsonschema.validate(body, _op("nationalSurveyReport").response)
    assert body["responses"] == 5
    row = next(q for q in body["questions"] if q["code"] == "cooperation")["counties"][0]
    # Every option of the scale with its share of those who answered (issue 17).
    split = {o["value"]: (o["count"], o["share"]) for o in row.pop("options")}
    assert split["helt_enig"] == (1, 0.2) and split["delvis_enig"] == (4, 0.8)
    assert sum(c for c, _s in split.values()) == 5
    assert row == {"county_number": "46", "county_name": row["county_name"], "responses": 5,
                   "answered": 5, "suppressed": False, "agree_share": 1.0, "considered": 5}
    for who in ("host", "counsellor", "contact"):
        assert client.get(url, headers=api_headers(running[who])).status_code == 403
    for bad in ("?year=20x7", "?year=1850", ""):
        r = client.get("/api/v1/reports/national/survey" + bad,
                       headers=api_headers(running["directorate"]))
        assert r.status_code == 422 and "year" in r.get_json()["error"]["fields"]
