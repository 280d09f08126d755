"""Every boundary between counties and municipalities, tried from the pages and from the API.

Each attempt must be refused without leaking the other side's data.
"""

import pytest
from sqlalchemy import select

from eventapp.accounts.models import User
from eventapp.api.services import create_token
from tests.conftest import get_csrf, login


@pytest.fixture
def world(make_user, make_gathering, places, db):
    """Two counties, each with a host, a counsellor, a municipal contact and a gathering."""
    w = {
        "host46": make_user("county_host", county="46", name="Vestland-vert"),
        "counsellor46": make_user("counsellor", county="46", municipalities=["4601", "4602"]),
        "contact4601": make_user("municipal_contact", county="46", municipality="4601",
                                 name="Bergen-kontakt"),
        "contact4602": make_user("municipal_contact", county="46", municipality="4602",
                                 name="Kinn-kontakt"),
        "host11": make_user("county_host", county="11", name="Rogaland-vert"),
        "contact1103": make_user("municipal_contact", county="11", municipality="1103",
                                 name="Stavanger-kontakt"),
        "directorate": make_user("directorate", county=None),
        "g46": make_gathering(county="46", title="Vestlandssamlinga"),
        "g11": make_gathering(county="11", title="Rogalandssamlinga"),
    }
    return w


def _token(db, user):
    _t, raw = create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_host_cannot_open_another_countys_gathering(client, world):
    login(client, world["host11"].email)
    response = client.get(f"/gatherings/{world['g46'].id}")
    assert response.status_code == 404
    assert "Vestlandssamlinga" not in response.get_data(as_text=True)
    assert client.get(f"/gatherings/{world['g11'].id}").status_code == 200
    listing = client.get("/gatherings/").get_data(as_text=True)
    assert "Rogalandssamlinga" in listing and "Vestlandssamlinga" not in listing


def test_host_cannot_open_another_countys_users_county_or_municipality(client, world):
    login(client, world["host11"].email)
    for url in (f"/account/users/{world['host46'].id}",
                f"/account/users/{world['contact4601'].id}",
                f"/places/counties/{world['host46'].county_id}",
                f"/places/municipalities/{world['contact4601'].municipality_id}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Vestland-vert" not in response.get_data(as_text=True)
        assert "Bergen-kontakt" not in response.get_data(as_text=True)
    users = client.get("/account/users").get_data(as_text=True)
    assert "Stavanger-kontakt" in users
    assert "Bergen-kontakt" not in users and "Vestland-vert" not in users


def test_municipal_contact_sees_only_their_own_municipality(client, world):
    login(client, world["contact4601"].email)
    own = client.get(f"/places/municipalities/{world['contact4601'].municipality_id}")
    assert own.status_code == 200 and "Bergen-kontakt" in own.get_data(as_text=True)
    other = client.get(f"/places/municipalities/{world['contact4602'].municipality_id}")
    assert other.status_code == 404
    assert "Kinn-kontakt" not in other.get_data(as_text=True)
    assert client.get(f"/account/users/{world['contact4602'].id}").status_code == 403
    assert client.get("/account/users").status_code == 403
    assert client.get(f"/places/counties/{world['host46'].county_id}").status_code == 403
    # Their own county's gathering yes, another county's no.
    assert client.get(f"/gatherings/{world['g46'].id}").status_code == 200
    assert client.get(f"/gatherings/{world['g11'].id}").status_code == 404


def test_counsellor_cannot_manage_users_or_cross_counties(client, world):
    login(client, world["counsellor46"].email)
    assert client.get("/account/users").status_code == 403
    assert client.get("/account/users/new").status_code == 403
    assert client.get(f"/gatherings/{world['g11'].id}").status_code == 404
    assert client.get(f"/places/municipalities/{world['contact1103'].municipality_id}").status_code == 404


def test_directorate_sees_every_county(client, world):
    login(client, world["directorate"].email)
    listing = client.get("/gatherings/").get_data(as_text=True)
    assert "Rogalandssamlinga" in listing and "Vestlandssamlinga" in listing
    assert client.get(f"/account/users/{world['contact4601'].id}").status_code == 200


def test_host_cannot_create_a_user_in_another_county(client, world, places, db):
    login(client, world["host46"].email)
    token = get_csrf(client, "/account/users/new")
    stavanger = places.unit("1103")
    response = client.post("/account/users/new", data={
        "name": "Inntrenger", "email": "inn@example.no", "role": "municipal_contact",
        "county": str(stavanger.county_id), "municipality": str(stavanger.id), "csrf_token": token,
    })
    assert response.status_code == 422
    assert db.session.scalars(select(User).where(User.email == "inn@example.no")).first() is None


def test_host_cannot_create_hosts_and_directorate_only_creates_hosts(client, world, db):
    login(client, world["host46"].email)
    token = get_csrf(client, "/account/users/new")
    response = client.post("/account/users/new", data={
        "name": "Ny vert", "email": "nyvert@example.no", "role": "county_host",
        "county": str(world["host46"].county_id), "municipality": "", "csrf_token": token,
    })
    assert response.status_code == 422
    assert db.session.scalars(select(User).where(User.email == "nyvert@example.no")).first() is None


def test_directorate_creates_a_county_host(client, world, places, db):
    login(client, world["directorate"].email)
    token = get_csrf(client, "/account/users/new")
    response = client.post("/account/users/new", data={
        "name": "Agder-vert", "email": "vert@agder.no", "role": "county_host",
        "county": str(places.county("42").id), "csrf_token": token,
    })
    assert response.status_code == 302
    created = db.session.scalars(select(User).where(User.email == "vert@agder.no")).one()
    assert created.role == "county_host" and created.county.number == "42"


def test_host_cannot_assign_another_countys_municipality_or_counsellor(client, world, places, db):
    login(client, world["host46"].email)
    counsellor = world["counsellor46"]
    token = get_csrf(client, f"/account/users/{counsellor.id}")
    stavanger = places.unit("1103")
    response = client.post(f"/account/users/{counsellor.id}/municipalities",
                           data={"municipalities": [str(stavanger.id)], "csrf_token": token})
    assert response.status_code == 422
    db.session.expire_all()
    assert [m.number for m in db.session.get(User, counsellor.id).assigned_municipalities] == \
        ["4601", "4602"]
    # A host of another county cannot even see the counsellor.
    client.post("/account/logout", data={"csrf_token": token})
    login(client, world["host11"].email)
    token = get_csrf(client, "/")
    response = client.post(f"/account/users/{counsellor.id}/municipalities",
                           data={"municipalities": [str(stavanger.id)], "csrf_token": token})
    assert response.status_code == 404


def test_host_assigns_municipalities_to_a_counsellor(client, world, places, db):
    login(client, world["host46"].email)
    counsellor = world["counsellor46"]
    token = get_csrf(client, f"/account/users/{counsellor.id}")
    chosen = [places.unit(n).id for n in ("4601", "4624", "4640")]
    response = client.post(f"/account/users/{counsellor.id}/municipalities",
                           data={"municipalities": [str(i) for i in chosen], "csrf_token": token})
    assert response.status_code == 302
    assert [m.number for m in db.session.get(User, counsellor.id).assigned_municipalities] == \
        ["4601", "4624", "4640"]


def test_api_is_scoped_like_the_pages(client, world, db):
    host11 = _token(db, world["host11"])
    response = client.get(f"/api/v1/gatherings/{world['g46'].id}", headers=host11)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert "Vestlandssamlinga" not in response.get_data(as_text=True)
    titles = [g["title"] for g in client.get("/api/v1/gatherings", headers=host11).get_json()]
    assert titles == ["Rogalandssamlinga"]
    # Asking for another county by filter gives nothing, not its data.
    assert client.get("/api/v1/gatherings?county=46", headers=host11).get_json() == []

    contact = _token(db, world["contact4601"])
    titles = [g["title"] for g in client.get("/api/v1/gatherings", headers=contact).get_json()]
    assert titles == ["Vestlandssamlinga"]
    assert client.get(f"/api/v1/gatherings/{world['g11'].id}", headers=contact).status_code == 404

    directorate = _token(db, world["directorate"])
    titles = {g["title"] for g in client.get("/api/v1/gatherings", headers=directorate).get_json()}
    assert titles == {"Rogalandssamlinga", "Vestlandssamlinga"}


def test_api_host_cannot_create_a_gathering_for_another_county(client, world, db):
    host11 = _token(db, world["host11"])
    body = {"county_number": "46", "title": "Kapring", "start_date": "2027-04-01",
            "end_date": "2027-04-02", "venue": "Bergen"}
    response = client.post("/api/v1/gatherings", json=body, headers=host11)
    assert response.status_code == 403
    assert response.get_json()["error"]["message"]
    directorate = _token(db, world["directorate"])
    assert client.post("/api/v1/gatherings", json=body, headers=directorate).status_code == 403
