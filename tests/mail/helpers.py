"""Helpers for the outbox tests: read rows back, let time pass, look at what a server got."""

from datetime import timedelta

from sqlalchemy import select, update

from eventapp.core.time import utcnow
from eventapp.extensions import db
from eventapp.mail.models import OutboxMessage
from tests.smtp import SMTPServer, _Handler

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//eventapp//test//NO\r\nBEGIN:VEVENT\r\n"
    b"UID:test-1@eventapp.invalid\r\nDTSTAMP:20270101T120000Z\r\n"
    b"DTSTART:20270310T080000Z\r\nSUMMARY:Fylkessamling\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def rows() -> list[OutboxMessage]:
    """Every outbox row, read fresh from the database."""
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def row(ident: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, ident)


def make_due(*idents: int) -> None:
    """Let time pass: the next attempt of these messages (all, if none given) is now due."""
    stmt = update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
    if idents:
        stmt = stmt.where(OutboxMessage.id.in_(idents))
    db.session.execute(stmt)
    db.session.commit()


def received_ids(server) -> list[str]:
    with server.lock:
        return [m["Message-ID"] for m in server.messages]


class _QuitHandler(_Handler):
    async def handle_QUIT(self, server, session, envelope):
        return self.server.quit_reply


class QuitReplySMTPServer(SMTPServer):
    """Accepts every message but answers QUIT with ``quit_reply`` instead of 221."""

    def __init__(self, port: int, quit_reply: str):
        from aiosmtpd.controller import Controller

        super().__init__(port)
        self.quit_reply = quit_reply
        self.controller = Controller(_QuitHandler(self), hostname="127.0.0.1", port=port)


class TLSSMTPServer(SMTPServer):
    """Speaks TLS from the first byte (``implicit``) or after STARTTLS, which it requires."""

    def __init__(self, port: int, certfile: str, keyfile: str, implicit: bool):
        import ssl

        from aiosmtpd.controller import Controller

        super().__init__(port)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certfile, keyfile)
        if implicit:
            self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=port,
                                         ssl_context=context)
        else:
            self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=port,
                                         tls_context=context, require_starttls=True)
