"""Writes on notification rows that apps and staff make: scheduling, replacing, skipping, retrying.

Apps call these inside their own transaction (a booking and its reminders commit together), and queue
clinic.tasks.send_notification through clinic.pending_tasks (after commit) for what should go at once. Sending
itself is in dispatch.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import audit, pending_tasks
from clinic.models import Notification
from clinic.selectors import get_practice

from .timing import sms_send_time

Status = Notification.Status
Channel = Notification.Channel


class NotRetryable(Exception):
    pass


def schedule(
    *,
    subject_type: str,
    subject_id: str | int,
    kind: str,
    channel: str,
    recipient: str,
    due_at: dt.datetime | None = None,
    subject_label: str = "",
    patient_id: int | None = None,
    data: dict | None = None,
) -> tuple[Notification, bool]:
    """The message for (subject, kind, channel, due time): created pending, or the existing one (the unique
    constraint makes a second copy impossible; get_or_create turns the race into "already there").

    SMS due inside quiet hours wait for their end (clinic time). Returns (notification, created).
    """
    due_at = due_at or timezone.now()
    next_attempt_at = due_at
    if channel == Channel.SMS:
        next_attempt_at = sms_send_time(due_at, get_practice())
    return Notification.objects.get_or_create(
        subject_type=subject_type,
        subject_id=str(subject_id),
        kind=kind,
        channel=channel,
        due_at=due_at,
        defaults={
            "recipient": recipient,
            "subject_label": subject_label,
            "patient_id": patient_id,
            "next_attempt_at": next_attempt_at,
            "data": data or {},
        },
    )


def replace_pending(
    *,
    subject_type: str,
    subject_id: str | int,
    kind: str,
    wanted: Iterable[dict],
    subject_label: str = "",
    patient_id: int | None = None,
) -> list[Notification]:
    """Make the subject's pending messages of `kind` exactly `wanted` (dicts of channel, recipient, due_at).

    Pending rows no longer wanted are deleted (they were never sent: nothing for the outbox to show); rows already
    sent stay and are not sent again (moving an appointment back to its first time does not repeat a reminder);
    a wanted row that was skipped earlier is pending again.
    """
    wanted = list(wanted)
    keep = {(w["channel"], w["due_at"]) for w in wanted}
    with transaction.atomic():
        pending = Notification.objects.select_for_update().filter(
            subject_type=subject_type, subject_id=str(subject_id), kind=kind, status=Status.PENDING
        )
        stale = [n.pk for n in pending if (n.channel, n.due_at) not in keep]
        Notification.objects.filter(pk__in=stale, status=Status.PENDING).delete()
        rows = []
        for w in wanted:
            notification, created = schedule(
                subject_type=subject_type,
                subject_id=subject_id,
                kind=kind,
                subject_label=subject_label,
                patient_id=patient_id,
                **w,
            )
            if not created and notification.status == Status.SKIPPED:
                Notification.objects.filter(pk=notification.pk, status=Status.SKIPPED).update(
                    status=Status.PENDING, reason="", recipient=w["recipient"], updated_at=timezone.now()
                )
                notification.refresh_from_db()
            rows.append(notification)
    return rows


def skip_pending(*, subject_type: str, subject_id: str | int, reason: str, kinds: Iterable[str] | None = None) -> int:
    """Skip the subject's pending messages (a cancelled appointment's reminders), keeping them in the outbox."""
    rows = Notification.objects.filter(subject_type=subject_type, subject_id=str(subject_id), status=Status.PENDING)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    return rows.update(status=Status.SKIPPED, reason=reason[:255], updated_at=timezone.now())


def unsent_due_before(*, moment: dt.datetime) -> dict[tuple[str, str], int]:
    """What `expire_unsent` would expire: counts of pending and sending messages due before `moment`, by kind and
    status."""
    rows = Notification.objects.filter(status__in=[Status.PENDING, Status.SENDING], due_at__lt=moment)
    counts: dict[tuple[str, str], int] = {}
    for kind, status in rows.values_list("kind", "status"):
        counts[(kind, status)] = counts.get((kind, status), 0) + 1
    return counts


def expire_unsent(*, moment: dt.datetime, reason: str) -> int:
    """Expire every message still pending or sending that was due before `moment` (after restoring a backup: those
    may have gone before the failure). Run with the workers stopped: a row a live worker holds might be on its way."""
    now = timezone.now()
    return Notification.objects.filter(status__in=[Status.PENDING, Status.SENDING], due_at__lt=moment).update(
        status=Status.EXPIRED, reason=reason[:255], claim_token=None, claimed_at=None, updated_at=now
    )


def retry(*, notification_id: int, actor, request=None) -> Notification:
    """Staff send a failed message again: it becomes pending now, with a fresh set of attempts."""
    from clinic import tasks  # a task module imports this one

    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if notification.status != Status.FAILED:
            raise NotRetryable(_("Only a failed message can be sent again."))
        now = timezone.now()
        notification.status = Status.PENDING
        notification.attempts = 0
        notification.reason = ""
        notification.next_attempt_at = now
        notification.claim_token = None
        notification.claimed_at = None
        notification.updated_at = now
        notification.save()
        audit.record(
            action=audit.Action.CHANGE,
            request=request,
            actor=actor,
            obj=notification,
            patient_id=notification.patient_id,
            summary=f"Retry {notification.kind} {notification.channel} to {notification.recipient}",
        )
        pending_tasks.enqueue(tasks.send_notification, notification.pk)
    return notification
