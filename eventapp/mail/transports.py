"""Ways out for a mail: SMTP for real use, .eml files for the demo and for looking at mail.

A transport raises ``TemporaryFailure`` when trying again later may work (server down, 4xx)
and ``PermanentFailure`` when it will not (5xx, refused address).
"""

import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
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
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
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
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
        # The server has taken the message. Trouble saying goodbye must not count as a failed
        # delivery: the sender would try again and the message would arrive twice.
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


class FileTransport:
    """Writes each message as an .eml file, which any mail program opens."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> None:
        name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.directory / f".{name}.tmp"
            tmp.write_bytes(bytes(message))
            tmp.replace(self.directory / f"{name}.eml")
        except OSError as exc:  # a full disk or a missing mount may come right again
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc


def transport_from_config(app) -> SMTPTransport | FileTransport:
    kind = app.config["MAIL_TRANSPORT"]
    if kind == "smtp":
        return SMTPTransport(app.config)
    if kind == "file":
        return FileTransport(app.config.get("MAIL_FILE_DIR") or Path(app.instance_path) / "mail")
    raise ValueError(f"MAIL_TRANSPORT must be 'smtp' or 'file', not {kind!r}")
