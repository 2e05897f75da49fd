"""Waiting-list tasks (registered with the worker through bookings.tasks). They take ids and run after commit.

offer_freed_slot is safe to run twice: an entry is offered a slot once (unique constraint). The two emails retry only
on connection errors before the server accepted the message (see bookings.tasks), and each is claimed first with a
conditional UPDATE, so a redelivered task does not send the "gone" email twice.
"""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.utils import timezone

from .front_desk_models import WaitlistOffer

# The same transient errors as bookings.tasks (not imported from there: that module imports this one).
TRANSIENT = (ConnectionError, TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)
RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": 30, "retry_backoff_max": 600, "max_retries": 5}


@shared_task
def offer_freed_slot(appointment_id: int) -> int:
    from . import waitlist

    return len(waitlist.offer_freed_slot(appointment_id=appointment_id))


def _offer(offer_id: int) -> WaitlistOffer | None:
    return (
        WaitlistOffer.objects.select_related("entry__patient", "practitioner", "appointment_type")
        .filter(pk=offer_id)
        .first()
    )


@shared_task(**RETRY)
def send_waitlist_offer(offer_id: int) -> None:
    from . import waitlist

    offer = _offer(offer_id)
    if offer is not None and offer.status == WaitlistOffer.Status.OPEN and offer.entry.patient.email:
        waitlist.send_offer_email(offer)


@shared_task(**RETRY)
def send_waitlist_gone(offer_id: int) -> None:
    from . import waitlist

    # Claim the sending: a redelivered task finds gone_notified_at set and sends nothing.
    claimed = WaitlistOffer.objects.filter(
        pk=offer_id, status=WaitlistOffer.Status.GONE, gone_notified_at__isnull=True
    ).update(gone_notified_at=timezone.now())
    offer = _offer(offer_id) if claimed else None
    if offer is not None and offer.entry.patient.email:
        try:
            waitlist.send_gone_email(offer)
        except Exception:
            # Not sent after all: release the claim so the retry can send it.
            WaitlistOffer.objects.filter(pk=offer_id).update(gone_notified_at=None)
            raise
