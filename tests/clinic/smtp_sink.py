"""A real SMTP server on loopback for tests and benchmarks (aiosmtpd), with no Django in it.

It accepts every message (unless told otherwise), offers PIPELINING as Postfix and Exim do, and counts deliveries by
their X-Medius-Notification header. Run as a script (`python tests/clinic/smtp_sink.py STATUS_FILE`) it serves in
its own process and writes its counts to STATUS_FILE as JSON (the benchmark's sink).
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import re
import socket
import sys
import threading
import time
from email import message_from_bytes
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


NOTIFICATION_HEADER = re.compile(rb"^X-Medius-Notification: (\S+)", re.MULTILINE)


def parse(raw: bytes):
    return message_from_bytes(raw)


class CountingHandler:
    """Accepts every message (unless told otherwise) and counts deliveries per notification id."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: collections.Counter = collections.Counter()
        self.messages: list = []
        self.rcpt_reply: str | None = None  # e.g. "450 Mailbox busy" or "550 No such user"
        self.data_reply: str | None = None  # reply to the end of the data, e.g. "451 Try later"
        self.pipelining = True  # offer PIPELINING, as Postfix and Exim do
        self.reply_delay = 0.0  # seconds between recording a message and answering (an MTA queueing it first)
        self.waiting = 0  # messages recorded whose reply is still being held back
        self.drop_after_data = False  # record the message, then close the connection without a reply

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd's hook names
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        # The header is enough to count by; parsing whole messages would make the sink the bottleneck.
        found = NOTIFICATION_HEADER.search(envelope.content)
        with self.lock:
            self.counts[found.group(1).decode() if found else None] += 1
            self.messages.append(envelope.content)
            number = len(self.messages)
        if self.drop_after_data:
            server.transport.close()
            return "421 closing"  # never reaches the client: the transport is closed
        if self.reply_delay:
            self.waiting += 1
            try:
                await asyncio.sleep(self.reply_delay)
            finally:
                self.waiting -= 1
        return f"250 2.0.0 Ok: queued as Q{number}"

    @property
    def delivered(self) -> int:
        with self.lock:
            return sum(self.counts.values())


class SmtpServer:
    def __init__(self):
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
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


def serve(status_file: Path) -> None:
    with SmtpServer() as server:
        print(server.port, flush=True)
        while True:
            counts = server.handler.counts
            with server.handler.lock:
                status = {"delivered": sum(counts.values()), "duplicates": sum(1 for c in counts.values() if c > 1)}
            status_file.write_text(json.dumps(status))
            time.sleep(0.1)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
