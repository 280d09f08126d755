"""The API's plumbing: tokens, JSON errors, the OpenAPI document and the first operations."""

import jsonschema
import pytest
from openapi_spec_validator import validate

from eventapp.api.services import create_token
from eventapp.api.spec import OPERATIONS
from tests.conftest import get_csrf, login


@pytest.fixture
def auth(db, make_user):
    def make(role="county_host", **kwargs):
        user = make_user(role, **kwargs)
        _token, raw = create_token(user, "test")
        db.session.commit()
        return user, {"Authorization": f"Bearer {raw}"}

    return make


def _schema(operation_id: str, status: int = 200) -> dict:
    op = next(o for o in OPERATIONS if o.operation_id == operation_id)
    assert op.status == status
    return op.response


@pytest.mark.parametrize("role,county,municipality", [
    ("directorate", None, None), ("county_host", "46", None),
    ("counsellor", "46", None), ("municipal_contact", "03", "030101"),
])
def test_who_am_i(client, auth, role, county, municipality):
    user, headers = auth(role, county=county, municipality=municipality)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    jsonschema.validate(body, _schema("whoAmI"))
    assert body["email"] == user.email and body["role"] == role
    assert body.get("county_number") == county
    assert body.get("municipality_number") == municipality


def test_list_counties_and_municipalities(client, auth):
    _user, headers = auth()
    counties = client.get("/api/v1/counties", headers=headers).get_json()
    jsonschema.validate(counties, _schema("listCounties"))
    assert len(counties) == 15
    assert {"number": "46", "name": "Vestland"} in counties

    everything = client.get("/api/v1/municipalities", headers=headers).get_json()
    jsonschema.validate(everything, _schema("listMunicipalities"))
    assert sum(1 for m in everything if m["kind"] == "municipality") == 357
    assert sum(1 for m in everything if m["kind"] == "district") == 15

    oslo = client.get("/api/v1/municipalities?county=03", headers=headers).get_json()
    assert {m["number"] for m in oslo if m["kind"] == "district"} >= {"030101", "030115"}
    grunerlokka = next(m for m in oslo if m["number"] == "030102")
    assert grunerlokka == {"number": "030102", "name": "Grünerløkka", "county_number": "03",
                           "kind": "district", "parent_number": "0301", "active": True}
    vestland = client.get("/api/v1/municipalities?county=46", headers=headers).get_json()
    assert all(m["number"].startswith("46") for m in vestland) and len(vestland) == 43


@pytest.mark.parametrize("headers,message_part", [
    ({}, "Bearer"),
    ({"Authorization": "Bearer ea_not-a-real-token"}, "ukjent"),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, "Bearer"),
    ({"Authorization": "Bearer "}, "Bearer"),
])
def test_missing_or_unknown_token_is_refused(client, places, headers, message_part):
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized" and message_part in error["message"]


def test_revoked_token_is_refused(client, auth, db):
    user, headers = auth()
    from eventapp.api.services import revoke_token, tokens_of

    revoke_token(user, tokens_of(user)[0].id)
    db.session.commit()
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert "trukket tilbake" in response.get_json()["error"]["message"]


def test_token_of_deactivated_user_is_refused(client, auth, db):
    user, headers = auth()
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client, make_user):
    user = make_user("county_host")
    login(client, user.email)
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("data,content_type,status,field", [
    ("{not json", "application/json", 422, None),
    ('{"title": "x"}', "text/plain", 422, None),
    ("[]", "application/json", 422, "body"),
    ('{"county_number": "46"}', "application/json", 422, "title"),
    ('{"county_number": "4", "title": "T", "start_date": "2027-01-01", "end_date": "2027-01-02",'
     ' "venue": "V"}', "application/json", 422, "county_number"),
    ('{"county_number": "99", "title": "T", "start_date": "2027-01-01", "end_date": "2027-01-02",'
     ' "venue": "V"}', "application/json", 422, "county_number"),
    ('{"county_number": "46", "title": "T", "start_date": "1. mars", "end_date": "2027-01-02",'
     ' "venue": "V"}', "application/json", 422, "start_date"),
    ('{"county_number": "46", "title": "T", "start_date": "2027-01-05", "end_date": "2027-01-02",'
     ' "venue": "V"}', "application/json", 422, "end_date"),
    ('{"county_number": "46", "title": "T", "start_date": "2027-01-01", "end_date": "2027-01-02",'
     ' "venue": "V", "colour": "red"}', "application/json", 422, None),
])
def test_bad_json_gets_a_clear_4xx_and_changes_nothing(client, auth, db, data, content_type,
                                                       status, field):
    from eventapp.gatherings.models import Gathering

    _user, headers = auth("county_host", county="46")
    response = client.post("/api/v1/gatherings", data=data,
                           headers={**headers, "Content-Type": content_type})
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["message"]
    if field:
        assert field in error["fields"], error
    assert db.session.query(Gathering).count() == 0


def test_create_gathering(client, auth):
    _user, headers = auth("county_host", county="46")
    body = {"county_number": "46", "title": "Samling 2027", "start_date": "2027-03-10",
            "end_date": "2027-03-11", "venue": "Bergen", "capacity": 80}
    response = client.post("/api/v1/gatherings", json=body, headers=headers)
    assert response.status_code == 201
    created = response.get_json()
    jsonschema.validate(created, _schema("createGathering", 201))
    assert created["status"] == "draft" and created["municipal_cap"] == 2
    assert created["pool_cap"] == 20 and created["capacity"] == 80
    fetched = client.get(f"/api/v1/gatherings/{created['id']}", headers=headers).get_json()
    assert fetched == created


def test_oversized_body_is_refused(client, auth):
    _user, headers = auth()
    response = client.post("/api/v1/gatherings", data="x" * (6 * 1024 * 1024),
                           headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_unknown_path_and_wrong_method_answer_json(client, auth):
    _user, headers = auth()
    response = client.get("/api/v1/nothing-here", headers=headers)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    response = client.delete("/api/v1/counties", headers=headers)
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_openapi_document_is_valid_and_lists_every_operation(client, app, places):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    documented = {
        op["operationId"]: (method.upper(), path)
        for path, item in document["paths"].items() for method, op in item.items()
    }
    for operation_id in ("whoAmI", "listCounties", "listMunicipalities", "listGatherings",
                         "getGathering", "createGathering"):
        assert operation_id in documented
    # Every documented operation is routed, at the documented path and method.
    routes = {
        (method, rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}"))
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    for operation_id, (method, path) in documented.items():
        assert (method, "/api/v1" + path) in routes, operation_id


def test_user_creates_and_revokes_a_token_in_the_ui(client, make_user, db):
    user = make_user("counsellor")
    login(client, user.email)
    token = get_csrf(client, "/account/tokens/")
    page = client.post("/account/tokens/", data={"name": "Regneark", "csrf_token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    import re

    raw = re.search(r'<code class="secret">(ea_[^<]+)</code>', html).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    from eventapp.api.services import tokens_of

    token_id = tokens_of(user)[0].id
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": token})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    # The secret is shown once, never again.
    assert raw not in client.get("/account/tokens/").get_data(as_text=True)


def test_user_cannot_revoke_someone_elses_token(client, make_user, db):
    owner = make_user("county_host")
    _t, raw = create_token(owner, "eiers")
    db.session.commit()
    other = make_user("county_host")
    login(client, other.email)
    token = get_csrf(client, "/account/tokens/")
    from eventapp.api.services import tokens_of

    client.post(f"/account/tokens/{tokens_of(owner)[0].id}/revoke", data={"csrf_token": token})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_token_without_name_is_refused_beside_the_field(client, make_user):
    user = make_user("counsellor")
    login(client, user.email)
    token = get_csrf(client, "/account/tokens/")
    page = client.post("/account/tokens/", data={"name": "", "csrf_token": token})
    assert 'class="error-message"' in page.get_data(as_text=True)
    assert "ea_" not in page.get_data(as_text=True).split("<h2")[0].split("</h1>")[1]
