"""Handing an email to the mail server: at least once, never reported sent before the server accepted it.

The SMTP server and the database cannot commit together, so one of them must go first. We send first: the whole
message, its end-of-data marker, then the server's reply; only a 250 reply lets the caller record the row as sent
(dispatch.py, fenced by the claim). A worker that dies at any instant before that commit leaves the row "sending";
after NOTIFICATIONS_CLAIM_TIMEOUT it is claimed again and sent again. So nothing is ever lost, and a message is
repeated only when the worker died (or the connection broke) after the server had accepted it and before the row was
committed. The repeat carries the row's stored Message-ID, which mail systems use to recognise the copy.

(The reverse order, committing "sent" before the end-of-data marker, shrinks the duplicate window but turns a crash
during the commit's round trip into a lost message with nothing in the outbox to show it: that is what we replaced.)

Other mail backends (the file backend of `make run`, locmem in tests, API backends) are used the same way: the row is
recorded as sent only after send_messages() returned.
"""

from __future__ import annotations

import re
import smtplib
import socket

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

    def deliver(self, message: EmailMultiAlternatives) -> str:
        """Send `message` and return once the server has accepted it: its acceptance text (the provider id).

        Raises what the server or the network raised (the caller decides between retry and failure); Unconfirmed when
        the data went out complete but no reply came (the server may or may not have it: the caller sends it again).
        """
        if not self.two_phase:
            self.backend.send_messages([message])
            return ""
        return self._deliver_smtp(message)

    def _deliver_smtp(self, message: EmailMultiAlternatives) -> str:
        if self.backend.connection is None:
            try:
                self.backend.open()
            except Exception as exc:
                raise ServerUnavailable(f"{type(exc).__name__}: {exc}") from exc
            # Each message is a few small writes followed by a read: with Nagle's algorithm a write can wait for the
            # server's delayed ACK (tens of ms per message). Send each write at once.
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
            connection.send(data + b".\r\n")
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            # A refusal before the data: the session is still good for the next message once reset.
            self._reset()
            raise
        except Exception:
            self._drop()  # the data may be unfinished: the server discards it when the connection drops
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
