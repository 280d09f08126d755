"""Mail exactly once, as far as SMTP allows, measured against a real SMTP server (aiosmtpd).

Each scenario counts what the server took: no message lost, and no more duplicates than the
replies the server let get lost. A 250 that was read is final; a lost reply costs at most one
more copy, with the same Message-ID.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.mail import services
from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import queue_mail, send_due
from tests.conftest import _free_port, login, post_form
from tests.mail.helpers import (
    DroppingSMTPServer,
    HoldingSMTPServer,
    copies,
    received_ids,
    row,
    rows,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start():
    """Start a server of the given class on a free port; stopped after the test."""
    started = []

    def run(cls):
        server = cls(_free_port())
        server.start()
        started.append(server)
        return server

    yield run
    for server in started:
        server.stop()


def _queue(n: int) -> list[str]:
    messages = [queue_mail(kind="test", to=f"m{i}@example.no", subject=f"Melding {i}",
                           body_text="Hei\n") for i in range(n)]
    db.session.commit()
    return sorted(m.message_id for m in messages)


def _assert_exactly_once_as_far_as_smtp_allows(server, expected: list[str]) -> None:
    got = copies(server)
    assert sorted(got) == expected  # 0 lost, and nothing but these (same Message-IDs)
    for message_id, n in got.items():
        # Each extra copy is paid for by a reply the server let get lost.
        assert n <= 1 + server.dropped.count(message_id)


def test_a_server_dropping_the_connection_after_data_costs_one_copy_per_lost_reply(
    app, use_smtp, start
):
    """The server takes each message but drops the connection before its 250, for a while:
    the sender cannot know the message arrived. It must try each such message once more
    later, with the same Message-ID, and must not spend a copy of every message in the queue
    on each round of the outage: a round ends at its first lost reply."""
    server = start(DroppingSMTPServer)
    use_smtp(server.port)
    expected = _queue(40)
    server.dropping = True
    outage_rounds = 0
    for _ in range(3):  # three rounds of the outage, as the sender's --watch loop would run
        report = send_due(limit=100)
        outage_rounds += 1
        assert report.sent == 0
        for message in rows():
            if message.status == "pending":
                message.next_attempt_at = utcnow()  # time passes: the retry is due
        db.session.commit()
    assert len(server.dropped) <= outage_rounds  # before: 40 lost replies a round, 120 copies
    assert {r.status for r in rows()} <= {"pending"}  # none marked failed, none left claimed
    server.dropping = False

    while send_due(limit=100).handled:
        pass

    _assert_exactly_once_as_far_as_smtp_allows(server, expected)
    assert {r.status for r in rows()} == {"sent"}
    assert len(received_ids(server)) <= 40 + len(server.dropped)
    assert send_due().handled == 0  # a 250 read is final


def test_a_lost_reply_is_retried_once_with_the_same_message_id_and_then_never(
    app, use_smtp, start
):
    server = start(DroppingSMTPServer)
    use_smtp(server.port)
    (message_id,) = _queue(1)
    server.dropping = True

    report = send_due()

    assert (report.sent, report.retried) == (0, 1)
    message = rows()[0]
    assert message.status == "pending" and message.claimed_until is None
    assert "may have it" in message.last_error
    server.dropping = False
    assert send_due().handled == 0  # the retry waits for its time, like any temporary failure
    message.next_attempt_at = utcnow()
    db.session.commit()

    assert send_due().sent == 1

    assert received_ids(server) == [message_id, message_id]  # one lost reply, one more copy
    assert send_due().handled == 0


SENDER = """
import sys
from pathlib import Path
from tests.conftest import _config
from eventapp import create_app
from eventapp.mail.services import send_due

url, port, instance = sys.argv[1:4]
app = create_app(_config(url, Path(instance)))
app.config.update(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=int(port))
with app.app_context():
    send_due(limit=100)
"""


def test_a_sender_killed_during_data_lets_go_within_a_minute_and_loses_nothing(
    app, use_smtp, start, tmp_path, monkeypatch
):
    """kill -9 of a sender while it waits for the 250 of a message: the dead sender holds at
    most that one message, for at most a minute; then another sender delivers everything, the
    one message whose reply was lost possibly twice."""
    server = start(HoldingSMTPServer)
    use_smtp(server.port)
    expected = _queue(30)
    db.session.remove()  # the test holds no connection while the other process runs
    server.holding.set()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    sender = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SENDER, app.config["SQLALCHEMY_DATABASE_URI"],
         str(server.port), str(tmp_path)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while not received_ids(server):  # the first message is in, its 250 held back
            assert sender.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait(10)
    killed_at = utcnow()
    server.holding.clear()

    claimed = [r for r in rows() if r.status == "sending"]
    assert len(claimed) == 1  # before: the whole batch of 30, for five minutes
    assert claimed[0].claimed_until <= killed_at + timedelta(seconds=60)
    assert len([r for r in rows() if r.status == "pending"]) == 29

    # A minute later another sender takes over.
    later = utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    while send_due().handled:
        pass

    got = copies(server)
    assert sorted(got) == expected  # 0 lost
    assert sum(got.values()) - len(expected) <= 1  # one reply lost: at most one duplicate
    assert {r.status for r in rows()} == {"sent"}


def test_a_delivery_that_outlasts_its_claim_keeps_it(app, use_smtp, smtp_server, run_in_thread):
    """The claim is short, so a dead sender lets go soon; a living one renews it for as long as
    its delivery lasts, so no other sender takes the message over and sends it again."""
    server = smtp_server()
    use_smtp(server.port)
    app.config["OUTBOX_CLAIM_SECONDS"] = 1
    (message_id,) = _queue(1)
    db.session.remove()
    real = services.transport_from_config(app)
    inside = threading.Event()
    other = []

    class SlowTransport:
        def send(self, email):
            inside.set()
            time.sleep(2.5)  # two and a half claims
            real.send(email)

    def slow():
        with app.app_context():
            try:
                assert send_due(transport=SlowTransport()).sent == 1
            finally:
                db.session.remove()

    def meanwhile():
        assert inside.wait(10)
        with app.app_context():
            try:
                for _ in range(4):
                    time.sleep(0.5)
                    other.append(send_due().handled)
            finally:
                db.session.remove()

    run_in_thread(slow, meanwhile)

    assert other == [0, 0, 0, 0]  # before: the claim ran out and the other sender sent it too
    assert received_ids(server) == [message_id]
    assert row(rows()[0].id).status == "sent"


def test_a_day_without_a_mail_server_marks_no_mail_failed(app, queue, use_smtp, smtp_server,
                                                          monkeypatch):
    """With the production schedule (1 min, 2, 4 ... 6 h), mail waits out a day's outage and
    goes out once the server is back; only past OUTBOX_RETRY_HOURS is it marked failed."""
    app.config["OUTBOX_RETRY_BASE_SECONDS"] = 60
    hours = app.config.get("OUTBOX_RETRY_HOURS", 48)  # the default reaches past a day
    assert hours >= 24
    port = _free_port()
    use_smtp(port)  # nothing listens there
    clock = {"now": utcnow()}
    monkeypatch.setattr(services, "utcnow", lambda: clock["now"])
    start_at = clock["now"]
    waiting, lasting = queue(subject="Venter en dag"), queue(subject="Venter for lenge")

    while clock["now"] < start_at + timedelta(hours=25):
        send_due()
        assert {r.status for r in rows()} == {"pending"}  # before: failed after 8 tries, ~4 h
        clock["now"] = max(r.next_attempt_at for r in rows())
    server = smtp_server(port=port)
    assert send_due(limit=1).sent == 1  # the server is back: the first one goes out
    assert row(waiting).status == "sent" and received_ids(server) == [row(waiting).message_id]

    # The other keeps meeting a server that says "try later", until its schedule runs out.
    server.rcpt_reply = "451 4.3.0 try later"
    while row(lasting).status == "pending":
        clock["now"] = row(lasting).next_attempt_at
        send_due()
    assert row(lasting).status == "failed"
    # Its last try came once the waits had reached the window, and at most one wait (6 h) later.
    assert timedelta(hours=hours) <= clock["now"] - start_at <= timedelta(hours=hours + 6)
    assert len(received_ids(server)) == 1


def _failed_rows(n: int, county_id: int, user_id: int | None, kind: str = "test") -> None:
    now = utcnow()
    db.session.execute(insert(OutboxMessage), [
        {"kind": kind, "to_address": f"{kind}{county_id}-{i}@example.no", "subject": "Hei",
         "body_text": "Hei\n", "message_id": f"<{kind}-{county_id}-{i}@eventapp.invalid>",
         "status": "failed", "attempts": 8, "next_attempt_at": now, "created_at": now,
         "last_error": "451 4.3.0 try later", "county_id": county_id,
         "created_by_id": user_id, "batch": "invitations-1" if kind.startswith("survey.") else None}
        for i in range(n)])
    db.session.commit()


def test_retry_all_failed_is_one_action_that_takes_any_number(app, make_user, places):
    host = make_user("county_host", county="46")
    vestland, oslo = places.county("46").id, places.county("03").id
    _failed_rows(1234, vestland, host.id)
    _failed_rows(7, vestland, None, kind="survey.reminder")
    _failed_rows(5, oslo, None)  # another county's: not this host's to retry
    client = app.test_client()
    assert login(client, host.email).status_code == 302
    page = client.get("/mail/").get_data(as_text=True)
    assert 'action="/mail/retry-failed"' in page

    response = post_form(client, "/mail/retry-failed", {}, page="/mail/")

    assert response.status_code == 302
    counts = dict(db.session.execute(
        select(OutboxMessage.county_id, func.count()).where(OutboxMessage.status == "pending")
        .group_by(OutboxMessage.county_id)).all())
    assert counts == {vestland: 1234 + 7}
    assert db.session.scalar(select(func.count()).where(
        OutboxMessage.status == "failed", OutboxMessage.county_id == oslo)) == 5
    assert db.session.scalar(select(func.max(OutboxMessage.attempts)).where(
        OutboxMessage.county_id == vestland)) == 0
    page = client.get("/mail/").get_data(as_text=True)
    assert "1241" in page  # the count, and no survey recipient with it
    assert f"survey.reminder{vestland}-" not in page
    assert 'action="/mail/retry-failed"' not in page  # nothing failed is left to show it for
    assert client.post("/mail/retry-failed", data={}).status_code == 400  # no CSRF token
