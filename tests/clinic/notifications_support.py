"""Test-only parts for the notification machinery: a renderer for a made-up subject, and a real SMTP server.

Real worker processes load this module too (`celery worker --include tests.clinic.notifications_support`), so the
integration tests need no app's data. The SMTP server is aiosmtpd on loopback: it speaks real SMTP and counts
every message it accepted by its X-Medius-Notification header.
"""

from __future__ import annotations

import asyncio
import collections
import socket
import threading
from email import message_from_bytes

from aiosmtpd.controller import Controller

from clinic.notifications import Email, Skip, Sms, register_renderer

SUBJECT_TYPE = "tests.visit"


def render(notification) -> Email | Sms:
    label = notification.subject_label
    if label.startswith("skip:"):
        raise Skip(label.removeprefix("skip:"))
    if label == "boom":
        raise RuntimeError("the renderer broke")
    if notification.channel == "sms":
        return Sms(text=f"Reminder: visit {label}")
    return Email(subject=f"Reminder {label}", text=f"See you soon ({label}).", html=f"<p>See you soon ({label}).</p>")


for _kind in ("reminder", "confirmation", "cancellation"):
    register_renderer(subject_type=SUBJECT_TYPE, kind=_kind, renderer=render)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CountingHandler:
    """Accepts every message (unless told otherwise) and counts deliveries per notification id."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: collections.Counter = collections.Counter()
        self.messages: list = []
        self.rcpt_reply: str | None = None  # e.g. "450 Mailbox busy" or "550 No such user"
        self.data_reply: str | None = None  # reply to the end of the data, e.g. "451 Try later"
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd's hook names
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.data_reply:
            return self.data_reply
        message = message_from_bytes(envelope.content)
        with self.lock:
            self.counts[message["X-Medius-Notification"]] += 1
            self.messages.append(message)
            number = len(self.messages)
        return f"250 2.0.0 Ok: queued as Q{number}"

    @property
    def delivered(self) -> int:
        with self.lock:
            return sum(self.counts.values())


class SmtpServer:
    def __init__(self):
        self.handler = CountingHandler()
        self.port = free_port()
        # Our own loop, closed in __exit__ (the controller leaves the one it would create open).
        self.loop = asyncio.new_event_loop()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, loop=self.loop)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
        self.loop.close()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
