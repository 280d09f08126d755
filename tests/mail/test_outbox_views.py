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


# --- survey mail: batches, never recipients ---------------------------------------------------

class _Bounces:
    """A mail server that refuses one address for good."""

    def send(self, email) -> None:
        from eventapp.mail.transports import PermanentFailure

        if "ukjent" in str(email["To"]):
            raise PermanentFailure(f"550 5.1.1 <{email['To']}>: no such user")


@pytest.fixture
def survey_mail(app, db, make_user, places):
    """An invitation batch to four (one address bounces) and a reminder batch to two, both
    caused by Vestland's host, and one ordinary mail."""
    host = make_user("county_host", county="46")
    county = places.county("46").id
    people = ["kari@example.no", "ola@example.no", "ukjent@example.no", "per@example.no"]
    for address in people:
        queue_mail(kind="survey.invitation", to=address, to_name=address.split("@")[0].title(),
                   subject="Hvordan var samlinga?", body_text="Svar her: http://x/s/T\n",
                   created_by=host, county_id=county, batch="invitations-1")
    for address in people[2:]:
        queue_mail(kind="survey.reminder", to=address, to_name=address.split("@")[0].title(),
                   subject="Påminnelse: hvordan var samlinga?", body_text="http://x/s/U\n",
                   created_by=host, county_id=county, batch="reminders-1")
    ordinary = queue_mail(kind="test", to="leder@example.no", subject="Hei", body_text="Hei\n",
                          created_by=host, county_id=county)
    db.session.commit()
    report = send_due(transport=_Bounces())
    assert (report.sent, report.failed) == (5, 2)
    return host, people, ordinary.id


def test_survey_mail_shows_as_batches_with_counts_and_no_recipient(app, survey_mail):
    host, people, ordinary = survey_mail
    client = client_for(app, host)
    pages = {url: page_of(client, url) for url in
             ("/mail/", "/mail/?status=failed", "/mail/?status=sent", "/mail/?status=pending")}
    for url, page in pages.items():
        for address in people:
            assert address not in page, url
            assert not re.search(rf"\b{address.split('@')[0].title()}\b", page), url
        assert "no such user" not in page, url  # the reason names the address
    page = pages["/mail/"]
    assert "leder@example.no" in page and f"/mail/{ordinary}/retry" not in page
    batches = re.findall(r'<tr data-batch="(survey\.\w+)">(.*?)</tr>', page, re.S)
    assert [kind for kind, _row in batches] == ["survey.reminder", "survey.invitation"]
    reminder, invitation = (row for _kind, row in batches)
    assert "2 deltakere i spørreundersøkelsen" in reminder \
        and "4 deltakere i spørreundersøkelsen" in invitation
    assert re.findall(r'data-count="(\w+)">[^<]*: (\d+)<', invitation) == [
        ("sent", "3"), ("failed", "1")]
    assert re.findall(r'data-count="(\w+)">[^<]*: (\d+)<', reminder) == [
        ("sent", "1"), ("failed", "1")]
    assert 'action="/mail/batches/invitations-1/retry"' in invitation
    # The failure list shows the batches with a failure, as batches.
    assert len(re.findall(r"<tr data-batch=", pages["/mail/?status=failed"])) == 2
    assert badge(page) == 2


def test_a_survey_batch_is_tried_again_as_a_whole_and_one_mail_never(app, db, survey_mail):
    from sqlalchemy import select

    from eventapp.mail.models import OutboxMessage

    host, _people, _ordinary = survey_mail
    client = client_for(app, host)
    failed = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.batch == "invitations-1", OutboxMessage.status == "failed")).one()
    # One survey mail cannot be tried again by its id: the flash would name its address.
    response = post_form(client, f"/mail/{failed.id}/retry", {}, page="/mail/")
    assert response.status_code == 404 and row(failed.id).status == "failed"

    response = post_form(client, "/mail/batches/invitations-1/retry", {}, page="/mail/")
    assert response.status_code == 302
    assert row(failed.id).status == "pending" and row(failed.id).attempts == 0
    page = page_of(client)
    assert "ukjent@example.no" not in page
    # The reminder batch's failure is untouched; a batch with nothing failed, or none at all,
    # gets 404; without the CSRF token nothing changes.
    def reminders() -> list[str]:
        db.session.expire_all()
        return sorted(db.session.scalars(select(OutboxMessage.status).where(
            OutboxMessage.batch == "reminders-1")))

    assert reminders() == ["failed", "sent"]
    assert post_form(client, "/mail/batches/invitations-1/retry", {},
                     page="/mail/").status_code == 404
    assert post_form(client, "/mail/batches/nothing/retry", {}, page="/mail/").status_code == 404
    assert client.post("/mail/batches/reminders-1/retry", data={}).status_code == 400
    assert reminders() == ["failed", "sent"]


def test_another_countys_host_sees_no_survey_batch(app, survey_mail, make_user):
    other = make_user("county_host", county="03")
    client = client_for(app, other)
    page = page_of(client)
    assert "data-batch" not in page
    assert post_form(client, "/mail/batches/reminders-1/retry", {},
                     page="/mail/").status_code == 404
