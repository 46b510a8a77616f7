"""A real SMTP server on a loopback port (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import contextlib
import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.fakes.server import free_port


@dataclass
class Inbox:
    port: int = 0
    messages: list[tuple[str, list[str], str]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802 - aiosmtpd's hook
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode()))
        return "250 OK"

    def parsed(self) -> list[EmailMessage]:
        return [
            email.message_from_string(content, policy=email.policy.default)  # type: ignore[misc]
            for _, _, content in self.messages
        ]

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.parsed() if message["To"] == address]

    def settings(self) -> dict[str, object]:
        """The VO_SMTP_* settings that send to this inbox."""
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_starttls": False}


@contextlib.contextmanager
def running_inbox() -> Iterator[Inbox]:
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
