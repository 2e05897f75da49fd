"""Booking emails, sent by a worker after the booking's transaction has committed (services queue them with
delay_on_commit, passing ids).

Retries: only for a mail server that is unreachable or hung up before accepting the message (connection errors), with
backoff. Such a failure means nothing was handed over, so a retry is safe; an SMTP refusal of the message itself is
not retried (it would fail again).
"""

from __future__ import annotations

import datetime as dt
import smtplib

from celery import shared_task
from django.utils import timezone

from clinic.selectors import get_practice

from . import emails
from .models import Appointment, IdempotencyRecord

TRANSIENT = (ConnectionError, TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)
RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": 30, "retry_backoff_max": 600, "max_retries": 5}


def _appointment(appointment_id: int) -> Appointment | None:
    return (
        Appointment.objects.select_related("patient", "practitioner", "appointment_type")
        .filter(pk=appointment_id)
        .first()
    )


def _may_email(appointment: Appointment) -> bool:
    patient = appointment.patient
    # A patient who booked online asked for this email; otherwise respect the contact preference on the record.
    return bool(patient.email) and (appointment.source == Appointment.Source.ONLINE or patient.consent_email)


@shared_task(**RETRY)
def send_confirmation(appointment_id: int) -> None:
    appointment = _appointment(appointment_id)
    if appointment and appointment.status == Appointment.Status.BOOKED and _may_email(appointment):
        emails.send_confirmation(appointment)


@shared_task(**RETRY)
def send_reschedule(appointment_id: int, previous_start: str) -> None:
    appointment = _appointment(appointment_id)
    if appointment and appointment.status == Appointment.Status.BOOKED and _may_email(appointment):
        emails.send_reschedule(appointment, previous_start=dt.datetime.fromisoformat(previous_start))


@shared_task(**RETRY)
def send_cancellation(appointment_id: int) -> None:
    appointment = _appointment(appointment_id)
    if appointment and appointment.status == Appointment.Status.CANCELLED and _may_email(appointment):
        emails.send_cancellation(appointment)


@shared_task(**RETRY)
def notify_practice_of_booking(appointment_id: int) -> None:
    practice = get_practice()
    appointment = _appointment(appointment_id)
    if appointment and practice.email:
        emails.send_practice_notice(appointment, to=practice.email)


IDEMPOTENCY_KEEP = dt.timedelta(hours=24)


@shared_task
def purge_idempotency_records() -> int:
    """Forget Idempotency-Key responses after a day: clients retry within minutes, and the records hold patient data.

    Hourly (CELERY_BEAT_SCHEDULE). A plain DELETE, safe to run twice or in two places at once.
    """
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - IDEMPOTENCY_KEEP).delete()
    return deleted
