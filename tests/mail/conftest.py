"""Mail fixtures: a real SMTP server (aiosmtpd) in the test process, collecting what arrives."""

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import make_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class Collector:
    """The SMTP server's handler: keeps every message; `reply` set, answers DATA with it instead
    (e.g. "451 4.3.0 Try again later", "550 5.1.1 No such mailbox")."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.reply: str | None = None
        self.delay = 0.0  # seconds before each answer, as a real server takes
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.reply:
            return self.reply
        raw = (envelope.original_content or envelope.content).replace(b"\r\n", b"\n")  # lines as Python's
        parsed = message_from_bytes(raw, policy=policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]


class SmtpServer:
    """`login=(user, password)`: the server asks for that sign-in (AUTH PLAIN/LOGIN, no TLS)."""

    def __init__(self, port: int | None = None, login: tuple[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.login = login
        self.handler = Collector()
        self.controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(), auth_data.password.decode()) == self.login
        return AuthResult(success=ok)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> "SmtpServer":
        auth = ({"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False}
                if self.login else {})
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **auth)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(database_url, smtp_server):
    """Settings whose ATA_SMTP_URL is the test's SMTP server."""
    return make_settings(database_url, smtp_url=smtp_server.url, mail_from="ATA Test <mail@example.org>",
                         public_url="https://ata.example.org")
