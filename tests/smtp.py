"""A real SMTP server for tests, on aiosmtpd, that can be told to refuse with 4xx or 5xx."""

from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, server):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.server.rcpt_reply:
            return self.server.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server.data_reply:
            return self.server.data_reply
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.server.lock:
            self.server.messages.append(message)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, port: int, rcpt_reply: str | None = None, data_reply: str | None = None):
        import threading

        self.port = port
        self.rcpt_reply = rcpt_reply
        self.data_reply = data_reply
        self.messages = []
        self.lock = threading.Lock()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=port)

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def to(self, address: str):
        return [m for m in self.messages if address in m["To"]]
