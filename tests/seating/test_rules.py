"""The rules hosts asked for (issue 19 §2, §3): partners by kind, neighbours and regions kept
apart, staff of large municipalities spread, and the wish given at registration. Each: saved,
in the solver's instance, shown on the plan page with why it is not met, and bad input refused
with nothing saved."""

import re
from html import unescape

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from eventapp.api.services import create_token
from eventapp.core.errors import ValidationFailed
from eventapp.extensions import db
from eventapp.places.models import MunicipalityYear
from eventapp.registration.models import Registration
from eventapp.seating import services
from eventapp.seating.models import SeatingApartRegion, SeatingNeighbour, SeatingSettings
from tests.conftest import get_csrf, login
from tests.seating import world as W


@pytest.fixture
def w(db, make_user, make_gathering):
    return W.build(make_user, make_gathering)


@pytest.fixture
def host_client(app, w):
    client = app.test_client()
    client.set_cookie("lang", "en")
    assert login(client, w["host"].email).status_code == 302
    return client


@pytest.fixture
def api(db, client):
    client.set_cookie("lang", "en")
    tokens = {}

    def call(method, path, user, **kwargs):
        if user.id not in tokens:
            _token, tokens[user.id] = create_token(user, "test")
            db.session.commit()
        return client.open(f"/api/v1{path}", method=method,
                           headers={"Authorization": f"Bearer {tokens[user.id]}"}, **kwargs)

    return call


def text(response) -> str:
    return unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def error_beside(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="error-message" id="{re.escape(field_id)}-error">([^<]*)</p>',
                      html)
    assert match, f"no error beside {field_id}"
    return match.group(1)


def rules_of(g) -> dict:
    rules = services.build_instance(g)["rules"]
    db.session.commit()  # reading makes the settings row; the next request must see it
    return rules


def people_of(g) -> dict:
    people = {p["id"]: p for p in services.build_instance(g)["people"]}
    db.session.commit()
    return people


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- partners by kind ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, kind", [
    ("NAV Vestland", "nav"), ("Nav Bergenhus", "nav"), ("Bergen voksenopplæring", "adult_education"),
    ("Sunnfjord opplæringssenter", "adult_education"), ("VO Askøy", "adult_education"),
    ("Navigasjonsskolen", "other"), ("Røde Kors", "other"), ("IMDi Vest", "other")])
def test_a_written_in_partner_gets_its_kind_from_the_name(app, name, kind):
    reg = Registration(organisation_kind="partner", partner_name=name, name="x", email="x@x.no",
                       role="partner", status="confirmed", channel="host")
    assert services.partner_kind(reg) == kind


def test_new_settings_spread_nav_and_adult_education_and_the_host_can_switch_it_off(
        w, host_client):
    g = w["gathering"]
    W.setup_plan(w)
    assert rules_of(g)["spread_partner_kinds"] == ["nav", "adult_education"]
    assert people_of(g)[f"r{w['people']['Nav'].id}"]["partner_kind"] == "nav"
    page = f"/gatherings/{g.id}/seating"
    response = host_client.post(f"{page}/rules/more", data={
        "csrf_token": get_csrf(host_client, page)})  # every box unticked
    assert response.status_code == 302
    db.session.expire_all()
    assert "spread_partner_kinds" not in rules_of(g)
    assert db.session.get(SeatingSettings, g.id).spread_partner_kinds is False


def test_too_few_nav_for_the_tables_is_said_on_the_plan_page(w, host_client):
    """One NAV person for three tables: NAV is at one table, and the page says why no more."""
    g = w["gathering"]
    W.setup_plan(w)
    services.plan(g, w["host"])
    db.session.commit()
    with force_locale("en"):
        view = services.current_plan(g)
    notes = [n for n in view.notes if n.rule == "spread_partner_kinds"]
    assert notes and all(n.reason == "Only 1 from NAV for 3 tables" for n in notes)
    html = text(host_client.get(f"/gatherings/{g.id}/seating/plan"))
    assert "NAV is at 1 table in round 1 (1 possible)" in html
    assert "Why: Only 1 from NAV for 3 tables" in html
    assert 'data-figure="soft-violations">0<' in html


# --- neighbours -----------------------------------------------------------------------------------

def test_marked_neighbours_are_kept_per_county_and_apart_when_asked(w, host_client,
                                                                     make_gathering):
    g, u = w["gathering"], w["units"]
    W.setup_plan(w)
    page = f"/gatherings/{g.id}/seating"
    response = host_client.post(f"{page}/neighbours", data={
        "municipality_id": u[0].id, "neighbour_id": u[1].id,
        "csrf_token": get_csrf(host_client, page)})
    assert response.status_code == 302
    pair = [u[0].number, u[1].number]
    assert rules_of(g)["neighbours"] == [sorted(pair, key=lambda n: next(
        x.id for x in u if x.number == n))]
    assert "apart_organisations" not in rules_of(g)  # marked, not yet kept apart
    services.update_more_rules(g, w["host"], apart_neighbours=True)
    db.session.commit()
    assert rules_of(g)["apart_organisations"] == rules_of(g)["neighbours"]
    # The next gathering of the county has the marks.
    later = make_gathering(county="46", title="Neste samling")
    assert [(n.first_id, n.second_id) for n in services.neighbours(later.county_id)] == \
        [tuple(sorted((u[0].id, u[1].id)))]
    html = text(host_client.get(page))
    assert f"{u[0].name} – {u[1].name}" in html or f"{u[1].name} – {u[0].name}" in html
    # Removing the mark.
    response = host_client.post(
        f"{page}/neighbours/{services.neighbours(g.county_id)[0].id}/delete",
        data={"csrf_token": get_csrf(host_client, page)})
    assert response.status_code == 302 and count(SeatingNeighbour) == 0


@pytest.mark.parametrize("pick, field, message", [
    ("other_county", "municipality_id", "Choose a municipality of this county."),
    ("itself", "neighbour_id", "Choose two different municipalities."),
    ("text", "neighbour_id", "Choose a municipality of this county."),
])
def test_a_bad_neighbour_pair_is_refused_beside_the_field(w, host_client, pick, field, message):
    g, u = w["gathering"], w["units"]
    elsewhere = W.units("11")[0]
    data = {"other_county": {"municipality_id": elsewhere.id, "neighbour_id": u[0].id},
            "itself": {"municipality_id": u[0].id, "neighbour_id": u[0].id},
            "text": {"municipality_id": u[0].id, "neighbour_id": "Bergen"}}[pick]
    page = f"/gatherings/{g.id}/seating"
    response = host_client.post(f"{page}/neighbours",
                                data={**data, "csrf_token": get_csrf(host_client, page)})
    assert response.status_code == 422
    assert error_beside(text(response), field) == message
    assert count(SeatingNeighbour) == 0


def test_the_service_refuses_another_countys_municipality(w):
    g, u = w["gathering"], w["units"]
    with pytest.raises(ValidationFailed) as refused:
        services.add_neighbour(g, w["host"], municipality_id=W.units("11")[0].id,
                               neighbour_id=u[0].id)
    assert set(refused.value.fields) == {"municipality_id"}
    services.add_neighbour(g, w["host"], municipality_id=u[0].id, neighbour_id=u[1].id)
    with pytest.raises(ValidationFailed) as twice, force_locale("en"):
        services.add_neighbour(g, w["host"], municipality_id=u[1].id, neighbour_id=u[0].id)
    assert "already marked" in twice.value.fields["neighbour_id"]


# --- regions apart ------------------------------------------------------------------------------

def test_a_regions_municipalities_are_kept_apart(w, host_client):
    g, u = w["gathering"], w["units"]
    W.setup_plan(w)
    kari = w["kari_user"]
    page = f"/gatherings/{g.id}/seating"
    html = text(host_client.get(page))
    assert "Kari Veileder's region: " in html
    response = host_client.post(f"{page}/rules/more", data={
        "apart_regions": [str(kari.id)], "spread_partner_kinds": "y",
        "csrf_token": get_csrf(host_client, page)})
    assert response.status_code == 302
    assert rules_of(g)["apart_organisations"] == [sorted(x.number for x in u[0:4])]
    assert [r.counsellor_id for r in services.apart_regions(g)] == [kari.id]


@pytest.mark.parametrize("value", ["999999", "Bergen"])
def test_an_unknown_region_is_refused_and_nothing_is_saved(w, host_client, value):
    g = w["gathering"]
    page = f"/gatherings/{g.id}/seating"
    response = host_client.post(f"{page}/rules/more", data={
        "apart_regions": [value], "spread_large": "y", "csrf_token": get_csrf(host_client, page)})
    assert response.status_code == 422
    assert error_beside(text(response), "apart_regions") == "Choose among the regions listed."
    assert count(SeatingApartRegion) == 0
    settings = db.session.get(SeatingSettings, g.id)
    assert settings is None or settings.spread_large is False


def test_the_api_sets_the_rules_and_refuses_an_unknown_region(w, api):
    g = w["gathering"]
    W.setup_plan(w)
    path = f"/gatherings/{g.id}/seating"
    bad = api("POST", path, w["host"], json={"rules": {"apart_regions": [w["ola_user"].id, 424242],
                                                       "spread_large": True}})
    assert bad.status_code == 422
    assert "apart_regions" in str(bad.get_json())
    db.session.expire_all()
    assert count(SeatingApartRegion) == 0
    settings = db.session.get(SeatingSettings, g.id)
    assert settings is None or settings.spread_large is False
    good = api("POST", path, w["host"], json={"rules": {
        "apart_regions": [w["ola_user"].id], "spread_large": True, "apart_neighbours": True,
        "spread_partner_kinds": False, "follow_attendance": True}})
    assert good.status_code in (200, 202), good.get_json()
    db.session.expire_all()
    settings = db.session.get(SeatingSettings, g.id)
    assert (settings.spread_large, settings.apart_neighbours, settings.spread_partner_kinds,
            settings.follow_attendance) == (True, True, False, True)
    rules = rules_of(g)
    assert rules["apart_organisations"] == [sorted(x.number for x in w["units"][4:8])]
    assert rules["spread_size_classes"] == ["large"]


# --- large municipalities ------------------------------------------------------------------------

def test_staff_of_large_municipalities_carry_the_size_class(w):
    g, u, p = w["gathering"], w["units"], w["people"]
    db.session.add(MunicipalityYear(municipality_id=u[0].id, year=2027, size_class="large"))
    db.session.add(MunicipalityYear(municipality_id=u[1].id, year=2026, size_class="large"))
    db.session.commit()
    W.setup_plan(w)
    people = people_of(g)
    assert people[f"r{p['M0'].id}"]["size_class"] == "large"
    assert people[f"r{p['M1'].id}"]["size_class"] is None  # no figures for the year
    assert "size_class" not in people[f"r{p['Tor'].id}"]  # county staff
    assert "spread_size_classes" not in rules_of(g)
    services.update_more_rules(g, w["host"], spread_large=True)
    assert rules_of(g)["spread_size_classes"] == ["large"]


# --- the wish at registration -------------------------------------------------------------------

def test_the_wish_goes_from_the_api_to_the_instance_and_the_participant_list(w, api,
                                                                             host_client):
    g = w["gathering"]
    body = {"name": "Vera Ønske", "email": "vera@example.no", "role": "programme_adviser",
            "organisation": {"kind": "municipality", "number": w["units"][2].number},
            "seating_wish": "apart_from_neighbours"}
    made = api("POST", f"/gatherings/{g.id}/registrations", w["host"], json=body)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["seating_wish"] == "apart_from_neighbours"
    reg = db.session.get(Registration, made.get_json()["id"])
    assert people_of(g)[f"r{reg.id}"]["wish"] == "apart_from_neighbours"
    html = text(host_client.get(f"/gatherings/{g.id}/registrations"))
    assert 'data-wish="apart_from_neighbours"' in html


def test_an_unknown_wish_is_refused_by_the_api_and_the_form(w, api, app):
    g = w["gathering"]
    before = count(Registration)
    body = {"name": "Vera Ønske", "email": "vera@example.no", "role": "programme_adviser",
            "organisation": {"kind": "municipality", "number": w["units"][2].number},
            "seating_wish": "window_seat"}
    refused = api("POST", f"/gatherings/{g.id}/registrations", w["host"], json=body)
    assert refused.status_code in (400, 422)
    assert count(Registration) == before
    # The private link's edit page (registration open): the wish beside its radios.
    g.status = "open"
    db.session.commit()
    reg = w["people"]["M0"]
    client = app.test_client()
    client.set_cookie("lang", "en")
    page = f"/registration/{reg.manage_token}/edit"
    response = client.post(page, data={"day1": "y", "day2": "y", "seating_wish": "window_seat",
                                       "csrf_token": get_csrf(client, page)})
    assert response.status_code == 422
    assert error_beside(text(response), "seating_wish")
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).seating_wish is None
    ok = client.post(page, data={"day1": "y", "day2": "y", "seating_wish": "regional",
                                 "csrf_token": get_csrf(client, page)})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).seating_wish == "regional"


def test_an_unmet_wish_is_on_the_plan_page_with_why(w, host_client):
    """Siv has no region (no user serves her): her wish for a regional table cannot be met."""
    g, p = w["gathering"], w["people"]
    W.setup_plan(w)
    p["Siv"].seating_wish = "regional"
    db.session.commit()
    assert people_of(g)[f"r{p['Siv'].id}"]["wish"] == "regional"
    services.plan(g, w["host"])
    db.session.commit()
    with force_locale("en"):
        view = services.current_plan(g)
    unmet = [x for x in view.unmet if x.rule == "wish_regional"]
    assert len(unmet) == 2 and all(x.people == [p["Siv"]] for x in unmet)
    assert all(x.reason == "Nobody else from the region is there in this round." for x in unmet)
    html = text(host_client.get(f"/gatherings/{g.id}/seating/plan"))
    assert "Siv Veileder wished for a regional table" in html
    assert "Why: Nobody else from the region is there in this round." in html
    assert 'data-figure="soft-violations">2<' in html
    assert 'data-wish="regional"' in html  # the tag by her name at the tables
    assert view.metrics["hard_violations"] == 0
