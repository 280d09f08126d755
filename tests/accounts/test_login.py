"""Login, logout, sessions, redirects and the password rules."""

import pytest
from sqlalchemy import select

from eventapp.accounts.models import User
from eventapp.accounts.services import password_problem, set_password
from tests.conftest import PASSWORD, csrf_from, get_csrf, login


@pytest.mark.parametrize("role,county,municipality", [
    ("directorate", None, None),
    ("county_host", "46", None),
    ("counsellor", "46", None),
    ("municipal_contact", "46", "4601"),
])
def test_each_role_logs_in_and_sees_its_own_start_page(client, make_user, role, county,
                                                         municipality):
    user = make_user(role, county=county, municipality=municipality)
    response = login(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert user.name in page
    assert client.get("/account/users").status_code == (
        200 if role in ("directorate", "county_host") else 403
    )


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user("county_host")
    response = login(client, user.email, "Feil-passord-123456")
    assert response.status_code == 401
    assert "Feil e-post eller passord" in response.get_data(as_text=True)
    assert client.get("/account/users").status_code == 302  # still logged out


def test_unknown_email_and_inactive_account_are_refused_the_same_way(client, make_user):
    inactive = make_user("county_host", password=None)
    assert login(client, "nobody@example.no").status_code == 401
    assert login(client, inactive.email, PASSWORD).status_code == 401


def test_empty_form_is_refused_with_field_errors(client, places):
    token = get_csrf(client, "/account/login")
    response = client.post("/account/login", data={"email": "", "password": "",
                                                   "csrf_token": token})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count('class="error-message"') == 2


def test_login_attempts_are_rate_limited(client, make_user):
    user = make_user("county_host")
    statuses = [login(client, user.email, "Feil-passord-123456").status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    # Even the right password waits out the limit.
    assert login(client, user.email).status_code == 429


def test_session_is_renewed_at_login_and_cleared_at_logout(client, make_user):
    user = make_user("county_host")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/account/logout", data={"csrf_token": token})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/account/users").status_code == 302


def test_logout_without_csrf_token_does_nothing(client, make_user):
    user = make_user("county_host")
    login(client, user.email)
    response = client.post("/account/logout")
    assert response.status_code == 400
    assert client.get("/account/users").status_code == 200


@pytest.mark.parametrize("target,expected", [
    ("/account/users", "/account/users"),
    ("https://evil.example/phish", "/"),
    ("//evil.example/phish", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_redirects_only_within_the_site(client, make_user, target, expected):
    user = make_user("county_host")
    response = login(client, user.email, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_login_required_pages_send_you_to_login_and_back(client, make_user):
    user = make_user("county_host")
    response = client.get("/account/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")
    response = login(client, user.email, next_url="/account/users")
    assert response.headers["Location"] == "/account/users"


@pytest.mark.parametrize("password,ok", [
    ("kort-pass", False),                 # shorter than 12
    ("password1234", False),              # common
    ("qwertyuiopas", False),              # keyboard pattern
    ("111111111111", False),
    ("Fjord-kaffe-tavle-9", True),
    ("Korrekt-Hest-Batteri-Stift", True),
])
def test_password_rules(app, password, ok):
    assert (password_problem(password) is None) is ok


def test_password_containing_own_email_is_refused(app):
    assert password_problem("kari.nordmann2026", ["kari.nordmann@example.no", "kari.nordmann"])


def test_passwords_are_stored_hashed_with_argon2(app, make_user):
    user = make_user("county_host")
    stored = app.extensions["sqlalchemy"].session.scalar(
        select(User.password_hash).where(User.id == user.id)
    )
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_session_ends_when_password_changes_elsewhere(client, make_user, db):
    user = make_user("county_host")
    login(client, user.email)
    assert client.get("/account/users").status_code == 200
    set_password(user, "Brygge-Fisk-Laks-77")
    db.session.commit()
    assert client.get("/account/users").status_code == 302
