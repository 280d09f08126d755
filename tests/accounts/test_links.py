"""Activation and password reset by emailed, expiring, single-use links."""

import re
from datetime import timedelta

from sqlalchemy import select

from eventapp.accounts.models import LinkToken, User
from eventapp.accounts.services import send_link
from eventapp.mail.models import OutboxMessage
from tests.conftest import PASSWORD, get_csrf, login

NEW_PASSWORD = "Brygge-Fisk-Laks-77"


def _link_in_last_mail(db, to: str) -> str:
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == to).order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"no mail to {to}"
    match = re.search(r"http://localhost(/account/(?:activate|reset)/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def _set_password(client, path, password=NEW_PASSWORD, confirm=None):
    token = get_csrf(client, path)
    return client.post(path, data={"password": password, "confirm": confirm or password,
                                   "csrf_token": token})


def test_host_creates_counsellor_who_activates_by_link(client, make_user, db):
    host = make_user("county_host", county="46")
    login(client, host.email)
    token = get_csrf(client, "/account/users/new")
    response = client.post("/account/users/new", data={
        "name": "Kari Veileder", "email": "Kari.Veileder@Vlfk.no", "role": "counsellor",
        "county": str(host.county_id), "municipality": "", "csrf_token": token,
    })
    assert response.status_code == 302
    created = db.session.scalars(select(User).where(User.email == "kari.veileder@vlfk.no")).one()
    assert created.role == "counsellor" and created.county_id == host.county_id
    assert not created.active and created.password_hash is None
    path = _link_in_last_mail(db, "kari.veileder@vlfk.no")

    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})
    response = _set_password(client, path)
    assert response.status_code == 302
    assert client.get("/").get_data(as_text=True).count("Kari Veileder") >= 1

    # The link is spent: using it again is refused with a clear message and changes nothing.
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})
    response = client.get(path)
    assert response.status_code == 410
    response = _set_password(client, path, password="Annet-passord-xyz-42")
    assert response.status_code == 410
    assert login(client, "kari.veileder@vlfk.no", NEW_PASSWORD).status_code == 302


def test_weak_or_mismatched_password_on_activation_changes_nothing(client, make_user, db):
    user = make_user("counsellor", password=None, email="ny@vlfk.no")
    send_link(user, "activate")
    db.session.commit()
    path = _link_in_last_mail(db, "ny@vlfk.no")
    assert _set_password(client, path, "password1234").status_code == 422
    assert _set_password(client, path, NEW_PASSWORD, "Noe-annet-helt-9").status_code == 422
    assert _set_password(client, path, "kort").status_code == 422
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    # The link still works after the refused attempts.
    assert _set_password(client, path).status_code == 302


def test_expired_link_is_refused(client, make_user, db):
    user = make_user("counsellor", password=None, email="sein@vlfk.no")
    send_link(user, "activate")
    db.session.commit()
    path = _link_in_last_mail(db, "sein@vlfk.no")
    link = db.session.scalars(
        select(LinkToken).where(LinkToken.user_id == user.id, LinkToken.used_at.is_(None))
    ).one()
    link.expires_at = link.created_at - timedelta(seconds=1)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 410
    assert "utløpt" in response.get_data(as_text=True)
    assert _set_password(client, path).status_code == 410


def test_unknown_link_is_refused(client, places):
    assert client.get("/account/reset/not-a-real-token").status_code == 410


def test_password_reset_by_link(client, make_user, db):
    user = make_user("county_host", email="vert@vlfk.no")
    token = get_csrf(client, "/account/reset")
    response = client.post("/account/reset", data={"email": "VERT@vlfk.no", "csrf_token": token})
    assert response.status_code == 302
    path = _link_in_last_mail(db, "vert@vlfk.no")
    assert "/account/reset/" in path
    assert _set_password(client, path).status_code == 302
    client.post("/account/logout", data={"csrf_token": get_csrf(client, "/")})
    assert login(client, user.email, PASSWORD).status_code == 401
    assert login(client, user.email, NEW_PASSWORD).status_code == 302


def test_reset_for_unknown_email_says_the_same_and_sends_no_link(client, places, db):
    token = get_csrf(client, "/account/reset")
    response = client.post("/account/reset", data={"email": "ukjent@example.no",
                                                   "csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.to_address == "ukjent@example.no"
    assert "http" not in message.body_text


def test_a_new_reset_link_cancels_the_previous_one(client, make_user, db):
    make_user("county_host", email="to@vlfk.no")
    links = []
    for _ in range(2):
        token = get_csrf(client, "/account/reset")
        client.post("/account/reset", data={"email": "to@vlfk.no", "csrf_token": token})
        links.append(_link_in_last_mail(db, "to@vlfk.no"))
    assert client.get(links[0]).status_code == 410
    assert client.get(links[1]).status_code == 200


def _messages(db, to):
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == to).order_by(OutboxMessage.id)
    ).all()


def _assert_blanked(message, path):
    for body in (message.body_text, message.body_html or ""):
        assert path not in body and "/account/activate/" not in body \
            and "/account/reset/" not in body
    assert "lenken er fjernet" in message.body_text.lower()
    assert message.body_text.startswith("Hei,")  # the rest of the message is kept


def test_a_used_link_is_blanked_in_the_kept_mail(client, make_user, db):
    make_user("counsellor", password=None, email="brukt@vlfk.no")  # mails the link
    path = _link_in_last_mail(db, "brukt@vlfk.no")
    assert _set_password(client, path).status_code == 302
    (message,) = _messages(db, "brukt@vlfk.no")
    _assert_blanked(message, path)


def test_an_expired_link_is_blanked_when_it_is_found_expired(client, make_user, db):
    user = make_user("counsellor", password=None, email="gammel@vlfk.no")
    path = _link_in_last_mail(db, "gammel@vlfk.no")
    link = db.session.scalars(select(LinkToken).where(LinkToken.user_id == user.id)).one()
    link.expires_at = link.created_at - timedelta(seconds=1)
    db.session.commit()
    assert client.get(path).status_code == 410
    (message,) = _messages(db, "gammel@vlfk.no")
    _assert_blanked(message, path)


def test_a_superseded_link_is_blanked_and_the_new_one_kept(client, make_user, db):
    user = make_user("county_host", email="to@vlfk.no")
    send_link(user, "reset")
    db.session.commit()
    first = _link_in_last_mail(db, "to@vlfk.no")
    send_link(user, "reset")
    db.session.commit()
    second = _link_in_last_mail(db, "to@vlfk.no")
    old, new = _messages(db, "to@vlfk.no")
    _assert_blanked(old, first)
    assert second in new.body_text
    assert client.get(second).status_code == 200


def test_a_sent_link_is_blanked_once_used(client, make_user, db, app, smtp_server, use_smtp):
    from eventapp.mail.services import send_due

    server = smtp_server()
    use_smtp(server.port)
    make_user("counsellor", password=None, email="sendt@vlfk.no")
    assert send_due().sent == 1
    path = _link_in_last_mail(db, "sendt@vlfk.no")
    assert _set_password(client, path).status_code == 302
    (message,) = _messages(db, "sendt@vlfk.no")
    assert message.status == "sent"
    _assert_blanked(message, path)
