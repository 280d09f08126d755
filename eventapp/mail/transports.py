"""Ways out for a mail: SMTP for real use, .eml files for the demo and for looking at mail.

A transport raises ``TemporaryFailure`` when trying again later may work (server down, 4xx)
and ``PermanentFailure`` when it will not (5xx, refused address). ``ReplyLost``, a temporary
failure, says the whole message reached the server but its answer did not reach us (the
connection dropped or timed out after the end of DATA): the server may have taken it.
"""

import logging
import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


class ReplyLost(TemporaryFailure):
    """The message was sent to the end, but the server's answer to it never came."""


class _Tracking:
    """Notes when the end of a message's DATA has gone to the server: from then on a dropped
    connection leaves unknown whether the server took the message."""

    body_sent = False

    def send(self, s):
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.body_sent = True  # before writing: a write that fails half-way is unknown too
        return super().send(s)


class _SMTP(_Tracking, smtplib.SMTP):
    pass


class _SMTP_SSL(_Tracking, smtplib.SMTP_SSL):  # noqa: N801 - named after smtplib's class
    pass


def _reply(code: int, text: bytes | str) -> str:
    """A server's answer as a person reads it: "550 5.1.1 no such user", not bytes' repr."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}"


class SMTPTransport:
    def __init__(self, config: dict):
        self.host = config["MAIL_SERVER"]
        self.port = int(config["MAIL_PORT"])
        self.use_tls = config["MAIL_USE_TLS"]
        self.use_ssl = config["MAIL_USE_SSL"]
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = config.get("MAIL_TIMEOUT", 20)

    def send(self, message: EmailMessage) -> None:
        """One message on its own connection; raises as the module says."""
        smtp = None
        try:
            if self.use_ssl:
                smtp = _SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                 context=ssl.create_default_context())
            else:
                smtp = _SMTP(self.host, self.port, timeout=self.timeout)
            try:
                if self.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
            except BaseException:
                smtp.close()
                raise
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            text = "; ".join(f"{rcpt}: {_reply(code, msg)}"
                             for rcpt, (code, msg) in exc.recipients.items())
            if all(500 <= code < 600 for code in codes):
                raise PermanentFailure(text) from exc
            raise TemporaryFailure(text) from exc
        except smtplib.SMTPResponseException as exc:
            text = _reply(exc.smtp_code, exc.smtp_error)
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(text) from exc
            raise TemporaryFailure(text) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            if smtp is not None and smtp.body_sent:
                raise ReplyLost(f"no reply after the message was sent ({type(exc).__name__}: "
                                f"{exc}); the server may have it") from exc
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
        # The server has taken the message. Trouble saying goodbye must not count as a failed
        # delivery: the sender would try again and the message would arrive twice.
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def file_stem(message_id: str) -> str:
    """The name of a message's file, from its Message-ID: the outbox row keeps it, so whoever
    deletes the row can find the file."""
    return message_id.strip("<>").replace("@", "_").replace("/", "_")


class FileTransport:
    """Writes each message as an .eml file, which any mail program opens."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> None:
        name = file_stem(message["Message-ID"])
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.directory / f".{name}.tmp"
            tmp.write_bytes(bytes(message))
            tmp.replace(self.directory / f"{name}.eml")
        except OSError as exc:  # a full disk or a missing mount may come right again
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc


def file_directory(app) -> Path:
    return Path(app.config.get("MAIL_FILE_DIR") or Path(app.instance_path) / "mail")


def transport_from_config(app) -> SMTPTransport | FileTransport:
    kind = app.config["MAIL_TRANSPORT"]
    if kind == "smtp":
        return SMTPTransport(app.config)
    if kind == "file":
        return FileTransport(file_directory(app))
    raise ValueError(f"MAIL_TRANSPORT must be 'smtp' or 'file', not {kind!r}")


# --- deleting the files of deleted mail ------------------------------------------------------
# A file is the delivered copy of a message: when the message is deleted (the purge of a
# gathering's personal data), its file goes too, but only once the deletion is committed, so a
# purge that fails leaves the mail where it was. Whatever the transport is now: files written
# while it was "file" are found by their Message-ID.

_FILES_TO_REMOVE = "mail.files_to_remove"


def remove_files_after_commit(session: Session, message_ids) -> None:
    """Delete the files of the messages ``message_ids`` (their Message-IDs) when ``session``
    commits; forget them if it rolls back."""
    directory = file_directory(current_app)
    pending = session.info.setdefault(_FILES_TO_REMOVE, [])
    for message_id in message_ids:
        stem = file_stem(message_id)
        pending += [directory / f"{stem}.eml", directory / f".{stem}.tmp"]


@event.listens_for(Session, "after_commit")
def _remove_files(session: Session) -> None:
    for path in session.info.pop(_FILES_TO_REMOVE, ()):
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:  # the rows are gone already; say which file is left behind
            log.error("mail: could not delete %s: %s", path, exc)


@event.listens_for(Session, "after_rollback")
def _keep_files(session: Session) -> None:
    session.info.pop(_FILES_TO_REMOVE, None)
