"""Claiming due messages and sending them: never lost, never sent by two workers at once, repeated only after a crash
and then under the same Message-ID (docs/reminders.md, "The delivery guarantee").

- Claim in the database: due pending rows are locked with FOR UPDATE SKIP LOCKED and set to "sending" with a fresh
  claim token in one short transaction (a conditional UPDATE for a single row), so two workers or two beats never
  hold the same row. SQLite (`make run`) has no row locks but runs every write transaction IMMEDIATE, which
  serialises the claims the same way.
- Send, then record: a row becomes "sent" only after the server accepted the message (mail.py). A row left "sending"
  by a worker that died is handed back after NOTIFICATIONS_CLAIM_TIMEOUT and sent again with its stored Message-ID.
- Every later write on a claimed row is conditional on that token (a fence). A worker past half the claim timeout
  hands back the rows it has not reached rather than race the worker that may take them over.
- Too late is never: a row far past the time it was due to go is marked expired instead of sent (expire_stale, and
  again when a worker claims it).
- Passing faults (SMTP 4xx, timeouts, refused or dropped connections, gateway 5xx/429) put the row back to pending
  with backoff, up to NOTIFICATIONS_MAX_ATTEMPTS; anything else is final: failed, with the reason. Staff can retry.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections import Counter

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import to_python as to_phone

from clinic.models import Notification
from clinic.selectors import get_practice

from .mail import EmailChannel, ServerUnavailable, Unconfirmed
from .registry import Email, Expired, Skip, Sms, preload, renderer_for
from .sms import SmsError, get_backend
from .timing import backoff, quiet_until, stale_after

logger = logging.getLogger(__name__)

Status = Notification.Status
Channel = Notification.Channel


# Claiming ------------------------------------------------------------------------------------------------------------


def claim_due(*, limit: int, now: dt.datetime | None = None) -> tuple[uuid.UUID, list[Notification]]:
    """Claim up to `limit` due pending rows for this worker (oldest first)."""
    now = now or timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Notification.objects.filter(pk__in=ids).update(
                status=Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
            )
    rows = list(Notification.objects.filter(pk__in=ids).order_by("next_attempt_at", "pk")) if ids else []
    return token, rows


def claim_one(notification_id: int, *, now: dt.datetime | None = None) -> tuple[uuid.UUID, Notification | None]:
    """Claim one row if it is pending and due (a conditional UPDATE: whoever changes it first has it)."""
    now = now or timezone.now()
    token = uuid.uuid4()
    claimed = Notification.objects.filter(pk=notification_id, status=Status.PENDING, next_attempt_at__lte=now).update(
        status=Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
    )
    return token, (Notification.objects.get(pk=notification_id) if claimed else None)


def recover_stale(*, now: dt.datetime | None = None) -> int:
    """Hand back rows whose worker has held them longer than the claim timeout (it crashed or hangs)."""
    now = now or timezone.now()
    stale = Notification.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT)
    )
    note = _("The worker stopped while sending.")
    given_up = stale.filter(attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS).update(
        status=Status.FAILED, reason=note, last_error=note, claim_token=None, claimed_at=None, updated_at=now
    )
    again = stale.update(
        # next_attempt_at is left as it was: the row was due when it was claimed, so it is due again now.
        status=Status.PENDING,
        last_error=note,
        claim_token=None,
        claimed_at=None,
        updated_at=now,
    )
    if given_up or again:
        logger.warning("Recovered %d stale notification claims (%d given up)", again + given_up, given_up)
    return again + given_up


def due_count(*, now: dt.datetime | None = None, cap: int = 100_000) -> int:
    now = now or timezone.now()
    return Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)[:cap].count()


# Errors --------------------------------------------------------------------------------------------------------------


class InvalidRecipient(Exception):
    pass


def classify(exc: BaseException) -> tuple[bool, str]:
    """(transient, description) for a failure while sending."""
    if isinstance(exc, SmsError):
        return exc.transient, str(exc)
    if isinstance(exc, ServerUnavailable):
        return True, _("Mail server unavailable: %(error)s") % {"error": exc}
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        text = "; ".join(f"{who}: {code} {_text(reply)}" for who, (code, reply) in exc.recipients.items())
        return all(400 <= code < 500 for code in codes), _("Recipient refused: %(reply)s") % {"reply": text}
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # The practice's mail settings are wrong, not the message: keep it for when they are fixed.
        return True, _("Mail server sign-in refused: %(reply)s") % {"reply": f"{exc.smtp_code} {_text(exc.smtp_error)}"}
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        return 400 <= exc.smtp_code < 500, _("Mail server answered %(reply)s") % {"reply": reply}
    if isinstance(exc, (smtplib.SMTPServerDisconnected, OSError)):  # includes timeouts and refused connections
        return True, f"{type(exc).__name__}: {exc}"
    return False, f"{type(exc).__name__}: {exc}"


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


# Sending -------------------------------------------------------------------------------------------------------------


def message_id(notification: Notification) -> str:
    """Stored with the row when it was created: every attempt, and a repeat after a crash, carries the same one."""
    return notification.message_id


def idempotency_key(notification: Notification) -> str:
    """The SMS gateway's Idempotency-Key: the Message-ID's local part ("notification-<random hex>"), as stable."""
    return notification.message_id.strip("<>").split("@", 1)[0]


class Sender:
    """Sends claimed rows over one mail connection and one SMS backend; use as a context manager."""

    def __init__(self):
        self.practice = get_practice()
        self._email: EmailChannel | None = None
        self._sms = None
        self._email_down: str | None = None
        self.stats: Counter = Counter()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc) -> None:
        if self._email is not None:
            self._email.close()

    @property
    def email(self) -> EmailChannel:
        if self._email is None:
            self._email = EmailChannel()
        return self._email

    @property
    def sms(self):
        if self._sms is None:
            self._sms = get_backend()
        return self._sms

    def send(self, rows: list[Notification], token: uuid.UUID) -> None:
        try:
            preload(rows)
        except Exception:  # the renderers can still read each subject themselves
            logger.exception("Preloading a batch of %d notifications failed", len(rows))
        for notification in rows:
            try:
                outcome = self._send_one(notification, token)
            except Exception:
                # A bug must not leave the rest of the batch claimed until the timeout.
                logger.exception("Sending notification %s failed unexpectedly", notification.pk)
                outcome = "error"
            self.stats[outcome] += 1

    def _send_one(self, n: Notification, token: uuid.UUID) -> str:
        now = timezone.now()
        if n.claimed_at and now - n.claimed_at > dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT / 2):
            # A slow batch: past half the claim timeout another worker may soon take this row over. Hand it back
            # unsent rather than race that worker into sending it twice.
            _update(n, token, status=Status.PENDING, attempts=F("attempts") - 1)
            return "released"
        if is_stale(n, now):
            _update(n, token, status=Status.EXPIRED, reason=stale_reason(n)[:255])
            return "expired"
        if n.channel == Channel.SMS:
            until = quiet_until(now, self.practice)
            if until is not None:
                _update(n, token, status=Status.PENDING, next_attempt_at=until, attempts=F("attempts") - 1)
                return "deferred"
        renderer = renderer_for(n)
        if renderer is None:
            return _fail(
                n,
                token,
                _("Nothing knows how to write a %(kind)s about %(subject)s.")
                % {"kind": n.kind, "subject": n.subject_type},
            )
        try:
            message = renderer(n)
        except Expired as expired:
            _update(n, token, status=Status.EXPIRED, reason=expired.reason[:255])
            return "expired"
        except Skip as skip:
            _update(n, token, status=Status.SKIPPED, reason=skip.reason[:255])
            return "skipped"
        except Exception as exc:
            logger.exception("Rendering notification %s failed", n.pk)
            return _fail(n, token, _("Could not be written: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"})
        if self._email_down and n.channel == Channel.EMAIL:
            return self._retry_or_fail(n, token, self._email_down)
        try:
            recipient, title, kept, provider_id = self._deliver(n, message)
        except Unconfirmed as exc:
            # The data went out complete but no reply came: the server may have it. Sending it again (same
            # Message-ID) risks a copy the mail system can drop; not sending risks losing it.
            note = _("No reply after the message data; it will be sent again (same Message-ID): %(error)s") % {
                "error": exc
            }
            return self._retry_or_fail(n, token, note)
        except InvalidRecipient as exc:
            return _fail(n, token, str(exc))
        except Exception as exc:
            transient, text = classify(exc)
            if isinstance(exc, ServerUnavailable):
                self._email_down = text  # no point knocking again for the rest of this batch
            if transient:
                return self._retry_or_fail(n, token, text)
            return _fail(n, token, text)
        # Only now, with the server's acceptance in hand, does the row say "sent". A crash before this commit leaves
        # it "sending": claimed again after the timeout and repeated with the same Message-ID (mail.py).
        if not _mark_sent(n, token, recipient=recipient, title=title, body=kept, provider_id=provider_id):
            logger.warning(
                "Notification %s was handed over after its claim was taken over; another worker may repeat it "
                "with the same Message-ID %s",
                n.pk,
                n.message_id,
            )
            return "lost-claim"
        return "sent"

    def _retry_or_fail(self, n: Notification, token: uuid.UUID, text: str) -> str:
        if n.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            return _fail(n, token, _("Gave up after %(n)d attempts: %(error)s") % {"n": n.attempts, "error": text})
        _update(n, token, status=Status.PENDING, next_attempt_at=timezone.now() + backoff(n.attempts), last_error=text)
        return "retry"

    def _deliver(self, n: Notification, message: Email | Sms) -> tuple[str, str, str, str]:
        """Hand the message over; returns (recipient, title, text kept in the outbox, provider id) once accepted."""
        recipient = message.to or n.recipient
        if n.channel == Channel.EMAIL:
            if not isinstance(message, Email):
                raise TypeError(f"the {n.kind} renderer returned {type(message).__name__} for an email")
            try:
                validate_email(recipient)
            except ValidationError:
                raise InvalidRecipient(_("Invalid email address: %(to)r") % {"to": recipient}) from None
            provider_id = self.email.deliver(self._email_message(n, message, recipient))
            kept = message.text if message.kept_text is None else message.kept_text
            return recipient, message.subject, kept, provider_id
        if not isinstance(message, Sms):
            raise TypeError(f"the {n.kind} renderer returned {type(message).__name__} for an SMS")
        phone = to_phone(recipient)
        # "Possible" (a plausible length for its country), not "valid": numbering plans change faster than the
        # phonenumbers data, and the gateway has the final word (a 4xx there fails the message with its reason).
        if phone is None or not phonenumbers.is_possible_number(phone):
            raise InvalidRecipient(_("Invalid phone number: %(to)r") % {"to": recipient})
        # The reference is the gateway's Idempotency-Key: a repeat after a crash is recognised by a gateway that
        # honours it instead of texting the patient twice.
        provider_id = self.sms.send(to=phone.as_e164, text=message.text, reference=idempotency_key(n))
        return recipient, "", message.text, provider_id

    def _email_message(self, n: Notification, message: Email, recipient: str) -> EmailMultiAlternatives:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient],
            reply_to=[self.practice.email] if self.practice.email else None,
            headers={"Message-ID": message_id(n), "X-Medius-Notification": str(n.pk)},
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        for attachment in message.attachments:
            email.attach(attachment.filename, attachment.content, attachment.mimetype)
        return email


def _update(n: Notification, token: uuid.UUID, **fields) -> bool:
    """A fenced write: only while this worker's claim holds."""
    if fields.get("status") in (Status.PENDING, Status.SKIPPED, Status.FAILED, Status.EXPIRED):
        fields.setdefault("claim_token", None)
        fields.setdefault("claimed_at", None)
    fields["updated_at"] = timezone.now()
    return Notification.objects.filter(pk=n.pk, claim_token=token, status=Status.SENDING).update(**fields) == 1


_MARK_SENT = (
    "UPDATE {table} SET status = %s, sent_at = %s, updated_at = %s, recipient = %s, title = %s, body = %s, "
    "provider_id = %s, reason = '', last_error = '' "
    "WHERE id = %s AND claim_token = %s AND status = %s"
)


def _mark_sent(n: Notification, token: uuid.UUID, *, recipient: str, title: str, body: str, provider_id: str) -> bool:
    """Record the server's acceptance (autocommit), fenced by the claim. Plain SQL because it runs once per message on
    the hot path; the ORM's update() costs more than the statement itself here."""
    now = timezone.now()
    token_value = Notification._meta.get_field("claim_token").get_db_prep_value(token, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_SENT.format(table=connection.ops.quote_name(Notification._meta.db_table)),
            [
                Status.SENT,
                now,
                now,
                recipient,
                title[:255],
                body,
                (provider_id or "")[:255],
                n.pk,
                token_value,
                Status.SENDING,
            ],
        )
        return cursor.rowcount == 1


def _fail(n: Notification, token: uuid.UUID, text: str) -> str:
    _update(n, token, status=Status.FAILED, reason=text[:255], last_error=text)
    return "failed"


# Expiry --------------------------------------------------------------------------------------------------------------


def is_stale(n: Notification, now: dt.datetime) -> bool:
    return n.next_attempt_at < now - stale_after(n.kind)


def stale_reason(n: Notification) -> str:
    hours = stale_after(n.kind).total_seconds() / 3600
    return _("Not sent: more than %(hours)g hours late.") % {"hours": hours}


def expire_stale(*, now: dt.datetime | None = None) -> int:
    """Mark pending messages far past the time they were due to go as expired (an outage, a restored backup)."""
    now = now or timezone.now()
    expired = 0
    pending = Notification.objects.filter(status=Status.PENDING)
    reminder = Notification.Kind.REMINDER
    for rows, kind in (
        (pending.filter(kind=reminder), reminder),
        (pending.exclude(kind=reminder), Notification.Kind.CONFIRMATION),
    ):
        reason = stale_reason(Notification(kind=kind))
        expired += rows.filter(next_attempt_at__lt=now - stale_after(kind)).update(
            status=Status.EXPIRED, reason=reason[:255], updated_at=now
        )
    if expired:
        logger.warning("Expired %d notifications that were too late to send", expired)
    return expired
