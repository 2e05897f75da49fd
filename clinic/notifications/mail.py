"""Handing an email to the mail server so that a crash can neither lose the database's word nor duplicate a message.

The problem: the SMTP server and the database cannot commit together. Send first and record afterwards, and a worker
killed between the server's "250 OK" and the database commit leaves a row that looks unsent: it is sent again (a
duplicate). Record first and send afterwards, and a worker killed during the network exchange leaves a row that says
"sent" for a message nobody received.

What we do (with the SMTP backend): the whole message goes to the server except the final "<CRLF>.<CRLF>"; the
server now holds it but has not accepted it. Then the row is committed as sent, conditionally on our claim token
(the fence: a worker whose claim was taken over after a timeout records nothing and sends nothing). Only then the
terminator goes out and the reply is read. A worker killed before the commit leaves the server with an unfinished
message, which SMTP servers discard when the connection drops (RFC 5321 4.1.1.4), and the row is claimed again after
the claim timeout: sent once. A refusal in the final reply puts the row back (retry or failed). What remains is the
gap between the commit returning and two bytes being written to the socket: microseconds inside one process with no
network wait, against a database round trip for send-then-record. If the reply to the terminator never comes (the
connection breaks after the data was complete), the server has most likely queued the message: the row stays sent,
with a note, rather than risk a duplicate.

Other mail backends (the file backend of `make run`, locmem in tests, API backends) cannot be split like this: the
row is committed as sent first, then the backend is called, and a failure puts the row back.
"""

from __future__ import annotations

import re
import smtplib
import socket
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address

_LEADING_DOT = re.compile(rb"(?m)^\.")


class Unconfirmed(Exception):
    """The message data was complete but the server's final reply never came."""


class ServerUnavailable(Exception):
    """No session with the mail server (refused, timed out, TLS or sign-in failed): a passing fault."""


def _dot_stuffed(data: bytes) -> bytes:
    # RFC 5321 4.5.2, as smtplib.SMTP.data does: a line starting with "." gets another; the body ends with CRLF.
    data = _LEADING_DOT.sub(b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


class EmailChannel:
    """One mail-server connection for a whole batch (opened when the first message needs it)."""

    def __init__(self):
        # A timeout always: a mail server that stops answering must not hold a worker (and its claims) forever.
        self.backend = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT or 30)
        self.two_phase = isinstance(self.backend, SmtpBackend)

    def close(self) -> None:
        try:
            self.backend.close()
        except Exception:  # closing a broken connection must not hide the outcome of the batch
            self._drop()

    def _drop(self) -> None:
        """Close the socket without QUIT: the server discards any message whose data is unfinished."""
        connection = getattr(self.backend, "connection", None)
        if connection is not None:
            try:
                connection.close()
            finally:
                self.backend.connection = None

    def deliver(self, message: EmailMultiAlternatives, commit: Callable[[], bool]) -> str | None:
        """Send `message`; `commit()` records it as sent and says whether our claim still held.

        Returns the server's acceptance text (the provider id), or None when the claim was lost and nothing was sent.
        Raises what the server or the network raised (the caller decides between retry and failure).
        """
        if not self.two_phase:
            if not commit():
                return None
            self.backend.send_messages([message])
            return ""
        return self._deliver_smtp(message, commit)

    def _deliver_smtp(self, message: EmailMultiAlternatives, commit: Callable[[], bool]) -> str | None:
        if self.backend.connection is None:
            try:
                self.backend.open()
            except Exception as exc:
                raise ServerUnavailable(f"{type(exc).__name__}: {exc}") from exc
            # The message and its terminator are two small writes followed by a read: with Nagle's algorithm the
            # second waits for the server's delayed ACK (tens of ms per message). Send each write at once.
            self.backend.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection: smtplib.SMTP = self.backend.connection
        encoding = message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in message.recipients()]
        data = _dot_stuffed(message.message().as_bytes(linesep="\r\n"))
        try:
            connection.ehlo_or_helo_if_needed()
            if connection.has_extn("pipelining"):
                self._envelope_pipelined(connection, sender, recipients)
            else:
                self._envelope(connection, sender, recipients)
            connection.send(data)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            # A refusal before the data: the session is still good for the next message once reset.
            self._reset()
            raise
        except Exception:
            self._drop()
            raise
        if not commit():
            self._drop()  # the claim was taken over: abandon this message unfinished
            return None
        try:
            connection.send(b".\r\n")
        except Exception:
            self._drop()  # the terminator never left: the server discards the message; the caller puts the row back
            raise
        try:
            code, reply = connection.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise Unconfirmed(str(exc)) from exc
        if code != 250:
            self._reset()
            raise smtplib.SMTPDataError(code, reply)
        return reply.decode(errors="replace")

    @staticmethod
    def _envelope(connection: smtplib.SMTP, sender: str, recipients: list[str]) -> None:
        """MAIL, RCPT and DATA one at a time, each answered before the next."""
        code, reply = connection.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            code, reply = connection.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        connection.putcmd("data")
        code, reply = connection.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)

    def _envelope_pipelined(self, connection: smtplib.SMTP, sender: str, recipients: list[str]) -> None:
        """MAIL, RCPT and DATA in one write, then their replies in order (RFC 2920, when the server offers
        PIPELINING): one round trip instead of three per message, which is most of the time a batch takes."""
        commands = [f"mail FROM:{smtplib.quoteaddr(sender)}"]
        commands += [f"rcpt TO:{smtplib.quoteaddr(recipient)}" for recipient in recipients]
        connection.send("".join(f"{command}\r\n" for command in commands) + "data\r\n")
        mail_code, mail_reply = connection.getreply()
        replies = [connection.getreply() for _ in recipients]
        data_code, data_reply = connection.getreply()
        if data_code == 354 and (mail_code != 250 or any(code not in (250, 251) for code, _ in replies)):
            # The server waits for data we must not send: only dropping the connection ends this transaction.
            self._drop()
        if mail_code != 250:
            raise smtplib.SMTPSenderRefused(mail_code, mail_reply, sender)
        refused = {r: reply for r, reply in zip(recipients, replies, strict=True) if reply[0] not in (250, 251)}
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        if data_code != 354:
            raise smtplib.SMTPDataError(data_code, data_reply)

    def _reset(self) -> None:
        if self.backend.connection is None:
            return
        try:
            self.backend.connection.rset()
        except Exception:
            self._drop()
