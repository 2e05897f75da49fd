"""One function per booking message, and the calendar attachment they carry.

Each returns the message for clinic.notifications: bookings.notifications renders them when the notification is sent,
so every email and text is in the outbox and goes exactly once.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.emails import Attachment
from clinic.notifications import Email, Sms
from clinic.selectors import get_practice

from . import links
from .models import Appointment


def calendar_uid(appointment: Appointment) -> str:
    """Stable for the appointment's whole life, so calendars update (or remove) the same event."""
    host = urlsplit(settings.SITE_URL).hostname or "medius.invalid"
    return f"appointment-{appointment.pk}@{host}"


def ics(appointment: Appointment, *, cancel: bool = False, practice=None, plain: bool = False) -> bytes:
    """The calendar event. plain=True (reminders) names no appointment type: only the practitioner and practice."""
    practice = practice or get_practice()
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
    event.add(
        "summary",
        f"{appointment.practitioner.display_name} · {practice.name}"
        if plain
        else f"{appointment.appointment_type.name} · {practice.name}",
    )
    event.add("description", f"{appointment.reference} · {appointment.practitioner.display_name}")
    if practice.address:
        event.add("location", ", ".join(line.strip() for line in practice.address.splitlines() if line.strip()))
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    if practice.email:
        event.add("organizer", f"mailto:{practice.email}", parameters={"cn": practice.name})
    cal.add_component(event)
    return cal.to_ical()


def _context(appointment: Appointment, practice=None) -> dict:
    practice = practice or get_practice()
    local = ZoneInfo(practice.time_zone)
    return {
        "practice": practice,
        "appointment": appointment,
        "patient": appointment.patient,
        "local_start": appointment.start.astimezone(local),
        "local_end": appointment.end.astimezone(local),
        "manage_url": links.url_for(appointment),
        "cutoff_hours": practice.cancellation_cutoff_hours,
    }


def _calendar(
    appointment: Appointment, *, cancel: bool = False, practice=None, plain: bool = False
) -> list[Attachment]:
    method = "CANCEL" if cancel else "REQUEST"
    return [
        Attachment(
            "appointment.ics",
            ics(appointment, cancel=cancel, practice=practice, plain=plain),
            f"text/calendar; method={method}",
        )
    ]


# Each function returns the message for clinic.notifications (bookings.notifications renders them at send time).


def confirmation(appointment: Appointment, *, practice=None) -> Email:
    practice = practice or get_practice()
    return Email.from_template(
        "bookings/emails/confirmation",
        _context(appointment, practice),
        attachments=_calendar(appointment, practice=practice),
        to=appointment.patient.email,
    )


def reschedule(appointment: Appointment, *, previous_start: dt.datetime | None, practice=None) -> Email:
    practice = practice or get_practice()
    context = _context(appointment, practice)
    if previous_start is not None:
        context["previous_start"] = previous_start.astimezone(context["local_start"].tzinfo)
    return Email.from_template(
        "bookings/emails/rescheduled",
        context,
        attachments=_calendar(appointment, practice=practice),
        to=appointment.patient.email,
    )


def cancellation(appointment: Appointment, *, practice=None) -> Email:
    practice = practice or get_practice()
    return Email.from_template(
        "bookings/emails/cancelled",
        _context(appointment, practice),
        attachments=_calendar(appointment, cancel=True, practice=practice),
        to=appointment.patient.email,
    )


def practice_notice(appointment: Appointment, *, to: str, practice=None) -> Email:
    context = _context(appointment, practice)
    del context["manage_url"]  # the patient's private link stays with the patient
    return Email.from_template("bookings/emails/practice_new_booking", context, to=to)


def practice_change_notice(
    appointment: Appointment, *, event: str, previous_start: dt.datetime | None, to: str, practice=None
) -> Email:
    """A patient moved or cancelled online: the facts the front desk needs, no private link, reason or notes."""
    context = _context(appointment, practice)
    del context["manage_url"]
    context["event"] = event
    if previous_start is not None:
        context["previous_start"] = previous_start.astimezone(context["local_start"].tzinfo)
    return Email.from_template("bookings/emails/practice_changed", context, to=to)


def reminder(appointment: Appointment, *, practice=None) -> Email:
    """Only the practice, the date and time, the practitioner and the private link (and the calendar file)."""
    practice = practice or get_practice()
    return Email.from_template(
        "bookings/emails/reminder",
        _context(appointment, practice),
        attachments=_calendar(appointment, practice=practice, plain=True),
        to=appointment.patient.email,
    )


def reminder_sms(appointment: Appointment, *, practice=None) -> Sms:
    text = render_to_string("bookings/emails/reminder_sms.txt", _context(appointment, practice))
    return Sms(text=" ".join(text.split()), to=appointment.patient.phone.as_e164)
