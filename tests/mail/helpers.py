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


class _DroppingHandler(_Handler):
    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if self.server.dropping:
            # The message is taken (stored above), but the 250 never reaches the client.
            with self.server.lock:
                self.server.dropped.append(self.server.messages[-1]["Message-ID"])
            server.transport.abort()
        return reply


class DroppingSMTPServer(SMTPServer):
    """Takes every message, but while ``dropping`` is set it drops the connection after DATA
    instead of answering 250: the message is stored and its reply is lost. ``dropped`` lists
    the Message-ID of each lost reply."""

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller

        super().__init__(port)
        self.dropping = False
        self.dropped = []
        self.controller = Controller(_DroppingHandler(self), hostname="127.0.0.1", port=port)


class _HoldingHandler(_Handler):
    async def handle_DATA(self, server, session, envelope):
        import asyncio

        reply = await super().handle_DATA(server, session, envelope)
        while self.server.holding.is_set():  # stored; the 250 waits
            await asyncio.sleep(0.02)
        return reply


class HoldingSMTPServer(SMTPServer):
    """Takes every message but, while ``holding`` is set, keeps the 250 to itself: the sender
    waits for its reply (and can be killed there)."""

    def __init__(self, port: int):
        import threading

        from aiosmtpd.controller import Controller

        super().__init__(port)
        self.holding = threading.Event()
        self.controller = Controller(_HoldingHandler(self), hostname="127.0.0.1", port=port)

    def stop(self):
        self.holding.clear()
        super().stop()


def copies(server) -> dict[str, int]:
    """How many copies of each Message-ID the server took."""
    counts: dict[str, int] = {}
    for message_id in received_ids(server):
        counts[message_id] = counts.get(message_id, 0) + 1
    return counts
