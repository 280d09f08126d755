"""A fixed number of statements per API list (issue 20): each list operation runs as many
statements for a little data as for much more (registrations from more municipalities, more
gatherings in more counties, more partners, programme items and municipalities on the board)."""

from datetime import date, time, timedelta

import pytest

from eventapp.api.services import create_token
from eventapp.gatherings.services import ItemData, SpeakerData, add_item
from eventapp.partners.services import add_contact, create_partner
from tests.querycount import statements
from tests.registration.test_query_counts import crowd


@pytest.fixture
def api(db, make_user, make_gathering):
    g = make_gathering(county="46", start=date.today() + timedelta(days=60),
                       end=date.today() + timedelta(days=61), municipal_cap=2, pool_cap=20)
    g.status = "open"
    host = make_user("county_host", county="46")
    directorate = make_user("directorate", county=None)
    headers = {}
    for who, user in (("host", host), ("directorate", directorate)):
        _token, raw = create_token(user, "test")
        headers[who] = {"Authorization": f"Bearer {raw}"}
    db.session.commit()
    return {"gathering": g, "host": host, "directorate": directorate, "headers": headers}


def _count(client, url: str, headers: dict):
    with statements() as counted:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return counted, response.get_json()


def _assert_same(small, large):
    assert large.n == small.n, f"small: {small}\nlarge: {large}"


@pytest.mark.parametrize("who", ["host", "directorate"])
def test_list_registrations(client, db, api, who):
    g, host = api["gathering"], api["host"]
    url = f"/api/v1/gatherings/{g.id}/registrations"
    crowd(db, g, host, 0, 2)
    small, _rows = _count(client, url, api["headers"][who])
    crowd(db, g, host, 2, 12)
    large, rows = _count(client, url, api["headers"][who])
    assert len(rows) == 12 * 3 + 2 * 3
    assert {r["organisation"]["kind"] for r in rows} == {"municipality", "county", "partner"}
    _assert_same(small, large)


@pytest.mark.parametrize("path", ["invitations/status", "caps"])
def test_the_board_and_the_caps(client, db, api, path):
    g, host = api["gathering"], api["host"]
    url = f"/api/v1/gatherings/{g.id}/{path}"
    crowd(db, g, host, 0, 2)
    small, _rows = _count(client, url, api["headers"]["host"])
    crowd(db, g, host, 2, 12)
    large, _rows = _count(client, url, api["headers"]["host"])
    _assert_same(small, large)


def test_list_gatherings(client, db, api, make_gathering):
    headers = api["headers"]["directorate"]
    make_gathering(county="03", title="Oslosamling")
    small, _rows = _count(client, "/api/v1/gatherings", headers)
    for county in ("11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "50", "55"):
        make_gathering(county=county, title=f"Samling {county}")
    large, rows = _count(client, "/api/v1/gatherings", headers)
    assert len(rows) == 14
    _assert_same(small, large)


def test_list_partners(client, db, api):
    host = api["host"]

    def partners(first: int, last: int):
        for n in range(first, last):
            partner = create_partner(host, host.county_id, name=f"Partner {n}",
                                     kind="nav" if n % 2 else "adult_education")
            add_contact(host, partner, name=f"Kontakt {n}", email=f"kontakt{n}@partner.example")
        db.session.commit()

    partners(0, 1)
    small, _rows = _count(client, "/api/v1/partners", api["headers"]["directorate"])
    partners(1, 12)
    large, rows = _count(client, "/api/v1/partners", api["headers"]["directorate"])
    assert len(rows) == 12 and all(r["contacts"] for r in rows)
    _assert_same(small, large)


def test_list_programme_items(client, db, api):
    g, host = api["gathering"], api["host"]

    def items(first: int, last: int):
        for n in range(first, last):
            add_item(g, host, ItemData(
                day=1 + n % 2, start=time(9 + n % 8), end=time(9 + n % 8, 45), kind="talk",
                title=f"Innlegg {n}", room=f"Rom {n}",
                speakers=[SpeakerData(f"Taler {n}", "Bergen kommune", "municipality")]))
        db.session.commit()

    url = f"/api/v1/gatherings/{g.id}/programme"
    items(0, 1)
    small, _rows = _count(client, url, api["headers"]["host"])
    items(1, 10)
    large, rows = _count(client, url, api["headers"]["host"])
    assert len(rows) == 10 and all(r["speakers"] for r in rows)
    _assert_same(small, large)
