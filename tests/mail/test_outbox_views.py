"""A failed message shows to the person who caused it, with the reason, and can be tried again."""

import re

import pytest

from eventapp.mail.services import queue_mail, send_due
from tests.conftest import get_csrf, login, post_form
from tests.mail.helpers import received_ids, row

BADGE = re.compile(r'<span class="badge"[^>]*>\s*(\d+)\s*</span>')


def badge(page: str) -> int:
    match = BADGE.search(page)
    return int(match.group(1)) if match else 0


def page_of(client, url="/mail/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def bounced(app, db, make_user, places, smtp_server, use_smtp):
    """A message a counsellor in Vestland caused, refused for good by the mail server."""
    server = smtp_server(rcpt_reply="550 5.1.1 no such user")
    use_smtp(server.port)
    counsellor = make_user("counsellor", county="46")
    message = queue_mail(
        kind="test", to="finnes.ikke@example.no", to_name="Finnes Ikke",
        subject="Invitasjon til fylkessamling", body_text="Hei!\n",
        created_by=counsellor, county_id=places.county("46").id,
    )
    db.session.commit()
    report = send_due()
    assert report.failed == 1
    return server, counsellor, message.id


def client_for(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def test_the_person_who_caused_a_failed_message_sees_it_with_the_reason(app, bounced):
    _server, counsellor, ident = bounced
    message = row(ident)
    assert message.status == "failed"
    client = client_for(app, counsellor)

    page = page_of(client)

    assert "finnes.ikke@example.no" in page
    assert "Invitasjon til fylkessamling" in page
    assert "550" in page
    assert "no such user" in page
    assert f'action="/mail/{ident}/retry"' in page
    assert badge(page) == 1
    assert badge(page_of(client, "/")) == 1  # the nav shows it on every page
    assert "finnes.ikke@example.no" in page_of(client, "/mail/?status=failed")
    assert "finnes.ikke@example.no" not in page_of(client, "/mail/?status=sent")


def test_the_county_host_of_the_county_sees_it_too(app, bounced, make_user):
    _server, _counsellor, ident = bounced
    host = make_user("county_host", county="46")

    page = page_of(client_for(app, host))

    assert "no such user" in page
    assert badge(page) == 1


@pytest.mark.parametrize(
    ("role", "county"),
    [("county_host", "03"), ("counsellor", "03"), ("counsellor", "46")],
    ids=["host-other-county", "counsellor-other-county", "counsellor-same-county-not-sender"],
)
def test_others_do_not_see_it_and_cannot_retry_it(app, bounced, make_user, role, county):
    _server, _counsellor, ident = bounced
    other = make_user(role, county=county)
    client = client_for(app, other)

    page = page_of(client)

    assert "finnes.ikke@example.no" not in page
    assert "no such user" not in page
    assert f"/mail/{ident}/retry" not in page
    assert badge(page) == 0

    response = post_form(client, f"/mail/{ident}/retry", {}, page="/mail/")

    assert response.status_code == 404
    message = row(ident)
    assert message.status == "failed"
    assert message.attempts == 1


def test_try_again_puts_it_back_and_it_goes_out_once_the_address_works(app, bounced):
    server, counsellor, ident = bounced
    client = client_for(app, counsellor)

    response = post_form(client, f"/mail/{ident}/retry", {}, page="/mail/")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/mail/")
    message = row(ident)
    assert message.status == "pending"
    assert message.attempts == 0
    page = page_of(client)
    assert badge(page) == 0
    assert f"/mail/{ident}/retry" not in page

    server.rcpt_reply = None
    assert send_due().sent == 1

    assert received_ids(server) == [row(ident).message_id]
    assert row(ident).status == "sent"


def test_try_again_without_the_csrf_token_changes_nothing(app, bounced):
    _server, counsellor, ident = bounced
    client = client_for(app, counsellor)

    response = client.post(f"/mail/{ident}/retry", data={})

    assert response.status_code == 400
    assert row(ident).status == "failed"


def test_try_again_on_a_sent_message_changes_nothing(app, db, make_user, smtp_server, use_smtp):
    server = smtp_server()
    use_smtp(server.port)
    counsellor = make_user("counsellor", county="46")
    message = queue_mail(kind="test", to="kari@example.no", subject="Hei", body_text="Hei\n",
                         created_by=counsellor)
    db.session.commit()
    assert send_due().sent == 1
    client = client_for(app, counsellor)

    token = get_csrf(client, "/mail/")
    response = client.post(f"/mail/{message.id}/retry", data={"csrf_token": token})

    assert response.status_code == 302
    assert row(message.id).status == "sent"
    assert send_due().handled == 0
    assert len(server.messages) == 1


def test_the_outbox_page_needs_a_login(client):
    response = client.get("/mail/")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
