"""Server-side login sessions: logout ends one for good, and what else ends them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from eventapp.accounts import services
from eventapp.accounts.models import LoginSession, User
from eventapp.core.time import utcnow
from tests.conftest import PASSWORD, csrf_from, get_csrf, login, post_form


class Clock:
    def __init__(self):
        self.now = utcnow()

    def move(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """The sessions' clock, moved by hand (the cookie's own signature keeps real time)."""
    clock = Clock()
    monkeypatch.setattr(services, "utcnow", lambda: clock.now)
    return clock


def _captured(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def _signed_in(client) -> bool:
    response = client.get("/places/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _logout(client):
    return client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})


def test_cookie_captured_before_logout_gets_the_login_page(app, client, make_user, make_gathering):
    host = make_user("county_host", county="46")
    gathering = make_gathering(county="46")
    participants = f"/gatherings/{gathering.id}/registrations"
    login(client, host.email)
    assert client.get(participants).status_code == 200
    captured = _captured(client)
    assert _logout(client).status_code == 302

    thief = _replay(app, captured)
    response = thief.get(participants)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")
    page = thief.get(participants, follow_redirects=True).get_data(as_text=True)
    assert 'autocomplete="current-password"' in page


def test_the_cookie_carries_the_sessions_secret_and_the_database_only_its_hash(client, make_user,
                                                                               db):
    user = make_user("county_host")
    login(client, user.email)
    with client.session_transaction() as session:
        secret = session["_user_id"]
    row = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
    assert secret not in (row.secret_hash, str(user.id))
    assert row.secret_hash == services.session_secret_hash(secret)
    assert row.ended_at is None and row.last_seen_at == row.created_at
    assert not hasattr(User, "session_token")


def test_logout_ends_only_that_session(app, make_user, db):
    user = make_user("county_host")
    office, laptop = app.test_client(), app.test_client()
    login(office, user.email)
    login(laptop, user.email)
    _logout(office)
    assert not _signed_in(office)
    assert _signed_in(laptop)
    reasons = db.session.scalars(
        select(LoginSession.end_reason).where(LoginSession.user_id == user.id)
        .order_by(LoginSession.id)).all()
    assert reasons == ["logout", None]


def test_password_change_ends_every_session_of_the_user(app, make_user, db):
    user = make_user("county_host")
    other = make_user("county_host")
    office, laptop, colleague = app.test_client(), app.test_client(), app.test_client()
    login(office, user.email)
    login(laptop, user.email)
    login(colleague, other.email)
    services.set_password(user, "Brygge-Fisk-Laks-77")
    db.session.commit()
    assert not _signed_in(office) and not _signed_in(laptop)
    assert _signed_in(colleague)
    assert login(office, user.email, "Brygge-Fisk-Laks-77").status_code == 302


def test_password_reset_by_link_ends_the_other_sessions(app, client, make_user, db):
    user = make_user("county_host")
    laptop = app.test_client()
    login(laptop, user.email)
    services.send_link(user, "reset")
    db.session.commit()
    raw = services.issue_link(user, "reset")
    db.session.commit()
    path = f"/account/reset/{raw}"
    response = post_form(client, path, {"password": "Brygge-Fisk-Laks-77",
                                        "confirm": "Brygge-Fisk-Laks-77"})
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(laptop)


def test_deactivation_ends_the_sessions_and_reactivation_does_not_revive_them(client, make_user,
                                                                             db):
    user = make_user("county_host")
    login(client, user.email)
    user.active = False
    db.session.commit()
    assert not _signed_in(client)
    user.active = True
    db.session.commit()
    assert not _signed_in(client)
    assert login(client, user.email).status_code == 302
    assert _signed_in(client)


@pytest.mark.parametrize("change", ["role", "county", "municipality"])
def test_a_changed_role_county_or_municipality_ends_the_sessions(client, make_user, places, db,
                                                                  change):
    if change == "municipality":
        user = make_user("municipal_contact", county="46", municipality="4601")
    else:
        user = make_user("county_host", county="46")
    login(client, user.email)
    assert _signed_in(client)
    if change == "role":
        user.role = "counsellor"
    elif change == "county":
        user.county = places.county("03")
    else:
        user.municipality = places.unit("4602")
    db.session.commit()
    assert not _signed_in(client)
    ended = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
    assert ended.end_reason == "changed"


def test_log_out_everywhere_from_the_account_page(app, make_user, db):
    user = make_user("county_host")
    office, laptop = app.test_client(), app.test_client()
    login(office, user.email)
    login(laptop, user.email)
    page = office.get("/account/").get_data(as_text=True)
    assert "/account/logout-everywhere" in page
    response = office.post("/account/logout-everywhere", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    assert not _signed_in(office) and not _signed_in(laptop)
    reasons = db.session.scalars(
        select(LoginSession.end_reason).where(LoginSession.user_id == user.id)).all()
    assert reasons == ["everywhere", "everywhere"]


def test_log_out_everywhere_without_csrf_token_ends_nothing(client, make_user):
    user = make_user("county_host")
    login(client, user.email)
    assert client.post("/account/logout-everywhere").status_code == 400
    assert _signed_in(client)


def test_idle_timeout(app, client, make_user, clock, db):
    user = make_user("county_host")
    login(client, user.email)
    clock.move(minutes=29)
    assert _signed_in(client)
    clock.move(minutes=29)  # active a minute ago counts from then
    assert _signed_in(client)
    clock.move(minutes=30, seconds=1)
    assert not _signed_in(client)
    row = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
    assert row.end_reason == "idle"

    app.config["SESSION_IDLE_MINUTES"] = 5
    login(client, user.email)
    clock.move(minutes=5, seconds=1)
    assert not _signed_in(client)


def test_absolute_lifetime_ends_even_a_busy_session(client, make_user, clock, db):
    user = make_user("county_host")
    login(client, user.email)
    for _ in range(23):  # every 20 minutes for 7 h 40 min
        clock.move(minutes=20)
        assert _signed_in(client)
    clock.move(minutes=20, seconds=1)  # 8 h after login
    assert not _signed_in(client)
    row = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
    assert row.end_reason == "expired"


def test_last_seen_is_written_at_most_about_once_a_minute(client, make_user, clock, db):
    user = make_user("county_host")
    login(client, user.email)
    row = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
    started = row.last_seen_at
    for _ in range(5):
        clock.move(seconds=10)
        assert _signed_in(client)
    db.session.refresh(row)
    assert row.last_seen_at == started
    clock.move(seconds=11)
    assert _signed_in(client)
    db.session.refresh(row)
    assert row.last_seen_at == clock.now


def test_a_request_that_writes_nothing_to_its_session_neither_commits_nor_reloads_the_user(
        client, make_user, clock, db):
    # Committing after loading the session expired the user just loaded: every page paid a
    # commit and a second query for the user. Only the minute's last-seen write commits.
    from sqlalchemy import event

    from tests.querycount import statements

    user = make_user("county_host")
    login(client, user.email)
    commits = []

    def count(conn):
        commits.append(1)

    event.listen(db.engine, "commit", count)
    try:
        clock.move(seconds=10)
        with statements() as quiet:
            assert client.get("/places/").status_code == 200
        assert commits == []
        assert sum(" FROM users" in s and "login_sessions" not in s for s in quiet.sql) == 0, quiet
        clock.move(seconds=61)
        assert client.get("/places/").status_code == 200
        assert commits == [1]
    finally:
        event.remove(db.engine, "commit", count)
    row = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
    db.session.refresh(row)
    assert row.last_seen_at == clock.now


def test_login_after_logout_with_the_same_browser_works(client, make_user):
    user = make_user("county_host")
    login(client, user.email)
    _logout(client)
    assert login(client, user.email, PASSWORD).status_code == 302
    assert _signed_in(client)
