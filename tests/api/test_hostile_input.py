"""Hostile input on the API's side: a 4xx JSON error with a message, nothing changed, never a
500 (the HTML side and the shared plumbing: tests/core/test_hostile.py). Run on SQLite and on
PostgreSQL, where 2^31 and NUL are refused by the database itself.
"""

import json

import pytest
from sqlalchemy import func, select

from eventapp.api.services import create_token
from eventapp.api.spec import OPERATIONS
from eventapp.core.hostile import DB_INT_MAX, DB_INT_MIN
from eventapp.gatherings.models import Gathering
from eventapp.registration.models import Registration


@pytest.fixture
def gathering(open_gathering):
    return open_gathering


@pytest.fixture
def headers(db, make_user):
    _token, raw = create_token(make_user("county_host", county="46"), "hostile")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _error(response) -> dict:
    return response.get_json()["error"]


# --- ids and integers beyond the database's integer ----------------------------------------------

def test_id_beyond_the_database_integer_is_404_as_json(client, headers, gathering):
    for path in ("/api/v1/gatherings/2147483648", "/api/v1/gatherings/2147483648/registrations",
                 "/api/v1/registrations/9223372036854775808/cancel"):
        method = "POST" if path.endswith("cancel") else "GET"
        response = client.open(path, method=method, headers=headers)
        assert response.status_code == 404, path
        assert _error(response)["code"] == "not_found"


def test_id_in_a_query_string_beyond_the_database_integer_is_422(client, headers, gathering):
    response = client.get(f"/api/v1/gatherings?year={2**31}", headers=headers)
    assert response.status_code == 422
    assert "year" in _error(response)["fields"]


def test_id_in_a_json_body_beyond_the_database_integer_is_422(client, headers, gathering):
    response = client.post(f"/api/v1/gatherings/{gathering.id}/seating", headers=headers,
                           json={"rounds": [{"mode": "mixed", "programme_item_id": 2**31}]})
    assert response.status_code == 422
    assert "rounds.0.programme_item_id" in _error(response)["fields"]


@pytest.mark.parametrize("value", [2**31, 2**63, 10**30])
def test_capacity_beyond_the_database_integer_is_422(client, db, headers, gathering, value):
    response = client.patch(f"/api/v1/gatherings/{gathering.id}", headers=headers,
                            json={"capacity": value})
    assert response.status_code == 422
    assert "2147483647" in _error(response)["fields"]["capacity"]
    db.session.expire_all()
    assert db.session.get(Gathering, gathering.id).capacity is None


def test_largest_capacity_the_database_holds_is_taken(client, headers, gathering):
    response = client.patch(f"/api/v1/gatherings/{gathering.id}", headers=headers,
                            json={"capacity": DB_INT_MAX})
    assert response.status_code == 200
    assert response.get_json()["capacity"] == DB_INT_MAX


def _integers(schema, where=""):
    """Every integer schema in ``schema``, with where it is."""
    if isinstance(schema, dict):
        kinds = schema.get("type")
        if (kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds)) \
                and "enum" not in schema:
            yield where, schema
        for key, value in schema.items():
            yield from _integers(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            yield from _integers(value, f"{where}.{i}")


def test_every_integer_a_request_may_send_is_bounded_to_the_database_integer(client, places):
    document = client.get("/api/v1/openapi.json").get_json()
    found = 0
    for path, methods in document["paths"].items():
        for method, entry in methods.items():
            request = entry.get("requestBody", {}).get("content", {}).get("application/json", {})
            sources = [("body", request.get("schema", {}))]
            sources += [(p["name"], p["schema"]) for p in entry["parameters"]]
            for name, schema in sources:
                for where, integer in _integers(schema, name):
                    found += 1
                    assert DB_INT_MIN <= integer["minimum"] <= integer["maximum"] <= DB_INT_MAX, \
                        f"{method.upper()} {path} {where}"
    assert found > 20


def test_every_operation_documents_the_plumbings_refusals(client, places):
    document = client.get("/api/v1/openapi.json").get_json()
    for op in OPERATIONS:
        responses = document["paths"][op.path][op.method.lower()]["responses"]
        assert "400" in responses, op.operation_id
        assert ("401" in responses) != op.public or op.operation_id == "getOpenApi", \
            op.operation_id
        if op.request is not None:
            assert {"413", "422"} <= set(responses), op.operation_id
    assert "403" in document["paths"]["/gatherings"]["post"]["responses"]
    assert "403" not in document["paths"]["/counties"]["get"]["responses"]


# --- NUL bytes and lone surrogates ---------------------------------------------------------------

def test_nul_in_a_path_is_400(client, places):
    response = client.post("/api/v1/surveys/abc%00/responses", json={"answers": {}})
    assert response.status_code == 400
    assert "NUL" in _error(response)["message"]


def test_nul_in_a_query_string_is_400(client, headers):
    response = client.get("/api/v1/municipalities?county=4%006", headers=headers)
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "bad_request" and "NUL" in error["fields"]["county"]


@pytest.mark.parametrize("text", ["Samling\u0000", "\ud800", "a\udfffb"],
                         ids=["NUL", "lone high surrogate", "lone low surrogate"])
def test_json_strings_with_nul_or_a_lone_surrogate_are_400(client, db, headers, places, text):
    before = _count(db, Gathering)
    # json.dumps writes both as \u escapes, as a client's encoder would.
    body = ('{"county_number": "46", "title": ' + json.dumps(text)
            + ', "start_date": "2027-05-01", "end_date": "2027-05-01", "venue": "Hall"}')
    response = client.post("/api/v1/gatherings", data=body,
                           headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "bad_request" and set(error["fields"]) == {"title"}
    assert "title" in error["message"]
    assert _count(db, Gathering) == before


def test_json_escapes_of_nul_and_a_lone_surrogate_are_400(client, db, headers, places):
    before = _count(db, Gathering)
    body = (b'{"county_number": "46", "title": "\\ud800", "start_date": "2027-05-01", '
            b'"end_date": "2027-05-01", "venue": "Hall\\u0000", "\\u0000": 1}')
    response = client.post("/api/v1/gatherings", data=body,
                           headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert set(_error(response)["fields"]) == {"body", "title", "venue"}
    assert _count(db, Gathering) == before


def test_survey_answer_with_a_nul_is_400_without_a_token(client, places):
    response = client.post("/api/v1/surveys/sometoken/responses",
                           json={"answers": {"1": "Bergen\u0000"}})
    assert response.status_code == 400
    assert "answers.1" in _error(response)["fields"]


# --- JSON nested deep ----------------------------------------------------------------------------

def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_survey_submission_nested_a_thousand_deep_is_refused_before_parsing(client, places):
    response = client.post("/api/v1/surveys/sometoken/responses",
                           data='{"answers": {"1": ' + _deep(1000) + "}}",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "nøstet mer enn 32 nivåer" in _error(response)["message"]


@pytest.mark.parametrize("levels", [1000, 100_000])
def test_json_nested_deep_is_400_and_registers_nobody(client, db, headers, gathering, levels):
    before = _count(db, Registration)
    response = client.post(f"/api/v1/gatherings/{gathering.id}/registrations",
                           data='{"name": ' + _deep(levels) + "}",
                           headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert "nøstet" in _error(response)["message"]
    assert _count(db, Registration) == before


def test_brackets_inside_strings_do_not_count_as_nesting(client, headers, gathering):
    response = client.patch(f"/api/v1/gatherings/{gathering.id}", headers=headers,
                            json={"description": "[{" * 500 + '\\"' + "}]" * 500})
    assert response.status_code == 200


# --- the plumbing's other answers ----------------------------------------------------------------

def test_a_method_not_allowed_says_which_are(client, headers, places):
    response = client.delete("/api/v1/counties", headers=headers)
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET"}
    assert _error(response)["code"] == "method_not_allowed"


@pytest.mark.parametrize("query,field", [
    ("include_inactive=yes", "include_inactive"), ("county=4", "county"),
    ("county=46&county=11", "county"),
])
def test_query_parameters_breaking_their_schema_are_422(client, headers, places, query, field):
    response = client.get(f"/api/v1/municipalities?{query}", headers=headers)
    assert response.status_code == 422
    assert field in _error(response)["fields"]
