"""Booking messages as notification records (clinic.notifications): confirmation, reschedule, cancellation, the
practice's notice of an online booking, and reminders at the practice's lead times.

The services call these inside the booking's transaction, so an appointment and its messages commit together (and a
booking that fails leaves no message behind). Immediate messages are queued through clinic.pending_tasks;
reminders wait in the database for the dispatcher (clinic.tasks), however far ahead they are due.

Privacy: a message names only the practice, the date and time, the practitioner and the patient's private link (and,
for the messages the patient asked for when booking, the appointment type and reference, as before). Never the
patient's notes, a diagnosis or a test: the renderer is given nothing else to put in.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import pending_tasks
from clinic import tasks as clinic_tasks
from clinic.models import Notification
from clinic.notifications import Email, Expired, Skip, Sms, register_renderer, services
from clinic.selectors import get_practice

from . import emails
from .models import Appointment

logger = logging.getLogger(__name__)

SUBJECT_TYPE = "bookings.appointment"
Kind = Notification.Kind
Channel = Notification.Channel


def lead_times(value: str) -> list[dt.timedelta]:
    """ "24,2" -> [24 h, 2 h]. Hours may be decimal ("0.5"); blanks, duplicates and anything not a positive number
    are ignored (the setting is free text on the practice page), so a typo costs one reminder, never all of them."""
    leads = set()
    for part in (value or "").split(","):
        try:
            hours = Decimal(part.strip())
        except InvalidOperation:
            if part.strip():
                logger.warning("Ignoring reminder lead time %r", part)
            continue
        if hours > 0:
            leads.add(dt.timedelta(hours=float(hours)))
    return sorted(leads, reverse=True)


def _may_email(appointment: Appointment, *, asked: bool) -> bool:
    """Email only with an address and consent. A patient who booked online asked for the messages about that booking
    (confirmation, change, cancellation) even without a standing consent on their record; reminders need consent."""
    patient = appointment.patient
    if not patient.email:
        return False
    return patient.consent_email or (asked and appointment.source == Appointment.Source.ONLINE)


def _may_text(appointment: Appointment) -> bool:
    patient = appointment.patient
    # A number imported from an old system may not parse: no text rather than a failed reminder every time.
    return patient.consent_sms and bool(patient.phone) and phonenumbers.is_possible_number(patient.phone)


def _schedule_now(appointment: Appointment, kind: str, *, recipient: str, data: dict | None = None) -> None:
    notification, created = services.schedule(
        subject_type=SUBJECT_TYPE,
        subject_id=appointment.pk,
        kind=kind,
        channel=Channel.EMAIL,
        recipient=recipient,
        due_at=timezone.now(),
        subject_label=appointment.reference,
        patient_id=appointment.patient_id if kind != Kind.PRACTICE_NOTICE else None,
        data=data,
    )
    if created:
        pending_tasks.enqueue(clinic_tasks.send_notification, notification.pk)


def schedule_reminders(appointment: Appointment, *, now: dt.datetime | None = None) -> list[Notification]:
    """The appointment's pending reminders become exactly those due from now on at the practice's lead times, on
    each channel the patient agreed to. Reminders already sent are kept and never repeated."""
    now = now or timezone.now()
    wanted = []
    if appointment.status == Appointment.Status.BOOKED:
        channels = []
        if _may_email(appointment, asked=False):
            channels.append((Channel.EMAIL, appointment.patient.email))
        if _may_text(appointment):
            channels.append((Channel.SMS, appointment.patient.phone.as_e164))
        for lead in lead_times(get_practice().reminder_lead_hours):
            due = appointment.start - lead
            if due > now:
                wanted += [{"channel": channel, "recipient": to, "due_at": due} for channel, to in channels]
    return services.replace_pending(
        subject_type=SUBJECT_TYPE,
        subject_id=appointment.pk,
        kind=Kind.REMINDER,
        wanted=wanted,
        subject_label=appointment.reference,
        patient_id=appointment.patient_id,
    )


def appointment_booked(appointment: Appointment) -> None:
    if _may_email(appointment, asked=True):
        _schedule_now(appointment, Kind.CONFIRMATION, recipient=appointment.patient.email)
    practice = get_practice()
    if appointment.source == Appointment.Source.ONLINE and practice.email:
        _schedule_now(appointment, Kind.PRACTICE_NOTICE, recipient=practice.email)
    schedule_reminders(appointment)


def _tell_the_practice(appointment: Appointment, event: str, **data) -> None:
    """The practice hears of a patient's own change (through their link or the public API) as of an online booking:
    who, when, with whom; never the patient's reason or notes (they may be clinical)."""
    practice = get_practice()
    if practice.email:
        _schedule_now(appointment, Kind.PRACTICE_NOTICE, recipient=practice.email, data={"event": event, **data})


def appointment_moved(appointment: Appointment, *, previous_start: dt.datetime, by_patient: bool = False) -> None:
    if by_patient:
        _tell_the_practice(appointment, "moved", previous_start=previous_start.isoformat())
    if _may_email(appointment, asked=True):
        _schedule_now(
            appointment,
            Kind.RESCHEDULE,
            recipient=appointment.patient.email,
            data={"previous_start": previous_start.isoformat()},
        )
    schedule_reminders(appointment)


def appointment_cancelled(appointment: Appointment, *, notify_patient: bool, by_patient: bool = False) -> None:
    if by_patient:
        _tell_the_practice(appointment, "cancelled")
    services.skip_pending(
        subject_type=SUBJECT_TYPE,
        subject_id=appointment.pk,
        kinds=[Kind.REMINDER],
        reason=_("The appointment was cancelled."),
    )
    if notify_patient and _may_email(appointment, asked=True):
        _schedule_now(appointment, Kind.CANCELLATION, recipient=appointment.patient.email)


# --- rendering, at send time ----------------------------------------------------------------------------------------


def _appointments():
    return Appointment.objects.select_related("patient", "practitioner", "appointment_type")


def preload(notifications: list[Notification]) -> None:
    """A batch's appointments in one query and the practice once, instead of per message (the dispatcher sends
    batches of a few hundred)."""
    ids = {int(n.subject_id) for n in notifications if n.subject_id.isdigit()}
    appointments = _appointments().in_bulk(ids)
    practice = get_practice()
    for n in notifications:
        n.preloaded = {"appointment": appointments.get(int(n.subject_id)), "practice": practice}


def render(notification: Notification) -> Email | Sms:
    """The message as it must read now, or Skip with the reason the outbox shows."""
    loaded = getattr(notification, "preloaded", None)
    if loaded is not None:
        appointment, practice = loaded["appointment"], loaded["practice"]
    else:
        appointment, practice = _appointments().filter(pk=notification.subject_id).first(), get_practice()
    if appointment is None:
        raise Skip(_("The appointment no longer exists."))
    kind = notification.kind
    if kind == Kind.PRACTICE_NOTICE:
        if not practice.email:
            raise Skip(_("The practice has no email address."))
        event = notification.data.get("event", "booked")
        if event == "booked":
            return emails.practice_notice(appointment, to=practice.email, practice=practice)
        previous = notification.data.get("previous_start")
        return emails.practice_change_notice(
            appointment,
            event=event,
            previous_start=dt.datetime.fromisoformat(previous) if previous else None,
            to=practice.email,
            practice=practice,
        )
    if kind == Kind.CANCELLATION:
        if appointment.status != Appointment.Status.CANCELLED:
            raise Skip(_("The appointment is no longer cancelled."))
    elif appointment.status != Appointment.Status.BOOKED:
        raise Skip(_("The appointment is %(status)s.") % {"status": appointment.get_status_display().lower()})
    if kind == Kind.REMINDER and appointment.start <= timezone.now():
        raise Expired(_("The appointment had already started."))
    if notification.channel == Channel.SMS:
        if not _may_text(appointment):
            raise Skip(_("The patient does not accept text messages."))
        return emails.reminder_sms(appointment, practice=practice)
    if not _may_email(appointment, asked=kind != Kind.REMINDER):
        raise Skip(_("The patient does not accept email."))
    if kind == Kind.CONFIRMATION:
        return emails.confirmation(appointment, practice=practice)
    if kind == Kind.RESCHEDULE:
        previous = notification.data.get("previous_start")
        previous_start = dt.datetime.fromisoformat(previous) if previous else None
        return emails.reschedule(appointment, previous_start=previous_start, practice=practice)
    if kind == Kind.CANCELLATION:
        return emails.cancellation(appointment, practice=practice)
    return emails.reminder(appointment, practice=practice)


def register() -> None:
    for kind in (Kind.CONFIRMATION, Kind.RESCHEDULE, Kind.CANCELLATION, Kind.PRACTICE_NOTICE, Kind.REMINDER):
        register_renderer(subject_type=SUBJECT_TYPE, kind=kind, renderer=render, preload=preload)
