"""The outbox delivers each committed message exactly once, through a real SMTP server."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.mail import services
from eventapp.mail.models import OutboxMessage
from eventapp.mail.services import (
    MAX_RETRY_DELAY,
    claim_due,
    queue_mail,
    retry_delay,
    send_due,
)
from tests.mail.helpers import ICS, QuitReplySMTPServer, make_due, received_ids, row, rows


def test_queued_mail_goes_out_once_with_headers_and_attachment(app, queue, smtp_server, use_smtp):
    server = smtp_server()
    use_smtp(server.port)
    first = queue(
        to="kare@example.no", to_name="Kåre Ås", subject="Påmelding bekreftet – Fylkessamling",
        body_text="Hei Kåre,\nvelkommen til samlinga.\n",
        attachments=(("samling.ics", "text/calendar", ICS),),
    )
    second = queue(to="liv@example.no", subject="Andre melding")

    report = send_due()

    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    first_row, second_row = row(first), row(second)
    assert sorted(received_ids(server)) == sorted([first_row.message_id, second_row.message_id])
    mail = next(m for m in server.messages if m["Message-ID"] == first_row.message_id)
    assert mail["To"] == "Kåre Ås <kare@example.no>"
    assert mail["Subject"] == "Påmelding bekreftet – Fylkessamling"
    assert mail["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert "velkommen til samlinga" in mail.get_body(("plain",)).get_content()
    attachments = list(mail.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["samling.ics"]
    assert attachments[0].get_content_type() == "text/calendar"
    assert attachments[0].get_content().replace("\r\n", "\n") == ICS.decode().replace("\r\n", "\n")
    other = next(m for m in server.messages if m["Message-ID"] == second_row.message_id)
    assert other["To"] == "liv@example.no"
    assert other["Subject"] == "Andre melding"
    for message in (first_row, second_row):
        assert message.status == "sent"
        assert message.attempts == 1
        assert message.sent_at is not None
        assert message.claimed_until is None

    again = send_due()

    assert again.handled == 0
    assert len(server.messages) == 2


def test_message_ids_are_unique_and_kept_for_the_row(app, queue):
    idents = [queue() for _ in range(5)]
    message_ids = [row(i).message_id for i in idents]
    assert len(set(message_ids)) == 5
    assert all(m.startswith("<") and m.endswith("@eventapp.invalid>") for m in message_ids)


def test_rolled_back_change_sends_no_mail(app, queue, smtp_server, use_smtp):
    server = smtp_server()
    use_smtp(server.port)
    kept = queue(subject="Blir sendt")
    queue_mail(kind="test", to="angret@example.no", subject="Angret", body_text="Nei.\n")
    db.session.rollback()

    report = send_due()

    assert [r.id for r in rows()] == [kept]
    assert report.sent == 1
    assert [m["Subject"] for m in server.messages] == ["Blir sendt"]
    assert server.to("angret@example.no") == []


def test_mail_waits_while_the_server_is_down_and_goes_out_once_it_is_back(
    app, queue, smtp_server, use_smtp
):
    port = app.config["MAIL_PORT"]  # nothing listens here yet
    use_smtp(port)
    ident = queue(subject="Venter på serveren")
    before = utcnow()

    report = send_due()

    after = utcnow()
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    message = row(ident)
    assert message.status == "pending"
    assert message.attempts == 1
    assert message.last_error
    assert message.sent_at is None
    delay = retry_delay(1)
    assert before + delay <= message.next_attempt_at <= after + delay
    assert message.next_attempt_at > utcnow()

    # Not due yet: a second round does nothing, even once the server is back.
    assert send_due().handled == 0
    server = smtp_server(port=port)
    assert send_due().handled == 0
    assert server.messages == []
    assert row(ident).attempts == 1

    make_due(ident)
    report = send_due()

    assert report.sent == 1
    assert received_ids(server) == [row(ident).message_id]
    message = row(ident)
    assert message.status == "sent"
    assert message.attempts == 2
    assert message.last_error is None
    assert send_due().handled == 0
    assert len(server.messages) == 1


def test_retry_delays_grow_and_are_capped(app):
    app.config["OUTBOX_RETRY_BASE_SECONDS"] = 60
    delays = [retry_delay(n) for n in range(1, 6)]
    assert delays == [timedelta(seconds=s) for s in (60, 120, 240, 480, 960)]
    assert retry_delay(30) == MAX_RETRY_DELAY
    assert retry_delay(31) == MAX_RETRY_DELAY
    assert retry_delay(1000) == MAX_RETRY_DELAY


def test_each_failed_attempt_waits_longer(app, queue, use_smtp):
    app.config["OUTBOX_RETRY_BASE_SECONDS"] = 60
    use_smtp(app.config["MAIL_PORT"])  # down
    ident = queue()
    waits = []
    for _ in range(3):
        start = utcnow()
        assert send_due().retried == 1
        waits.append(row(ident).next_attempt_at - start)
        make_due(ident)
    assert timedelta(seconds=59) < waits[0] < waits[1] < waits[2] <= timedelta(seconds=241)


@pytest.mark.parametrize("where", ["rcpt_reply", "data_reply"])
def test_server_answering_4xx_is_retried_then_given_up(app, queue, smtp_server, use_smtp, where):
    app.config["OUTBOX_RETRY_HOURS"] = 3 / 3600  # waits of 1 s and 2 s, and no more
    server = smtp_server(**{where: "451 4.3.0 try later"})
    use_smtp(server.port)
    ident = queue(subject="Prøv igjen")

    for attempt in (1, 2):
        report = send_due()
        assert (report.sent, report.retried, report.failed) == (0, 1, 0)
        message = row(ident)
        assert message.status == "pending"
        assert message.attempts == attempt
        assert "451 4.3.0 try later" in message.last_error
        assert message.next_attempt_at > utcnow()
        assert send_due().handled == 0  # waits for its time
        make_due(ident)

    report = send_due()

    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    message = row(ident)
    assert message.status == "failed"
    assert message.attempts == 3
    assert "451" in message.last_error
    assert server.messages == []
    make_due(ident)
    assert send_due().handled == 0  # failed stays failed until someone asks again


def test_server_answering_4xx_then_recovering_delivers_once(app, queue, smtp_server, use_smtp):
    server = smtp_server(rcpt_reply="451 4.3.0 try later")
    use_smtp(server.port)
    ident = queue()
    assert send_due().retried == 1
    server.rcpt_reply = None
    make_due(ident)

    assert send_due().sent == 1

    assert received_ids(server) == [row(ident).message_id]
    assert row(ident).status == "sent"
    assert send_due().handled == 0


@pytest.mark.parametrize("where", ["rcpt_reply", "data_reply"])
def test_server_answering_5xx_fails_at_once_with_the_reason(
    app, queue, smtp_server, use_smtp, where
):
    server = smtp_server(**{where: "550 5.1.1 no such user"})
    use_smtp(server.port)
    ident = queue(to="finnes.ikke@example.no")

    report = send_due()

    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    message = row(ident)
    assert message.status == "failed"
    assert message.attempts == 1
    assert "550 5.1.1 no such user" in message.last_error  # readable, not a bytes repr
    assert message.claimed_until is None
    make_due(ident)
    assert send_due().handled == 0
    assert server.messages == []


def _sender(app, reports, barrier, limit=7):
    def run():
        with app.app_context():
            try:
                barrier.wait(10)
                while True:
                    report = send_due(limit=limit)
                    reports.append(report)
                    if not report.handled:
                        break
            finally:
                db.session.remove()

    return run


def test_two_senders_at_once_deliver_each_message_exactly_once(
    app, queue, smtp_server, use_smtp, run_in_thread
):
    server = smtp_server()
    use_smtp(server.port)
    messages = [
        queue_mail(kind="test", to=f"m{n}@example.no", subject=f"Melding {n}", body_text="Hei\n")
        for n in range(60)
    ]
    db.session.commit()
    expected = sorted(m.message_id for m in messages)
    db.session.remove()  # the test holds no connection while the senders run
    reports_a, reports_b = [], []
    barrier = threading.Barrier(2)

    run_in_thread(_sender(app, reports_a, barrier), _sender(app, reports_b, barrier))

    got = received_ids(server)
    assert sorted(got) == expected  # each exactly once: no duplicate, none missing
    assert len(set(got)) == 60
    assert {r.status for r in rows()} == {"sent"}
    assert {r.attempts for r in rows()} == {1}
    assert sum(r.sent for r in reports_a + reports_b) == 60
    # Both really sent, side by side (else this test would prove nothing about two senders).
    assert sum(r.sent for r in reports_a) > 0
    assert sum(r.sent for r in reports_b) > 0
    assert sum(r.retried + r.failed for r in reports_a + reports_b) == 0


def test_an_expired_claim_is_taken_again_and_a_live_one_is_not(app, queue, smtp_server, use_smtp):
    server = smtp_server()
    use_smtp(server.port)
    crashed = queue(subject="Avsenderen krasjet")
    busy = queue(subject="Avsenderen holder på")
    now = utcnow()
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == crashed)
        .values(status="sending", attempts=1, claimed_until=now - timedelta(seconds=1))
    )
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == busy)
        .values(status="sending", attempts=1, claimed_until=now + timedelta(minutes=5))
    )
    db.session.commit()

    report = send_due()

    assert report.sent == 1
    assert [m["Subject"] for m in server.messages] == ["Avsenderen krasjet"]
    assert row(crashed).status == "sent"
    assert row(crashed).attempts == 2
    assert row(busy).status == "sending"
    assert row(busy).attempts == 1
    assert claim_due(10) == []


def test_claim_due_takes_only_due_pending_mail_and_commits_the_claim(app, queue):
    due = queue()
    later = queue()
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == later)
        .values(next_attempt_at=utcnow() + timedelta(minutes=1))
    )
    db.session.commit()

    assert claim_due(10) == [due]

    db.session.rollback()  # the claim was committed: a rollback now does not undo it
    message = row(due)
    assert message.status == "sending"
    assert message.attempts == 1
    assert message.claimed_until > utcnow()
    assert row(later).status == "pending"
    assert claim_due(10) == []


def test_claim_due_respects_the_limit_in_queue_order(app, queue):
    idents = [queue() for _ in range(5)]
    assert claim_due(2) == idents[:2]
    assert claim_due(2) == idents[2:4]
    assert claim_due(2) == idents[4:]


def test_a_sender_slow_through_its_batch_does_not_resend_what_another_took_over(
    app, queue, smtp_server, use_smtp, monkeypatch
):
    """Claims are taken for a whole batch; if delivering the batch outlasts a claim, another
    sender may take the rest. The first sender must then leave those messages alone."""
    server = smtp_server()
    use_smtp(server.port)
    app.config["OUTBOX_CLAIM_SECONDS"] = 300
    idents = [queue(subject=f"Melding {n}") for n in (1, 2, 3)]
    clock = {"now": utcnow()}
    monkeypatch.setattr(services, "utcnow", lambda: clock["now"])
    real = services.transport_from_config(app)
    other_reports = []

    class SlowTransport:
        """Each delivery takes minutes; during the second, another sender runs."""

        calls = 0

        def send(self, email):
            SlowTransport.calls += 1
            clock["now"] += timedelta(seconds=200 if SlowTransport.calls == 1 else 150)
            if SlowTransport.calls == 2:
                # The batch's claim on message 3 has expired (350 s > 300 s); message 2's,
                # taken afresh when its delivery began, has not.
                def other():
                    with app.app_context():
                        try:
                            other_reports.append(send_due())
                        finally:
                            db.session.remove()

                thread = threading.Thread(target=other)
                thread.start()
                thread.join(30)
            real.send(email)

    send_due(transport=SlowTransport())

    got = received_ids(server)
    assert sorted(got) == sorted(row(i).message_id for i in idents)
    assert [r.sent for r in other_reports] == [1]
    assert {r.status for r in rows()} == {"sent"}


def test_a_server_that_answers_quit_badly_still_counts_as_delivered(app, queue, use_smtp):
    """Once the server has taken the message (250 after DATA), trouble at QUIT must not make
    the sender try again: that would deliver the message twice."""
    from tests.conftest import _free_port

    server = QuitReplySMTPServer(_free_port(), quit_reply="421 4.4.2 closing anyway")
    server.start()
    try:
        use_smtp(server.port)
        ident = queue()

        report = send_due()

        make_due(ident)
        send_due()
    finally:
        server.stop()
    assert report.sent == 1
    assert row(ident).status == "sent"
    assert received_ids(server) == [row(ident).message_id]


def test_one_broken_message_does_not_stop_the_others(app, queue, smtp_server, use_smtp):
    server = smtp_server()
    use_smtp(server.port)
    broken = queue(subject="Ødelagt")
    good = queue(subject="Hel")
    # A header no mail can carry (written by older code, or straight into the database).
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == broken).values(to_name="Kari\nBcc: x")
    )
    db.session.commit()

    report = send_due()

    assert report.sent == 1
    assert report.failed == 1
    assert [m["Subject"] for m in server.messages] == ["Hel"]
    assert row(good).status == "sent"
    assert row(broken).status == "failed"
    assert row(broken).last_error
    assert row(broken).claimed_until is None


def test_line_breaks_in_names_and_subjects_cannot_add_headers(app, queue, smtp_server, use_smtp):
    server = smtp_server()
    use_smtp(server.port)
    ident = queue(to_name="Kari\r\nBcc: spion@example.no", subject="Hei\nBcc: spion@example.no")

    assert send_due().sent == 1

    (mail,) = server.messages
    assert mail["Bcc"] is None
    assert mail["To"].addresses[0].addr_spec == row(ident).to_address
    assert "\n" not in mail["Subject"]


def test_an_unreachable_mail_directory_is_a_temporary_failure(app, queue, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the mail directory should be")
    app.config["MAIL_TRANSPORT"] = "file"
    app.config["MAIL_FILE_DIR"] = str(blocker / "mail")
    ident = queue()

    report = send_due()

    assert report.retried == 1
    message = row(ident)
    assert message.status == "pending"
    assert message.last_error


@pytest.mark.postgres
def test_postgres_sender_skips_rows_another_sender_has_locked(app, queue, is_postgres):
    if not is_postgres:
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; set TEST_DATABASE_URL to run this")
    idents = [queue() for _ in range(4)]
    with db.engine.connect() as other:
        locked = other.execute(
            select(OutboxMessage.id).where(OutboxMessage.id.in_(idents[:2])).with_for_update()
        ).scalars().all()
        assert sorted(locked) == idents[:2]
        # Without SKIP LOCKED the claim would wait for the other sender: fail, don't hang.
        # (SET LOCAL lasts for the transaction claim_due runs in and commits.)
        db.session.execute(text("SET LOCAL lock_timeout = '3s'"))

        claimed = claim_due(10)

        assert claimed == idents[2:]
        other.rollback()
    assert claim_due(10) == idents[:2]
    count = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sending")
    )
    assert count == 4
