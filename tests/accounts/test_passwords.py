"""Password rules: common Norwegian passwords are refused, long passwords are handled."""

import pytest
from sqlalchemy import select

from eventapp.accounts.models import User
from eventapp.accounts.passwords import common_words, password_problem
from eventapp.accounts.services import issue_link
from tests.conftest import get_csrf, login

STRONG = "Fjord-kaffe-tavle-9"
# Strong at the start and longer than the 72 characters zxcvbn takes.
LONG = "Brygge-Fisk-Laks-77 " * 5  # 100 characters


@pytest.mark.parametrize("password", [
    "Sommer2024!!", "Vinter2025!!", "Fotball2024!", "Norge2026!!!",
    "2025Bergen!!", "Passord12345", "hemmelig2024", "Velkommen123", "Mandag2024!!",
    "S0mmer2024!!", "Trondheim2025!", "Rosenborg1917", "Ingrid2019!!",
])
def test_common_norwegian_passwords_are_refused(app, password):
    assert password_problem(password) is not None


@pytest.mark.parametrize("password", [
    STRONG, "Korrekt-Hest-Batteri-Stift", "Brygge-Fisk-Laks-77", "tavle ull kran 4 sopp",
])
def test_strong_passwords_pass(app, password):
    assert password_problem(password) is None


def test_the_word_list_is_small_and_has_each_kind(app):
    words = common_words()
    assert 150 < len(words) < 1500
    for word in ("sommer", "januar", "mandag", "vestland", "tromsø", "fotball", "rosenborg",
                 "ingrid", "passord", "hemmelig", "velkommen"):
        assert word in words


@pytest.mark.parametrize("length", [73, 100, 1000])
def test_a_long_password_is_checked_without_error(app, length):
    assert password_problem((LONG * 10)[:length]) is None
    assert password_problem("a" * length) is not None  # the prefix still has to be good


def _set(client, path, password):
    token = get_csrf(client, path)
    return client.post(path, data={"password": password, "confirm": password,
                                   "csrf_token": token})


@pytest.mark.parametrize("purpose", ["activate", "reset"])
def test_a_password_over_72_characters_by_link(client, make_user, db, purpose):
    user = make_user("counsellor", password=None if purpose == "activate" else STRONG)
    raw = issue_link(user, purpose)
    db.session.commit()
    response = _set(client, f"/account/{purpose}/{raw}", LONG)
    assert response.status_code == 302
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})
    assert login(client, user.email, LONG).status_code == 302


@pytest.mark.parametrize("purpose", ["activate", "reset"])
def test_a_password_too_long_for_the_form_gets_a_message(client, make_user, db, purpose):
    user = make_user("counsellor", password=None if purpose == "activate" else STRONG)
    raw = issue_link(user, purpose)
    db.session.commit()
    client.set_cookie("lang", "en")
    response = _set(client, f"/account/{purpose}/{raw}", "x" * 1001)
    assert response.status_code == 422
    assert "at most 1000 characters" in response.get_data(as_text=True)


def test_a_password_over_72_characters_on_the_account_page(client, make_user, db):
    user = make_user("county_host", password=STRONG)
    login(client, user.email)
    token = get_csrf(client, "/account/")
    response = client.post("/account/password", data={
        "current": STRONG, "password": LONG, "confirm": LONG, "csrf_token": token})
    assert response.status_code == 302
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("$argon2id$")
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})
    assert login(client, user.email, LONG).status_code == 302


def test_change_password_on_the_account_page(app, client, make_user, db):
    user = make_user("county_host", password=STRONG)
    laptop = app.test_client()
    login(client, user.email)
    login(laptop, user.email)
    client.set_cookie("lang", "en")
    token = get_csrf(client, "/account/")
    wrong = client.post("/account/password", data={
        "current": "Feil-passord-123456", "password": "Brygge-Fisk-Laks-77",
        "confirm": "Brygge-Fisk-Laks-77", "csrf_token": token})
    assert wrong.status_code == 422
    assert "current password is wrong" in wrong.get_data(as_text=True)
    weak = client.post("/account/password", data={
        "current": STRONG, "password": "Sommer2024!!", "confirm": "Sommer2024!!",
        "csrf_token": token})
    assert weak.status_code == 422
    ok = client.post("/account/password", data={
        "current": STRONG, "password": "Brygge-Fisk-Laks-77", "confirm": "Brygge-Fisk-Laks-77",
        "csrf_token": token})
    assert ok.status_code == 302
    # This browser goes on in a new session; every other one is ended.
    assert client.get("/account/").status_code == 200
    assert laptop.get("/account/").status_code == 302
