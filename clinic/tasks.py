"""Sending what is due (clinic.notifications). Far-future messages wait in the database, never in the broker: the
beat runs dispatch_notifications every minute (settings.CELERY_BEAT_SCHEDULE) and no task carries an ETA.

None of these tasks retries itself through Celery: a retry is a row put back to pending with a later next attempt
(clinic.notifications.dispatch), so a message is never resent by a task redelivery. A task that runs twice, or one
redelivered after a crash, claims nothing that another worker holds.
"""

from __future__ import annotations

import math
import time

from celery import shared_task
from django.conf import settings

from .notifications import dispatch

# A batch task stops claiming after this long, so the work spreads over the tasks the next beat queues and a worker is
# never tied up for minutes; well under the claim timeout, so its claims never look stale.
BATCH_TASK_SECONDS = 50
MAX_BATCH_TASKS_PER_BEAT = 20


@shared_task
def dispatch_notifications() -> int:
    """Hand back stale claims, expire what is too late to send, then queue enough batch tasks for what is due.
    Returns how many were queued."""
    dispatch.recover_stale()
    dispatch.expire_stale()
    due = dispatch.due_count()
    tasks = min(math.ceil(due / settings.NOTIFICATIONS_BATCH_SIZE), MAX_BATCH_TASKS_PER_BEAT)
    for _ in range(tasks):
        send_due_notifications.delay()
    return tasks


@shared_task
def send_due_notifications() -> dict:
    """Claim due messages in batches and send them over one mail connection until none are left."""
    started = time.monotonic()
    with dispatch.Sender() as sender:
        while time.monotonic() - started < BATCH_TASK_SECONDS:
            token, rows = dispatch.claim_due(limit=settings.NOTIFICATIONS_BATCH_SIZE)
            if not rows:
                break
            sender.send(rows, token)
    return dict(sender.stats)


@shared_task
def send_notification(notification_id: int) -> str:
    """Send one message now (a confirmation right after booking). If the dispatcher got it first, do nothing."""
    token, row = dispatch.claim_one(notification_id)
    if row is None:
        return "not-due-or-taken"
    with dispatch.Sender() as sender:
        sender.send([row], token)
    return next(iter(sender.stats), "")


@shared_task
def send_staff_invitation(user_id: int) -> str:
    """The invitation to a new staff account: a one-time link to choose a password (Django's password-reset token,
    which expires and stops working once used). The link is built here, at send time, and stored nowhere.

    No automatic retry: the clinic admin can send it again from the staff page."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from . import emails

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "skipped"
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    emails.send(
        to=user.email,
        template="clinic/emails/staff_invitation",
        context={"user": user, "link": settings.SITE_URL + path},
    )
    return "sent"


@shared_task
def relay_pending_tasks() -> int:
    """Publish the work that could not be handed to the broker after its commit (clinic.pending_tasks)."""
    from . import pending_tasks

    return pending_tasks.relay()
