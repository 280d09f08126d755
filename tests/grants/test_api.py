"""getGrant: the grant page's figures as JSON, validated against the published schema."""

import jsonschema
import pytest

from eventapp.api.spec import OPERATIONS
from eventapp.grants import services
from tests.grants.conftest import add_person, decide_grant, spend


def _schema() -> dict:
    op = next(o for o in OPERATIONS if o.operation_id == "getGrant")
    assert (op.method, op.path, op.status) == ("GET", "/gatherings/{id}/grant", 200)
    return op.response


def get_grant(client, gathering, headers):
    return client.get(f"/api/v1/gatherings/{gathering.id}/grant", headers=headers)


@pytest.mark.parametrize("who", ["host", "counsellor", "directorate"])
def test_get_grant_gives_the_issues_example(client, api_headers, example, who):
    response = get_grant(client, example["gathering"], api_headers(example[who]))
    assert response.status_code == 200
    body = response.get_json()
    jsonschema.validate(body, _schema())
    assert body["gathering_id"] == example["gathering"].id
    assert body["participants_attended"] == 58
    assert body["grant_ceiling_nok"] == 232_000
    assert body["granted_nok"] == 250_000 and body["spent_nok"] == 210_000
    assert body["per_participant_nok"] == 3621
    assert body["planned_nok"] == 230_000 and body["applied_nok"] == 250_000
    assert body["keep_nok"] == 210_000 and body["repay_nok"] == 40_000
    assert body["over_ceiling_nok"] == 18_000 and body["unspent_nok"] == 22_000
    assert body["overspent_nok"] == 0
    assert body["application_status"] == "decided" and body["report_status"] == "none"
    assert body["frozen"] is False
    assert body["participant_rule"] == {"rate_nok": 4000, "attendance": "any_day",
                                        "include_speakers": False}
    assert body["groups"]["municipal_staff"] == 58
    assert body["groups"]["municipalities_total"] == 43


def test_get_grant_before_anything_is_applied(db, client, api_headers, world):
    g = world["gathering"]
    add_person(db, g, kind="partner", role="speaker")
    body = get_grant(client, g, api_headers(world["host"])).get_json()
    jsonschema.validate(body, _schema())
    assert body["participants_attended"] == 0 and body["groups"]["speakers"] == 1
    assert body["granted_nok"] is None and body["applied_nok"] is None
    assert body["per_participant_nok"] is None and body["repay_nok"] == 0
    assert body["application_status"] == "none" and body["report_status"] == "none"


def test_get_grant_nobody_attended_and_overspent(db, client, api_headers, world):
    g, host = world["gathering"], world["host"]
    decide_grant(db, g, host, world["directorate"], planned=30, applied=120_000, granted=100_000,
                 comment="Ramme")
    spend(db, g, host, 130_000)
    body = get_grant(client, g, api_headers(host)).get_json()
    jsonschema.validate(body, _schema())
    assert body["grant_ceiling_nok"] == 0 and body["keep_nok"] == 0
    assert body["repay_nok"] == 100_000 and body["overspent_nok"] == 30_000
    assert body["per_participant_nok"] is None


def test_before_the_gathering_is_held_nothing_reads_as_to_repay(db, client, api_headers,
                                                                   world):
    # Granted for a gathering still open for registration: nobody has attended yet, so the
    # ceiling is 0, but the 100 000 are not "to repay" until attendance is known.
    g, host = world["gathering"], world["host"]
    g.status = "open"
    decide_grant(db, g, host, world["directorate"], planned=30, applied=120_000, granted=100_000,
                 comment="Ramme")
    body = get_grant(client, g, api_headers(host)).get_json()
    jsonschema.validate(body, _schema())
    assert body["settled"] is False and body["granted_nok"] == 100_000
    assert body["repay_nok"] == 0 and body["over_ceiling_nok"] == 0 and body["keep_nok"] == 0
    g.status = "held"
    db.session.commit()
    body = get_grant(client, g, api_headers(host)).get_json()
    assert body["settled"] is True and body["repay_nok"] == 100_000


def test_get_grant_reads_the_frozen_copy_after_submission(db, client, api_headers, example):
    g, host = example["gathering"], example["host"]
    services.save_report(g, host, follow_up_actions="Oppfølging")
    services.submit_report(g, host)
    db.session.commit()
    add_person(db, g)  # a late check-in changes nothing reported
    body = get_grant(client, g, api_headers(example["directorate"])).get_json()
    jsonschema.validate(body, _schema())
    assert body["frozen"] is True and body["report_status"] == "submitted"
    assert body["participants_attended"] == 58 and body["repay_nok"] == 40_000


def test_get_grant_is_scoped(client, api_headers, world):
    g = world["gathering"]
    outside = get_grant(client, g, api_headers(world["outsider"]))
    assert outside.status_code == 404 and "ceiling" not in outside.get_data(as_text=True)
    assert outside.get_json()["error"]["code"] == "not_found"
    contact = get_grant(client, g, api_headers(world["contact"]))
    assert contact.status_code == 403 and "grant_ceiling_nok" not in contact.get_json()
    assert get_grant(client, g, {}).status_code == 401
    missing = client.get("/api/v1/gatherings/999999/grant", headers=api_headers(world["host"]))
    assert missing.status_code == 404


def test_get_grant_is_in_the_openapi_document(client, places):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/gatherings/{id}/grant"]["get"]
    assert operation["operationId"] == "getGrant"
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"participants_attended", "grant_ceiling_nok", "granted_nok", "spent_nok",
            "per_participant_nok", "participant_rule", "groups"} <= set(schema["required"])
