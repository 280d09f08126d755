"""nationalReport: the directorate's table as JSON, validated against its own OpenAPI schema."""

import jsonschema
import pytest
from openapi_spec_validator import validate

from eventapp.api.services import create_token
from eventapp.api.spec import OPERATIONS, openapi_document
from eventapp.extensions import db
from eventapp.grants import services as grants
from eventapp.grants.rules import per_participant
from eventapp.reporting import services
from tests.reporting.builders import Plan


def _headers(user) -> dict:
    _token, raw = create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _op():
    return next(o for o in OPERATIONS if o.operation_id == "nationalReport")


@pytest.fixture
def two_counties(builder, monkeypatch):
    monkeypatch.setattr(services.years, "this_year", lambda: 2026)
    builder.add(Plan("46", granted=40_000, report="approved", municipal=8))
    builder.add(Plan("03", granted=None, municipal=4, lines=[]))
    return builder


def test_national_report_as_json(two_counties, client):
    response = client.get("/api/v1/reports/national?year=2025",
                          headers=_headers(two_counties.directorate))
    assert response.status_code == 200
    body = response.get_json()
    jsonschema.validate(body, _op().response)
    report = services.national(two_counties.directorate, 2025)
    assert body["year"] == 2025
    assert [r["county_number"] for r in body["rows"]] == ["03", "46"]
    vestland = body["rows"][1]
    line = report.rows[1].line
    who = vestland.pop("who")
    assert who["roles"] == report.rows[1].who.roles and who["attended"] == 8 + 3 + 2 + 1
    assert vestland == {
        "county_number": "46", "county_name": "Vestland", "gatherings": 1,
        "participants_attended": 13, "municipalities_covered": 4, "municipalities_total": 43,
        "grant_ceiling_nok": 52_000, "granted_nok": 40_000, "spent_nok": 69_750,
        "per_participant_nok": 5365, "repay_nok": 0, "report_status": "approved",
        "reports_approved": 1, "live_gatherings": 0, "undecided_gatherings": 0,
        "rules": [{"rate_nok": 4000, "attendance": "any_day", "include_speakers": False}],
    }
    assert line.participants == 13 and line.per_participant_nok == 5365
    oslo = body["rows"][0]
    assert oslo["spent_nok"] == 0 and oslo["per_participant_nok"] == 0
    assert oslo["granted_nok"] == 0 and oslo["undecided_gatherings"] == 1
    assert oslo["report_status"] == "none"
    totals = body["totals"]
    for key in ("gatherings", "participants_attended", "grant_ceiling_nok", "granted_nok",
                "spent_nok", "repay_nok"):
        assert totals[key] == sum(r[key] for r in body["rows"]), key
    assert totals["participants_attended"] == 22
    assert totals["per_participant_nok"] == per_participant(69_750, 22) == 3170
    assert {"number": "15", "name": "Møre og Romsdal"} in body["counties_without_gatherings"]

    # Without a year: the latest year up to now with gatherings.
    assert client.get("/api/v1/reports/national",
                      headers=_headers(two_counties.directorate)).get_json()["year"] == 2025


def test_nobody_attended_gives_null_per_participant(builder, client):
    builder.add(Plan("46", municipal=0, county_staff=0, partners=0, speakers=0, no_show=2,
                     planned=30, granted=10_000))
    body = client.get("/api/v1/reports/national?year=2025",
                      headers=_headers(builder.directorate)).get_json()
    jsonschema.validate(body, _op().response)
    assert body["rows"][0]["participants_attended"] == 0
    assert body["rows"][0]["per_participant_nok"] is None
    assert body["rows"][0]["repay_nok"] == 10_000
    assert body["totals"]["per_participant_nok"] is None


@pytest.mark.parametrize("role,county,municipality", [
    ("county_host", "46", None), ("counsellor", "46", None), ("municipal_contact", "46", "4601"),
])
def test_only_the_directorate(two_counties, make_user, client, role, county, municipality):
    user = make_user(role, county=county, municipality=municipality)
    response = client.get("/api/v1/reports/national?year=2025", headers=_headers(user))
    assert response.status_code == 403
    body = response.get_json()
    jsonschema.validate(body, openapi_document("/api/v1")["components"]["schemas"]["Error"])
    assert body["error"]["code"] == "forbidden" and "rows" not in body
    assert client.get("/api/v1/reports/national?year=2025").status_code == 401


@pytest.mark.parametrize("bad", ["abc", "1999", "2101", "20250", "2025.0"])
def test_bad_year_is_422_with_the_field(two_counties, client, bad):
    response = client.get("/api/v1/reports/national", query_string={"year": bad},
                          headers=_headers(two_counties.directorate))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and "year" in error["fields"]


def test_listed_in_the_openapi_document(app, client, places):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    operation = document["paths"]["/reports/national"]["get"]
    assert operation["operationId"] == "nationalReport"
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
    assert [p["name"] for p in operation["parameters"]] == ["from", "to", "year"]


def test_frozen_report_keeps_its_rule_in_the_api(two_counties, client):
    grants.set_rules(2025, two_counties.directorate, rate_nok=3500, attendance="all_days",
                     include_speakers=True, purge_after_months=6)
    db.session.commit()
    body = client.get("/api/v1/reports/national?year=2025",
                      headers=_headers(two_counties.directorate)).get_json()
    assert body["rule"] == {"rate_nok": 3500, "attendance": "all_days", "include_speakers": True}
    vestland = next(r for r in body["rows"] if r["county_number"] == "46")
    assert vestland["rules"] == [{"rate_nok": 4000, "attendance": "any_day",
                                  "include_speakers": False}]
    assert vestland["grant_ceiling_nok"] == 52_000  # as approved, at the old rate
