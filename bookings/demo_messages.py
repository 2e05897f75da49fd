"""Demo messages for seed_demo (after bookings.demo): the outbox shows sent, failed and skipped messages at once.

Everything goes through the real paths: bookings.services schedule the messages, clinic.notifications sends what is
due (to var/mail with `make run`). Sent: the demo bookings' confirmations. Failed: a patient whose address has a typo
(no top-level domain), kept as if imported from an old system. Skipped: the reminders of a cancelled appointment.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clinic import tasks as clinic_tasks
from clinic.models import Notification
from clinic.selectors import get_practice
from patients.models import Patient

from . import availability
from .models import Appointment, AppointmentType, Practitioner
from .services import BookingError, cancel_appointment, create_appointment

TYPO_EMAIL = "casey.miles@gmail"  # no ".com": the mail server is never even asked


def _book(patient: Patient, *, days_ahead: int, at: str) -> Appointment | None:
    practitioner = Practitioner.objects.filter(is_active=True).order_by("order", "pk").first()
    appointment_type = AppointmentType.objects.filter(name="Follow-up").first()
    if practitioner is None or appointment_type is None:
        return None
    zone = availability.Rules.from_practice(get_practice()).zone
    day = timezone.localdate(timezone=zone) + dt.timedelta(days=days_ahead)
    try:
        return create_appointment(
            patient=patient,
            practitioner=practitioner,
            appointment_type=appointment_type,
            start=availability.wall_to_utc(day, dt.time.fromisoformat(at), zone),
            source=Appointment.Source.FRONT_DESK,
            staff_override=True,
        )
    except BookingError:
        return None


def seed(*, password: str, stdout=None) -> None:
    if Patient.objects.filter(email=TYPO_EMAIL).exists():
        return
    typo = Patient.objects.create(
        first_name="Casey",
        last_name="Miles",
        date_of_birth=dt.date(1991, 6, 2),
        email=TYPO_EMAIL,
        consent_email=True,
    )
    _book(typo, days_ahead=5, at="16:00")
    first = Appointment.objects.filter(status=Appointment.Status.BOOKED).exclude(patient=typo).order_by("pk").first()
    if first is not None:
        cancel_appointment(appointment=first, reason="Demo: patient rang to cancel", staff_override=True)
    # Send what is due now (the confirmations, the cancellation, the typo), so the outbox shows every outcome at once.
    clinic_tasks.send_due_notifications()
    if stdout:
        counts = {s: Notification.objects.filter(status=s).count() for s in Notification.Status.values}
        stdout.write("  messages: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
