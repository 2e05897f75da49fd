"""Reads for the outbox."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q, QuerySet

from clinic.models import Notification


def outbox(
    *, status: str = "", channel: str = "", kind: str = "", q: str = "", patient_id: int | None = None
) -> QuerySet[Notification]:
    """Every message, newest due first, filtered as staff asked."""
    rows = Notification.objects.all()
    if patient_id:
        rows = rows.filter(patient_id=patient_id)
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    if kind:
        rows = rows.filter(kind=kind)
    if q:
        rows = rows.filter(Q(recipient__icontains=q) | Q(subject_label__iexact=q) | Q(title__icontains=q))
    return rows.order_by("-due_at", "-id")


def status_counts() -> dict[str, int]:
    counts = dict(Notification.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in Notification.Status.values}


def backlog(*, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Messages due and not yet sent (waiting, or claimed by a worker), and the due time of the oldest (metrics)."""
    waiting = Notification.objects.filter(
        Q(status=Notification.Status.PENDING, next_attempt_at__lte=now) | Q(status=Notification.Status.SENDING)
    )
    summary = waiting.aggregate(n=Count("id"), oldest=Min("due_at"))
    return summary["n"], summary["oldest"]
