"""One function per booking email (sent from bookings.tasks), and the calendar attachment they carry."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from clinic import emails
from clinic.emails import Attachment
from clinic.selectors import get_practice

from . import links
from .models import Appointment


def calendar_uid(appointment: Appointment) -> str:
    """Stable for the appointment's whole life, so calendars update (or remove) the same event."""
    host = urlsplit(settings.SITE_URL).hostname or "medius.invalid"
    return f"appointment-{appointment.pk}@{host}"


def ics(appointment: Appointment, *, cancel: bool = False) -> bytes:
    practice = get_practice()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Medius//Bookings//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    event = icalendar.Event()
    event.add("uid", calendar_uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", appointment.start.astimezone(dt.UTC))
    event.add("dtend", appointment.end.astimezone(dt.UTC))
    event.add("summary", f"{appointment.appointment_type.name} · {practice.name}")
    event.add("description", f"{appointment.reference} · {appointment.practitioner.display_name}")
    if practice.address:
        event.add("location", ", ".join(line.strip() for line in practice.address.splitlines() if line.strip()))
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    if practice.email:
        event.add("organizer", f"mailto:{practice.email}", parameters={"cn": practice.name})
    cal.add_component(event)
    return cal.to_ical()


def _context(appointment: Appointment) -> dict:
    practice = get_practice()
    local = ZoneInfo(practice.time_zone)
    return {
        "appointment": appointment,
        "patient": appointment.patient,
        "local_start": appointment.start.astimezone(local),
        "local_end": appointment.end.astimezone(local),
        "manage_url": links.manage_url(appointment.manage_nonce),
        "cutoff_hours": practice.cancellation_cutoff_hours,
    }


def _calendar(appointment: Appointment, *, cancel: bool = False) -> list[Attachment]:
    method = "CANCEL" if cancel else "REQUEST"
    return [Attachment("appointment.ics", ics(appointment, cancel=cancel), f"text/calendar; method={method}")]


def send_confirmation(appointment: Appointment) -> None:
    emails.send(
        to=appointment.patient.email,
        template="bookings/emails/confirmation",
        context=_context(appointment),
        attachments=_calendar(appointment),
    )


def send_reschedule(appointment: Appointment, *, previous_start: dt.datetime) -> None:
    context = _context(appointment)
    context["previous_start"] = previous_start.astimezone(context["local_start"].tzinfo)
    emails.send(
        to=appointment.patient.email,
        template="bookings/emails/rescheduled",
        context=context,
        attachments=_calendar(appointment),
    )


def send_cancellation(appointment: Appointment) -> None:
    emails.send(
        to=appointment.patient.email,
        template="bookings/emails/cancelled",
        context=_context(appointment),
        attachments=_calendar(appointment, cancel=True),
    )


def send_practice_notice(appointment: Appointment, *, to: str) -> None:
    context = _context(appointment)
    del context["manage_url"]  # the patient's private link stays with the patient
    emails.send(to=to, template="bookings/emails/practice_new_booking", context=context)
