"""Creating, editing and moving a gathering on; its public and printable pages."""

from datetime import date, time

import pytest
from sqlalchemy import select

from eventapp.gatherings.models import Gathering
from eventapp.gatherings.services import ItemData, add_item
from tests.conftest import get_csrf, login

VALID = {"title": "Samling i Agder", "start_date": "2027-04-20", "end_date": "2027-04-21",
         "venue": "Kilden", "address": "Sjølystveien 2, Kristiansand", "description": "",
         "registration_opens": "2027-02-01", "registration_closes": "2027-04-06",
         "capacity": "80", "municipal_cap": "2", "pool_cap": "20"}


@pytest.fixture
def host(make_user):
    return make_user("county_host", county="42")


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": get_csrf(client, url)})


def test_host_creates_a_draft_gathering_for_their_county(client, db, host):
    login(client, host.email)
    response = _post(client, "/gatherings/new", VALID)
    assert response.status_code == 302
    created = db.session.scalars(select(Gathering)).one()
    assert created.county.number == "42" and created.status == "draft"
    assert created.days == 2 and created.municipal_cap == 2 and created.pool_cap == 20
    assert created.input_token and created.calendar_token != created.input_token


@pytest.mark.parametrize("change,field", [
    ({"title": ""}, "title"),
    ({"end_date": "2027-04-19"}, "end_date"),
    ({"end_date": "2027-04-23"}, "end_date"),        # three days
    ({"start_date": "20.04.2027"}, "start_date"),
    ({"registration_closes": "2027-01-01"}, "registration_closes"),  # before it opens
    ({"registration_closes": "2027-04-22"}, "registration_closes"),  # after the start
    ({"pool_cap": "25"}, "pool_cap"),
    ({"municipal_cap": "-1"}, "municipal_cap"),
    ({"capacity": "0"}, "capacity"),
])
def test_bad_input_is_shown_beside_the_field_and_saves_nothing(client, db, host, change, field):
    login(client, host.email)
    response = _post(client, "/gatherings/new", {**VALID, **change})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalars(select(Gathering)).first() is None


def test_only_county_hosts_create_gatherings(client, make_user):
    for role, kwargs in (("directorate", {"county": None}), ("counsellor", {}),
                         ("municipal_contact", {"municipality": "4601"})):
        user = make_user(role, **kwargs)
        login(client, user.email)
        assert client.get("/gatherings/new").status_code == 403
        client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})


def test_host_edits_and_moves_the_status_forward(client, db, host, make_gathering):
    gathering = make_gathering(county="42", start=date(2025, 5, 6), end=date(2025, 5, 7))
    login(client, host.email)
    url = f"/gatherings/{gathering.id}/edit"
    response = _post(client, url, {**VALID, "start_date": "2025-05-06", "end_date": "2025-05-07",
                                   "registration_closes": "2025-04-20",
                                   "registration_opens": "2025-03-01", "municipal_cap": "3"})
    assert response.status_code == 302
    assert db.session.get(Gathering, gathering.id).municipal_cap == 3
    status_url = f"/gatherings/{gathering.id}/status"
    for status in ("open", "closed", "held"):
        token = get_csrf(client, f"/gatherings/{gathering.id}")
        response = client.post(status_url, data={"status": status, "csrf_token": token})
        assert response.status_code == 302
        assert db.session.get(Gathering, gathering.id).status == status


def test_status_cannot_skip_steps(client, db, host, make_gathering):
    gathering = make_gathering(county="42")
    login(client, host.email)
    token = get_csrf(client, f"/gatherings/{gathering.id}")
    client.post(f"/gatherings/{gathering.id}/status", data={"status": "held",
                                                            "csrf_token": token})
    assert db.session.get(Gathering, gathering.id).status == "draft"
    page = client.get(f"/gatherings/{gathering.id}").get_data(as_text=True)
    assert 'role="alert"' in page


def test_a_future_gathering_cannot_be_marked_held(db, host, make_gathering):
    from eventapp.core.errors import ValidationFailed
    from eventapp.gatherings.services import change_status

    gathering = make_gathering(county="42", start=date(2099, 1, 1), end=date(2099, 1, 2))
    change_status(gathering, host, "open")
    change_status(gathering, host, "closed")
    with pytest.raises(ValidationFailed):
        change_status(gathering, host, "held")


def test_dates_cannot_move_away_from_the_programme(db, host, make_gathering):
    from eventapp.core.errors import ValidationFailed
    from eventapp.gatherings.services import update_gathering

    gathering = make_gathering(county="42", start=date(2027, 4, 20), end=date(2027, 4, 21))
    add_item(gathering, host, ItemData(day=2, start=time(9), end=time(10), kind="talk",
                                       title="Dag to"))
    with pytest.raises(ValidationFailed):
        update_gathering(gathering, host, start_date=date(2027, 4, 19), end_date=date(2027, 4, 20))


def test_another_county_cannot_edit(client, db, make_user, make_gathering):
    gathering = make_gathering(county="46")
    intruder = make_user("county_host", county="42")
    login(client, intruder.email)
    assert client.get(f"/gatherings/{gathering.id}/edit").status_code == 404
    token = get_csrf(client, "/")
    assert client.post(f"/gatherings/{gathering.id}/status",
                       data={"status": "open", "csrf_token": token}).status_code == 404
    counsellor = make_user("counsellor", county="46")
    client.post("/account/logout", data={"csrf_token": token})
    login(client, counsellor.email)
    assert client.get(f"/gatherings/{gathering.id}/edit").status_code == 403
    token = get_csrf(client, "/")
    assert client.post(f"/gatherings/{gathering.id}/status",
                       data={"status": "open", "csrf_token": token}).status_code == 403
    assert db.session.get(Gathering, gathering.id).status == "draft"


def test_public_page_only_once_published(client, db, host, make_gathering):
    gathering = make_gathering(county="42", title="Agdersamlinga")
    add_item(gathering, host, ItemData(day=1, start=time(9), end=time(9, 30), kind="talk",
                                       title="Velkommen til Agder"))
    db.session.commit()
    assert client.get(f"/gatherings/{gathering.id}/public").status_code == 404
    print_url = f"/gatherings/{gathering.id}/programme/print"
    assert client.get(print_url).status_code == 302  # draft: log in first
    gathering.status = "open"
    db.session.commit()
    page = client.get(f"/gatherings/{gathering.id}/public")
    assert page.status_code == 200
    assert "Velkommen til Agder" in page.get_data(as_text=True)
    printed = client.get(print_url)
    assert printed.status_code == 200 and "09:00" in printed.get_data(as_text=True)
