"""A real SMTP server for tests: aiosmtpd on a free loopback port, collecting what it receives.

Use it by importing the fixture into a test module: `from tests.smtp import smtp  # noqa: F401`.
The fixture points the app's MAIL_SERVER/MAIL_PORT at the server; `smtp.stop()` takes it down
(the port then refuses connections) and `smtp.start()` brings it back on the same port.
"""
import email
import socket
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Received:
    """One delivered message: the SMTP envelope and the parsed message."""

    def __init__(self, envelope):
        self.mail_from = envelope.mail_from
        self.rcpt_tos = list(envelope.rcpt_tos)
        self.raw = envelope.original_content or envelope.content
        self.message: EmailMessage = email.message_from_bytes(self.raw, policy=policy.default)

    def __getitem__(self, header: str):
        return self.message[header]

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str | None:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else None


class SMTPServer:
    """Collects messages; `refuse` makes it answer 550 to RCPT for the listed addresses."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list[Received] = []
        self.refuse: set[str] = set()
        self.controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(Received(envelope))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname=HOST, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[Received]:
        """The messages that reached this address (To, Cc or Bcc)."""
        return [m for m in self.messages if address.lower() in (a.lower() for a in m.rcpt_tos)]


@pytest.fixture
def smtp(app):
    """A running SMTP server the app sends to; yields the SMTPServer."""
    server = SMTPServer(free_port())
    server.start()
    app.config.update(MAIL_SERVER=HOST, MAIL_PORT=server.port, MAIL_USE_TLS=False,
                      MAIL_USE_SSL=False, MAIL_USERNAME=None, MAIL_PASSWORD=None,
                      MAIL_DEFAULT_SENDER="Casebook Support <support@casebook.test>")
    yield server
    server.stop()
