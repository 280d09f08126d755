"""`flask outbox send [--watch]`, and the file transport the demo uses."""

from email import message_from_bytes, policy

import pytest

from eventapp import cli
from eventapp.mail.services import send_due
from tests.mail.helpers import ICS, make_due, received_ids, row, rows


def test_outbox_send_delivers_due_mail_and_prints_the_counts(app, queue, smtp_server, use_smtp):
    server = smtp_server()
    use_smtp(server.port)
    idents = [queue(), queue()]
    runner = app.test_cli_runner()

    result = runner.invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "sent 2, retry later 0, failed 0" in result.output
    assert sorted(received_ids(server)) == sorted(row(i).message_id for i in idents)
    assert {r.status for r in rows()} == {"sent"}

    again = runner.invoke(args=["outbox", "send"])

    assert again.exit_code == 0, again.output
    assert "sent 0, retry later 0, failed 0" in again.output
    assert len(server.messages) == 2


def test_outbox_send_keeps_going_while_more_than_a_round_is_due(app, queue, smtp_server, use_smtp):
    server = smtp_server()
    use_smtp(server.port)
    for _ in range(5):
        queue()

    result = app.test_cli_runner().invoke(args=["outbox", "send", "--limit", "2"])

    assert result.exit_code == 0, result.output
    assert len(server.messages) == 5
    assert {r.status for r in rows()} == {"sent"}


def test_outbox_send_reports_what_waits_and_what_failed(app, queue, smtp_server, use_smtp):
    server = smtp_server(rcpt_reply="550 5.1.1 no such user")
    use_smtp(server.port)
    queue()

    result = app.test_cli_runner().invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "sent 0, retry later 0, failed 1" in result.output

    server.rcpt_reply = "451 4.3.0 try later"
    queue()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])

    assert "sent 0, retry later 1, failed 0" in result.output


class _Stop(Exception):
    pass


def test_outbox_send_watch_sends_mail_that_becomes_due_later(
    app, queue, smtp_server, use_smtp, monkeypatch
):
    """--watch keeps sending: mail queued, or falling due, while it runs goes out too."""
    port = app.config["MAIL_PORT"]
    use_smtp(port)  # down at first
    waiting = queue(subject="Venter")
    naps = []
    servers = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 1:
            # While the sender sleeps the server comes back, the first message falls due,
            # and a request queues another.
            servers.append(smtp_server(port=port))
            make_due(waiting)
            queue(subject="Ny")
        elif len(naps) == 3:
            raise _Stop

    monkeypatch.setattr(cli.time, "sleep", nap)

    result = app.test_cli_runner().invoke(args=["outbox", "send", "--watch", "--interval", "2"])

    assert isinstance(result.exception, _Stop), result.output
    assert naps == [2, 2, 2]
    assert sorted(m["Subject"] for m in servers[0].messages) == ["Ny", "Venter"]
    assert {r.status for r in rows()} == {"sent"}
    lines = result.output.splitlines()
    assert lines[0] == "sent 0, retry later 1, failed 0"
    assert lines[1] == "sent 2, retry later 0, failed 0"
    assert len(lines) == 2  # rounds with nothing to do print nothing


def test_file_transport_writes_one_parseable_eml_per_message(app, queue, tmp_path):
    mail_dir = tmp_path / "eml"
    app.config["MAIL_TRANSPORT"] = "file"
    app.config["MAIL_FILE_DIR"] = str(mail_dir)
    with_calendar = queue(to="kari@example.no", to_name="Kari Nordmann", subject="Påmelding",
                          attachments=(("samling.ics", "text/calendar", ICS),))
    plain = queue(to="ola@example.no", subject="Velkommen")

    result = app.test_cli_runner().invoke(args=["outbox", "send"])

    assert "sent 2, retry later 0, failed 0" in result.output
    files = sorted(mail_dir.glob("*.eml"))
    assert len(files) == 2
    assert list(mail_dir.glob(".*")) == []  # no half-written files left behind
    mails = {}
    for path in files:
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        mails[mail["Message-ID"]] = mail
    first, second = mails[row(with_calendar).message_id], mails[row(plain).message_id]
    assert first["To"] == "Kari Nordmann <kari@example.no>"
    assert first["Subject"] == "Påmelding"
    (attachment,) = first.iter_attachments()
    assert attachment.get_filename() == "samling.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert "BEGIN:VCALENDAR" in attachment.get_content()
    assert second["To"] == "ola@example.no"
    assert second["Subject"] == "Velkommen"
    assert {r.status for r in rows()} == {"sent"}

    assert send_due().handled == 0
    assert len(list(mail_dir.glob("*.eml"))) == 2


def test_file_transport_defaults_to_the_instance_folder(app, queue, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    app.config["MAIL_TRANSPORT"] = "file"
    app.config["MAIL_FILE_DIR"] = None
    ident = queue()

    assert send_due().sent == 1

    (path,) = (tmp_path / "instance" / "mail").glob("*.eml")
    mail = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert mail["Message-ID"] == row(ident).message_id


def test_an_unknown_transport_is_refused_with_a_clear_message(app, queue):
    app.config["MAIL_TRANSPORT"] = "pigeon"
    queue()
    with pytest.raises(ValueError, match="MAIL_TRANSPORT must be 'smtp' or 'file'"):
        send_due()
    assert {r.status for r in rows()} == {"pending"}
