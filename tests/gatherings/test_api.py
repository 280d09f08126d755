"""updateGathering, listProgrammeItems and createProgrammeItem, as API.md names them."""

from datetime import date

import jsonschema
import pytest

from eventapp.api.services import create_token
from eventapp.api.spec import OPERATIONS


def _schema(operation_id):
    return next(o for o in OPERATIONS if o.operation_id == operation_id).response


@pytest.fixture
def setup(db, make_user, make_gathering):
    host = make_user("county_host", county="46")
    _t, raw = create_token(host, "test")
    intruder = make_user("county_host", county="11")
    _t, raw2 = create_token(intruder, "test")
    db.session.commit()
    january = make_gathering(county="46", start=date(2027, 1, 19), end=date(2027, 1, 20))
    return {"host": {"Authorization": f"Bearer {raw}"},
            "intruder": {"Authorization": f"Bearer {raw2}"}, "gathering": january}


def test_create_and_list_items_with_offsets(client, setup):
    gid = setup["gathering"].id
    body = {"starts_at": "2027-01-19T09:00:00+01:00", "ends_at": "2027-01-19T09:45:00+01:00",
            "kind": "talk", "title": "HK-dir om rammeverket", "question_minutes": 15,
            "speakers": [{"name": "Anne Direktorat", "organisation": "HK-dir",
                          "organisation_kind": "directorate"}]}
    response = client.post(f"/api/v1/gatherings/{gid}/programme", json=body, headers=setup["host"])
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    jsonschema.validate(created, _schema("createProgrammeItem"))
    assert created["day"] == 1 and created["starts_at"] == "2027-01-19T09:00:00+01:00"
    # The same moment given in UTC is the same slot: refused as an overlap.
    clash = dict(body, starts_at="2027-01-19T08:30:00Z", ends_at="2027-01-19T08:50:00Z")
    response = client.post(f"/api/v1/gatherings/{gid}/programme", json=clash,
                           headers=setup["host"])
    assert response.status_code == 422
    assert "HK-dir om rammeverket" in response.get_json()["error"]["message"]
    listed = client.get(f"/api/v1/gatherings/{gid}/programme", headers=setup["host"]).get_json()
    jsonschema.validate(listed, _schema("listProgrammeItems"))
    assert [i["title"] for i in listed] == ["HK-dir om rammeverket"]


@pytest.mark.parametrize("change,field", [
    ({"starts_at": "2027-01-21T09:00:00+01:00", "ends_at": "2027-01-21T10:00:00+01:00"},
     "starts_at"),
    ({"starts_at": "2027-01-19T09:00:00"}, "starts_at"),
    ({"starts_at": "nine o'clock"}, "starts_at"),
    ({"ends_at": "2027-01-20T10:00:00+01:00"}, "ends_at"),
    ({"ends_at": "2027-01-19T08:00:00+01:00"}, "end"),
    ({"kind": "party"}, "kind"),
    ({"speakers": [{"name": "X", "organisation_kind": "alien"}]}, "speakers.0.organisation_kind"),
])
def test_bad_items_get_422_with_the_field(client, setup, change, field):
    gid = setup["gathering"].id
    body = {"starts_at": "2027-01-19T09:00:00+01:00", "ends_at": "2027-01-19T09:45:00+01:00",
            "kind": "talk", "title": "Ok", **change}
    response = client.post(f"/api/v1/gatherings/{gid}/programme", json=body, headers=setup["host"])
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert client.get(f"/api/v1/gatherings/{gid}/programme", headers=setup["host"]).get_json() == []


def test_update_gathering_settings_and_status(client, setup):
    gid = setup["gathering"].id
    response = client.patch(f"/api/v1/gatherings/{gid}", json={
        "municipal_cap": 3, "pool_cap": 15, "capacity": 70, "status": "open"},
        headers=setup["host"])
    assert response.status_code == 200
    body = response.get_json()
    jsonschema.validate(body, _schema("updateGathering"))
    assert (body["municipal_cap"], body["pool_cap"], body["capacity"], body["status"]) == \
        (3, 15, 70, "open")
    response = client.patch(f"/api/v1/gatherings/{gid}", json={"status": "reported"},
                            headers=setup["host"])
    assert response.status_code == 422 and "status" in response.get_json()["error"]["fields"]
    response = client.patch(f"/api/v1/gatherings/{gid}", json={"pool_cap": 21},
                            headers=setup["host"])
    assert response.status_code == 422
    response = client.patch(f"/api/v1/gatherings/{gid}", json={}, headers=setup["host"])
    assert response.status_code == 422


def test_other_county_gets_404_and_changes_nothing(client, setup):
    gid = setup["gathering"].id
    assert client.patch(f"/api/v1/gatherings/{gid}", json={"status": "open"},
                        headers=setup["intruder"]).status_code == 404
    assert client.get(f"/api/v1/gatherings/{gid}/programme",
                      headers=setup["intruder"]).status_code == 404
    body = {"starts_at": "2027-01-19T09:00:00+01:00", "ends_at": "2027-01-19T09:45:00+01:00",
            "kind": "talk", "title": "Kapret"}
    assert client.post(f"/api/v1/gatherings/{gid}/programme", json=body,
                       headers=setup["intruder"]).status_code == 404
    assert client.get(f"/api/v1/gatherings/{gid}", headers=setup["host"]).get_json()["status"] == \
        "draft"
