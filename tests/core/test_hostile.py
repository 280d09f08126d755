"""Hostile input on the HTML side and in the shared plumbing (``core.hostile``): a 4xx with a
clear message, nothing changed, never a 500. The API's side is in tests/api/test_hostile_input.py.

Run on SQLite and on PostgreSQL, where an id of 2^31 and a NUL in text are refused by the
database itself (the cases that answered 500); 2^63 and beyond failed on SQLite too.
"""

import re

import pytest
from sqlalchemy import func, select

from eventapp.api.services import create_token
from eventapp.core.hostile import DB_INT_MAX, at_most, json_depth
from eventapp.gatherings.models import Gathering
from tests.conftest import get_csrf, login

BIG_IDS = [str(2**31), str(2**63), str(10**30), "9" * 5000]
ID_ARG = re.compile(r"<int:(\w+)>")


@pytest.fixture
def gathering(open_gathering):
    return open_gathering


@pytest.fixture
def host(make_user):
    return make_user("county_host", county="46")


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _message(response) -> str:
    """The message of the error page."""
    match = re.search(r'<p class="lead">(.*?)</p>', response.get_data(as_text=True), re.S)
    return match.group(1) if match else ""


# --- ids beyond the database's integer -------------------------------------------------------

def test_at_most_matches_exactly_the_numbers_up_to_its_bound():
    pattern = re.compile(at_most(DB_INT_MAX) + "$")
    for n in (0, 7, 10, 999_999_999, 1_999_999_999, 2_147_483_639, DB_INT_MAX):
        assert pattern.match(str(n)), n
    for n in (DB_INT_MAX + 1, 2_147_483_650, 2_999_999_999, 10**10, 10**30):
        assert not pattern.match(str(n)), n
    assert pattern.match("0000000001") and not pattern.match("٣")


def _urls_with(app, ident: str):
    """Every route with an id in its path, the ids set to ``ident`` (other parts filled)."""
    for rule in app.url_map.iter_rules():
        if not ID_ARG.search(rule.rule):
            continue
        path = ID_ARG.sub(ident, rule.rule)
        path = re.sub(r"<any\(([^,)]+)[^>]*>", lambda m: m.group(1).strip(" '\""), path)
        path = re.sub(r"<(?:\w+:)?\w+>", "x", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


@pytest.mark.parametrize("ident", BIG_IDS, ids=["2^31", "2^63", "10^30", "5000 digits"])
def test_every_route_with_an_id_answers_404_beyond_the_database_integer(app, client, db, host,
                                                                        gathering, ident):
    """Signed in as the county's host (HTML) and with their token (API), on every route with
    an id, whatever its method: the address names nothing that can exist, so 404."""
    _token, raw = create_token(host, "hostile")
    db.session.commit()
    login(client, host.email)
    answers = {}
    for method, path in _urls_with(app, ident):
        headers = {"Authorization": f"Bearer {raw}"} if path.startswith("/api/") else {}
        answers[f"{method} {path.replace(ident, '<id>')}"] = client.open(
            path, method=method, headers=headers).status_code
    assert len(answers) > 100
    assert set(answers.values()) == {404}, {k: v for k, v in answers.items() if v != 404}


def test_public_pages_with_an_id_beyond_the_database_integer_answer_404(client, gathering):
    for path in ("/gatherings/2147483648/public", "/gatherings/2147483648/register",
                 "/gatherings/2147483648/participants", "/gatherings/2147483648/gathering.ics",
                 "/gatherings/2147483648/programme/print"):
        assert client.get(path).status_code == 404, path
    # The largest id the database holds is an ordinary miss.
    assert client.get("/gatherings/2147483647/public").status_code == 404
    assert client.get(f"/gatherings/{gathering.id}/public").status_code in (200, 404)


def test_ids_in_html_query_strings_beyond_the_database_integer(client, host, gathering):
    login(client, host.email)
    for path in (f"/gatherings/contacts?municipality={2**31}",
                 f"/gatherings/{gathering.id}/registrations?municipality={2**31}",
                 f"/gatherings/{gathering.id}/outreach?municipality={10**30}",
                 f"/gatherings/{gathering.id}/seating/move?person={2**63}"):
        assert client.get(path).status_code < 500, path


@pytest.mark.parametrize("value", [str(2**31), "9" * 40])
def test_html_capacity_beyond_the_database_integer_is_refused_beside_the_field(
        client, db, host, gathering, value):
    client.set_cookie("lang", "en")
    login(client, host.email)
    page = f"/gatherings/{gathering.id}/edit"
    token = get_csrf(client, page)
    response = client.post(page, data={
        "csrf_token": token, "title": gathering.title, "start_date": gathering.start_date.isoformat(),
        "end_date": gathering.end_date.isoformat(), "venue": gathering.venue,
        "capacity": value, "municipal_cap": "2", "pool_cap": "20"})
    assert response.status_code == 422
    assert "Capacity can be at most 2147483647" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Gathering, gathering.id).capacity is None


# --- NUL bytes and lone surrogates ---------------------------------------------------------------

@pytest.mark.parametrize("path", ["/registration/abc%00", "/registration/abc%00/edit",
                                  "/s/abc%00", "/r/%00", "/account/reset/abc%00def",
                                  "/gatherings/input/%00"])
def test_nul_in_a_token_path_is_400_with_a_message(client, places, path):
    client.set_cookie("lang", "en")
    response = client.get(path)
    assert response.status_code == 400
    assert "The address contains a NUL character" in _message(response)


def test_nul_in_the_login_email_is_400_and_signs_nobody_in(client, make_user):
    user = make_user("county_host", county="46")
    client.set_cookie("lang", "en")
    token = get_csrf(client, "/account/login")
    response = client.post("/account/login", data={
        "csrf_token": token, "email": user.email + "\x00", "password": "x"})
    assert response.status_code == 400
    assert "“email” contains a NUL character" in _message(response)
    assert client.get("/gatherings/").status_code == 302  # still not signed in


def test_html_form_with_a_nul_is_400_and_saves_nothing(client, db, host, gathering):
    client.set_cookie("lang", "en")
    login(client, host.email)
    page = f"/gatherings/{gathering.id}/edit"
    token = get_csrf(client, page)
    response = client.post(page, data={
        "csrf_token": token, "title": "Ny\x00tittel", "start_date": gathering.start_date.isoformat(),
        "end_date": gathering.end_date.isoformat(), "venue": gathering.venue,
        "municipal_cap": "2", "pool_cap": "20"})
    assert response.status_code == 400
    assert "“title” contains a NUL character" in _message(response)
    db.session.expire_all()
    assert db.session.get(Gathering, gathering.id).title == gathering.title


def test_nul_in_an_html_query_string_is_400(client, host, gathering):
    client.set_cookie("lang", "en")
    login(client, host.email)
    response = client.get(f"/gatherings/{gathering.id}/registrations?status=a%00b")
    assert response.status_code == 400
    assert "“status” contains a NUL character" in _message(response)


def test_nul_in_an_uploaded_file_name_is_400(client, db, host):
    import io

    client.set_cookie("lang", "en")
    login(client, host.email)
    token = get_csrf(client, "/gatherings/contacts/import")
    response = client.post("/gatherings/contacts/import", data={
        "csrf_token": token, "file": (io.BytesIO(b"kommunenummer,navn,e-post\n"), "k\x00.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400


def test_a_database_refusal_is_a_422_with_a_message_and_nothing_kept(app, client, db, host,
                                                                      gathering, monkeypatch):
    """The last line: a value the database still refuses (here one that slipped past every
    check) is the client's input, answered 422 with nothing kept."""
    from sqlalchemy.exc import DataError

    from eventapp.gatherings import services

    def refused(*args, **kwargs):
        gathering.title = "Halvveis"
        db.session.flush()
        raise DataError("UPDATE gatherings ...", {}, Exception("integer out of range"))

    monkeypatch.setattr(services, "update_gathering", refused)
    client.set_cookie("lang", "en")
    login(client, host.email)
    page = f"/gatherings/{gathering.id}/edit"
    token = get_csrf(client, page)
    response = client.post(page, data={
        "csrf_token": token, "title": "Ny tittel", "start_date": gathering.start_date.isoformat(),
        "end_date": gathering.end_date.isoformat(), "venue": gathering.venue,
        "municipal_cap": "2", "pool_cap": "20"})
    assert response.status_code == 422
    assert "outside what can be stored" in _message(response)
    db.session.expire_all()
    assert db.session.get(Gathering, gathering.id).title == gathering.title


# --- JSON nested deep ----------------------------------------------------------------------------

def test_json_depth_counts_brackets_outside_strings_only():
    assert json_depth(b'{"a": [1, {"b": []}]}') == 4
    assert json_depth(b'{"a": "[[[[{{{{", "b": "\\\\\\"[[["}') == 1
    assert json_depth(b'["]", ["\\\\", [1]]]') == 3
    assert json_depth(b"[" * 10**6) == 10**6
    assert json_depth(b'"never closed [[[') == json_depth(b"") == 0


def test_deep_json_to_an_html_route_is_400(client, places):
    client.set_cookie("lang", "en")
    response = client.post("/account/login", data="[" * 1000 + "]" * 1000,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "nested more than 32 levels" in _message(response)
