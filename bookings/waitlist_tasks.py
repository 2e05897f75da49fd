"""Waiting-list tasks (registered with the worker through bookings.tasks). They take ids and run after commit.

offer_freed_slot is safe to run twice: an entry is offered a slot once (unique constraint). The offer and "gone"
emails are notification records sent by clinic.tasks (bookings.waitlist schedules and renders them), so none of
these tasks sends anything itself or retries through Celery.
"""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .front_desk_models import WaitlistOffer


@shared_task
def offer_freed_slot(appointment_id: int) -> int:
    from . import waitlist

    return len(waitlist.offer_freed_slot(appointment_id=appointment_id))


def _offer(offer_id: int) -> WaitlistOffer | None:
    return WaitlistOffer.objects.select_related("entry__patient").filter(pk=offer_id).first()


# The two tasks below are kept only so that tasks queued by the previous release still deliver after an upgrade;
# nothing queues them any more. Both only schedule the notification record, which is idempotent.


@shared_task
def send_waitlist_offer(offer_id: int) -> None:
    from . import waitlist

    offer = _offer(offer_id)
    if offer is not None and offer.status == WaitlistOffer.Status.OPEN:
        with transaction.atomic():
            waitlist.schedule_offer_email(offer)  # due at the offer's creation: the same row however often


@shared_task
def send_waitlist_gone(offer_id: int) -> None:
    from . import waitlist

    with transaction.atomic():
        now = timezone.now()
        # Claimed with a conditional UPDATE: a redelivered task finds gone_notified_at set and schedules nothing.
        claimed = WaitlistOffer.objects.filter(
            pk=offer_id, status=WaitlistOffer.Status.GONE, gone_notified_at__isnull=True
        ).update(gone_notified_at=now)
        offer = _offer(offer_id) if claimed else None
        if offer is not None:
            waitlist.schedule_gone_email(offer, due_at=now)
