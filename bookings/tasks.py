"""Booking housekeeping tasks. The booking messages (confirmation, change, cancellation, reminders, the practice's
notice) are notification records sent by clinic.tasks (bookings.notifications schedules and renders them).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from .models import IdempotencyRecord

IDEMPOTENCY_KEEP = dt.timedelta(hours=24)


@shared_task
def purge_idempotency_records() -> int:
    """Forget Idempotency-Key responses after a day: clients retry within minutes, and the records hold patient data.

    Hourly (CELERY_BEAT_SCHEDULE). A plain DELETE, safe to run twice or in two places at once.
    """
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - IDEMPOTENCY_KEEP).delete()
    return deleted


# The waiting-list tasks live in their own module; importing them here registers them with the worker.
from .waitlist_tasks import offer_freed_slot, send_waitlist_gone, send_waitlist_offer  # noqa: E402, F401
