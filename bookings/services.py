"""Every write to the diary, and every booking rule, for the public pages, the API and the front desk alike.

The no-double-booking guarantee has three layers:
1. A per-practitioner lock (PostgreSQL advisory transaction lock, bookings.db) serialises bookings of one diary, so
   the "is it still free?" check below cannot be raced. Losers wait milliseconds, then see the winner's appointment
   and get SlotUnavailable (a 409); a lock held too long becomes a retry and then a clear 409, never a hang.
2. The exclusion constraint (models.Appointment) refuses an overlap whatever code path writes it; its
   IntegrityError also becomes SlotUnavailable.
3. On SQLite, transactions are BEGIN IMMEDIATE, so writers are serialised by the database itself.

`staff_override=True` (front desk, issue 4) lifts the online rules (hours, notice, horizon, slot step, cut-off,
online-only types) but never the guarantee: staff cannot book on top of another appointment.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import audit, metrics, pending_tasks
from clinic.selectors import get_practice
from patients import selectors as patient_selectors
from patients import services as patient_services

from . import access, availability, links, notifications, resources, waitlist_tasks
from .availability import Footprint, Problem, Rules
from .db import LockBusy, lock_idempotency_key, lock_practitioner
from .models import Appointment, AppointmentChange, AppointmentType, IdempotencyRecord, Practitioner
from .selectors import load_schedules, practitioners_offering

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I: references are read out on the phone
LOCK_ATTEMPTS = 2


# --- errors ---------------------------------------------------------------------------------------------------------


class BookingError(Exception):
    code = "invalid"
    http_status = 400

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        errors: dict | None = None,
        problem: Problem | None = None,
    ):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or ({field: [detail]} if field else {})
        self.problem = problem


class InvalidBooking(BookingError):
    """The request can never succeed as it is (400 with field errors)."""


class SlotUnavailable(BookingError):
    """The time is taken, not offered, or could not be secured right now (409)."""

    code = "slot_unavailable"
    http_status = 409


class CutoffPassed(BookingError):
    code = "inside_cutoff"
    http_status = 409


class NotChangeable(BookingError):
    code = "not_changeable"
    http_status = 409


class DuplicateBooking(BookingError):
    """The patient already has this kind of appointment that day (an online booking sent twice, or after Back)."""

    code = "duplicate_booking"
    http_status = 409


class IdempotencyKeyReused(BookingError):
    code = "idempotency_key_reused"
    http_status = 422


@dataclass(frozen=True)
class PatientDetails:
    first_name: str
    last_name: str
    email: str
    date_of_birth: dt.date
    phone: str = ""


@dataclass(frozen=True)
class Replay:
    """The stored first response to a request retried with the same Idempotency-Key."""

    status: int
    body: dict
    appointment: Appointment | None = None


def _problem_message(problem: Problem, rules: Rules) -> str:
    return {
        Problem.PAST: _("That time is in the past."),
        Problem.OFF_STEP: _("Appointments start every %(step)d minutes; please choose one of the offered times.")
        % {"step": rules.step_minutes},
        Problem.NOTICE: _("Online bookings need at least %(hours)s hours' notice.")
        % {"hours": f"{rules.min_notice.total_seconds() / 3600:g}"},
        Problem.HORIZON: _("Online bookings open %(days)d days ahead; please choose an earlier day.")
        % {"days": rules.horizon_days},
        Problem.OUTSIDE_HOURS: _("That time is outside the practitioner's working hours."),
        Problem.BUSY: _("Sorry, that time has just been taken."),
    }[problem]


# --- locking --------------------------------------------------------------------------------------------------------


def _with_lock_retries(work: Callable[[], Any]) -> Any:
    """Run `work` in a fresh transaction, once more if a lock stayed busy (pretix-style), then give a clear 409.

    Nested inside a caller's transaction there is nothing to retry (a lock timeout aborts that transaction), so the
    first LockBusy becomes the 409 straight away.
    """
    attempts = 1 if connection.in_atomic_block else LOCK_ATTEMPTS
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return work()
        except LockBusy:
            if attempt + 1 < attempts:
                time.sleep(0.05 * (attempt + 1))
    raise SlotUnavailable(_("Many people are booking right now and we could not confirm this time. Please try again."))


def _save_guarded(appointment: Appointment, **kwargs) -> None:
    """Save; if the exclusion constraint refuses it (a write that bypassed the lock), say the slot is taken."""
    try:
        with transaction.atomic():
            appointment.save(**kwargs)
    except IntegrityError as exc:
        if "appointment_no_overlap" in str(exc):
            raise SlotUnavailable(_("Sorry, that time has just been taken.")) from exc
        raise


# --- checks ---------------------------------------------------------------------------------------------------------


def _check_slot(
    *,
    practitioner_id: int,
    footprint: Footprint,
    start: dt.datetime,
    rules: Rules,
    now: dt.datetime,
    staff_override: bool,
    ignore_appointment: Appointment | None = None,
) -> None:
    """Raise unless `start` can be booked; call with the practitioner's lock held."""
    if timezone.is_naive(start):
        raise InvalidBooking(_("Give the time with its UTC offset."), field="start")
    day = availability.local_date(start, rules.zone)
    schedule = load_schedules(practitioner_ids=[practitioner_id], first=day, last=day, zone=rules.zone)[practitioner_id]
    if ignore_appointment is not None and ignore_appointment.is_active:
        schedule.forget(ignore_appointment.blocked_start, ignore_appointment.blocked_end)
    if staff_override:
        blocked = footprint.blocked(start)
        if availability.BusyIndex(schedule).overlaps(*blocked):
            raise SlotUnavailable(_("The practitioner already has an appointment at that time."))
        return
    problem = availability.problem_with(start, schedule=schedule, footprint=footprint, rules=rules, now=now)
    if problem is Problem.BUSY:
        raise SlotUnavailable(_problem_message(problem, rules), problem=problem)
    if problem is not None:
        raise InvalidBooking(_problem_message(problem, rules), field="start", problem=problem)


def _new_reference(length: int = 4) -> str:
    return "MD-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(length))


def _actor_label(actor) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor.email
    return "patient (online)"


def _staff(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _record(appointment: Appointment, *, kind: str, actor, **fields) -> None:
    AppointmentChange.objects.create(
        appointment=appointment, kind=kind, actor=_staff(actor), actor_label=_actor_label(actor), **fields
    )


# --- create ---------------------------------------------------------------------------------------------------------


def _insert(
    *,
    patient_for: Callable[[], Any],
    practitioner_id: int,
    appointment_type: AppointmentType,
    start: dt.datetime,
    source: str,
    actor,
    notes: str,
    staff_override: bool,
    rules: Rules,
    now: dt.datetime,
    request,
) -> Appointment:
    lock_practitioner(practitioner_id)
    footprint = Footprint.of(appointment_type)
    _check_slot(
        practitioner_id=practitioner_id,
        footprint=footprint,
        start=start,
        rules=rules,
        now=now,
        staff_override=staff_override,
    )
    # The patient record is found or created only now, inside the booking's transaction: a booking that fails
    # leaves no stray record behind.
    patient = patient_for()
    blocked_start, blocked_end = footprint.blocked(start)
    nonce = links.new_nonce()
    appointment = Appointment(
        reference="",
        patient=patient,
        practitioner_id=practitioner_id,
        appointment_type=appointment_type,
        start=start,
        end=start + footprint.duration,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        source=source,
        patient_notes=notes,
        manage_nonce=nonce,
        manage_token_hash=links.hash_token(links.token_for(nonce)),
        created_by=_staff(actor),
        updated_by=_staff(actor),
    )
    # A random reference, checked by the unique constraint rather than a query first; 31^4 = 923,521 of them, and a
    # longer one if a practice ever has so many appointments that short ones keep colliding.
    for length in (4, 4, 4, 4, 5, 5, 6):
        appointment.reference = _new_reference(length)
        try:
            _save_guarded(appointment)
            break
        except IntegrityError as exc:
            if "reference" not in str(exc):
                raise
            appointment.pk = None
    else:
        raise RuntimeError("could not find a free appointment reference")
    resources.sync(appointment)  # the rooms and equipment its type needs: refused (409) if one is in use
    _record(appointment, kind=AppointmentChange.Kind.CREATED, actor=actor, to_start=start, to_status=appointment.status)
    audit.record(
        action=audit.Action.CREATE,
        request=request,
        actor=_staff(actor),
        obj=appointment,
        patient_id=patient.pk,
        summary=f"Appointment {appointment.reference} ({source})",
    )
    # The confirmation, the practice's notice and the reminders commit with the booking (clinic.notifications).
    notifications.appointment_booked(appointment)
    return appointment


@metrics.counts_bookings("staff", refused=(SlotUnavailable,), invalid=(InvalidBooking,))
def create_appointment(
    *,
    patient,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    start: dt.datetime,
    source: str,
    actor=None,
    notes: str = "",
    staff_override: bool = False,
    request=None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book an existing patient with one practitioner (front desk, API). Raises a BookingError when it cannot."""
    access.ensure_may_manage(actor, practitioner)  # a physiotherapist books only into their own diary
    if not practitioner.is_active:
        raise InvalidBooking(_("This practitioner is not taking appointments."), field="practitioner")
    if not appointment_type.is_active or not (staff_override or appointment_type.online_bookable):
        raise InvalidBooking(_("This appointment type cannot be booked."), field="appointment_type")
    if not practitioner.appointment_types.filter(pk=appointment_type.pk).exists():
        raise InvalidBooking(_("This practitioner does not offer this appointment type."), field="practitioner")
    rules = Rules.from_practice(get_practice())
    return _with_lock_retries(
        lambda: _insert(
            patient_for=lambda: patient,
            practitioner_id=practitioner.pk,
            appointment_type=appointment_type,
            start=start,
            source=source,
            actor=actor,
            notes=notes,
            staff_override=staff_override,
            rules=rules,
            now=now or timezone.now(),
            request=request,
        )
    )


def _online_patient(details: PatientDetails, request):
    patient = patient_selectors.find_patient_by_email_and_dob(email=details.email, date_of_birth=details.date_of_birth)
    if patient is not None:
        return patient
    try:
        return patient_services.create_patient(
            actor=None,
            request=request,
            first_name=details.first_name,
            last_name=details.last_name,
            email=details.email,
            phone=details.phone,
            date_of_birth=details.date_of_birth,
            consent_email=True,
        )
    except DjangoValidationError as exc:
        errors = {"patient": exc.message_dict} if hasattr(exc, "error_dict") else {}
        raise InvalidBooking(_("Some of your details are not valid."), errors=errors) from exc


def _refuse_duplicate(patient, *, appointment_type: AppointmentType, start: dt.datetime, rules: Rules):
    """One online booking of a type per patient and day: a second one is nearly always the same booking sent twice.

    Checked inside the booking's transaction; a brand-new patient record has no appointments, so it passes. The front
    desk can still book a second one deliberately.
    """
    if patient.pk is None:
        return patient
    # The patient's row lock makes two simultaneous bookings for them (with different practitioners) take turns.
    type(patient).objects.select_for_update().filter(pk=patient.pk).exists()
    day = availability.local_date(start, rules.zone)
    first = availability.local_midnight(day, rules.zone)
    last = availability.local_midnight(day + dt.timedelta(days=1), rules.zone)
    existing = (
        Appointment.objects.filter(
            patient=patient,
            appointment_type=appointment_type,
            status__in=Appointment.BLOCKING_STATUSES,
            start__gte=first,
            start__lt=last,
        )
        .order_by("start")
        .first()
    )
    if existing is not None:
        local = existing.start.astimezone(rules.zone)
        raise DuplicateBooking(
            _(
                "You already have an appointment for %(type)s on %(day)s at %(time)s. "
                "Use the link in your confirmation email to change it."
            )
            % {"type": appointment_type.name, "day": f"{local:%A} {local.day} {local:%B}", "time": f"{local:%H:%M}"}
        )
    return patient


@metrics.counts_bookings("online", refused=(SlotUnavailable,), invalid=(InvalidBooking,))
def book_online(
    *,
    appointment_type_id: int,
    practitioner_id: int | None,
    start: dt.datetime,
    patient: PatientDetails,
    notes: str = "",
    source: str = Appointment.Source.ONLINE,
    request=None,
    now: dt.datetime | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
    render: Callable[[Appointment], dict] | None = None,
    practice=None,
) -> Appointment | Replay:
    """A patient books themselves. With practitioner_id None, the first free practitioner who offers the type.

    With an idempotency_key, the first response (render(appointment), minus the private link, which is rebuilt) is
    stored in the same transaction as the booking; a retry gets it back and books nothing.
    """
    now = now or timezone.now()
    practice = practice or get_practice()
    rules = Rules.from_practice(practice)
    appointment_type = AppointmentType.objects.filter(pk=appointment_type_id).first()
    if appointment_type is None or not appointment_type.is_active or not appointment_type.online_bookable:
        raise InvalidBooking(_("This appointment type cannot be booked online."), field="appointment_type")
    candidates = practitioners_offering(appointment_type, practitioner_id)
    if practitioner_id is not None and not candidates:
        if not Practitioner.objects.filter(pk=practitioner_id, is_active=True, user__is_active=True).exists():
            raise InvalidBooking(_("This practitioner is not taking online bookings."), field="practitioner")
        raise InvalidBooking(_("This practitioner does not offer this appointment type."), field="practitioner")

    def work() -> Appointment | Replay:
        if idempotency_key:
            lock_idempotency_key("public_booking", idempotency_key)
            record = IdempotencyRecord.objects.filter(scope="public_booking", key=idempotency_key).first()
            if record is not None:
                return _replay(record, request_hash)
        # Before the slot check, so a patient resending their own booking hears that, not "the time was taken".
        known = patient_selectors.find_patient_by_email_and_dob(
            email=patient.email, date_of_birth=patient.date_of_birth
        )
        if known is not None:
            _refuse_duplicate(known, appointment_type=appointment_type, start=start, rules=rules)
        appointment = _book_first_free(
            candidates=candidates,
            appointment_type=appointment_type,
            practitioner_id=practitioner_id,
            start=start,
            patient=patient,
            notes=notes,
            source=source,
            rules=rules,
            practice=practice,
            now=now,
            request=request,
        )
        if idempotency_key:
            body = dict(render(appointment)) if render else {"reference": appointment.reference}
            body.pop("manage_url", None)  # never stored readably (bookings.links)
            IdempotencyRecord.objects.create(
                scope="public_booking",
                key=idempotency_key,
                request_hash=request_hash,
                response_status=201,
                response_body=body,
                appointment=appointment,
            )
        return appointment

    return _with_lock_retries(work)


def _replay(record: IdempotencyRecord, request_hash: str) -> Replay:
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was already used for a different request. Use a new key for a new booking.")
        )
    body = dict(record.response_body)
    if record.appointment_id is not None:
        body["manage_url"] = links.url_for(record.appointment)
    return Replay(status=record.response_status, body=body, appointment=record.appointment)


def _book_first_free(
    *, candidates, appointment_type, practitioner_id, start, patient, notes, source, rules, practice, now, request
) -> Appointment:
    if not candidates:
        raise SlotUnavailable(_("Nobody offers this appointment type online at the moment."))
    # Any free practitioner: try them in id order (a fixed lock order, so two such bookings cannot deadlock).
    busy: SlotUnavailable | None = None
    outside_hours: InvalidBooking | None = None
    for candidate in sorted(candidates):
        try:
            with transaction.atomic():
                return _insert(
                    patient_for=lambda: _refuse_duplicate(
                        _online_patient(patient, request), appointment_type=appointment_type, start=start, rules=rules
                    ),
                    practitioner_id=candidate,
                    appointment_type=appointment_type,
                    start=start,
                    source=source,
                    actor=None,
                    notes=notes,
                    staff_override=False,
                    rules=rules,
                    now=now,
                    request=request,
                )
        except InvalidBooking as exc:
            # Past, off the step, notice, horizon: the same for everyone, so stop. Outside one practitioner's
            # hours: another may work then.
            if practitioner_id is not None or exc.problem is not Problem.OUTSIDE_HOURS:
                raise
            outside_hours = exc
        except SlotUnavailable as exc:
            busy = exc
    if busy is not None:
        raise busy
    assert outside_hours is not None
    raise InvalidBooking(_("Nobody works at that time; please choose one of the offered times."), field="start")


# --- change ---------------------------------------------------------------------------------------------------------


def _lock_and_reload(appointment: Appointment, *also: int) -> Appointment:
    """Lock the diaries involved (in id order, so two moves between the same diaries cannot deadlock), then the row."""
    for practitioner_id in sorted({appointment.practitioner_id, *also}):
        lock_practitioner(practitioner_id)
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient", "practitioner", "appointment_type")
        .get(pk=appointment.pk)
    )


def _check_cutoff(appointment: Appointment, *, now: dt.datetime, staff_override: bool, what: str) -> None:
    if staff_override:
        return
    hours = get_practice().cancellation_cutoff_hours
    if appointment.start - now < dt.timedelta(hours=hours):
        raise CutoffPassed(
            _(
                "Appointments can only be %(what)s online up to %(hours)d hours before they start. "
                "Please call the practice."
            )
            % {"what": what, "hours": hours}
        )


def cancel_appointment(
    *,
    appointment: Appointment,
    actor=None,
    reason: str = "",
    staff_override: bool = False,
    notify_patient: bool = True,
    request=None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Cancel (patients: only outside the cut-off). Cancelling a cancelled appointment changes nothing.

    notify_patient=False (staff only) records the cancellation without emailing the patient.
    """
    now = now or timezone.now()

    def work() -> Appointment:
        current = _lock_and_reload(appointment)
        access.ensure_may_manage(actor, current.practitioner)
        if current.status == Appointment.Status.CANCELLED:
            return current
        if current.status != Appointment.Status.BOOKED:
            raise NotChangeable(_("This appointment can no longer be cancelled."))
        _check_cutoff(current, now=now, staff_override=staff_override, what=_("cancelled"))
        previous = current.status
        current.status = Appointment.Status.CANCELLED
        current.cancelled_at = now
        current.cancel_reason = reason[:255]
        current.sequence += 1
        current.updated_by = _staff(actor)
        current.save()
        resources.sync(current)  # frees its rooms and equipment
        _record(
            current,
            kind=AppointmentChange.Kind.CANCELLED,
            actor=actor,
            from_status=previous,
            to_status=current.status,
            reason=current.cancel_reason,
            detail={"patient_notified": notify_patient},
        )
        audit.record(
            action=audit.Action.CHANGE,
            request=request,
            actor=_staff(actor),
            obj=current,
            patient_id=current.patient_id,
            summary=f"Cancelled appointment {current.reference}",
        )
        # Its pending reminders are skipped; the patient is told unless staff chose not to (clinic.notifications).
        notifications.appointment_cancelled(current, notify_patient=notify_patient, by_patient=_staff(actor) is None)
        # The freed time goes to the waiting list (bookings.waitlist), whoever cancelled.
        pending_tasks.enqueue(waitlist_tasks.offer_freed_slot, current.pk)
        return current

    return _with_lock_retries(work)


def move_appointment(
    *,
    appointment: Appointment,
    start: dt.datetime,
    practitioner: Practitioner | None = None,
    actor=None,
    staff_override: bool = False,
    request=None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move to a new start, and optionally to another practitioner who offers the type (the front desk).

    The old time is free again once this commits. Both diaries are locked, so the move cannot race a booking in
    either of them.
    """
    now = now or timezone.now()
    rules = Rules.from_practice(get_practice())
    if practitioner is not None and practitioner.pk != appointment.practitioner_id:
        if not practitioner.is_active:
            raise InvalidBooking(_("This practitioner is not taking appointments."), field="practitioner")
        if not practitioner.appointment_types.filter(pk=appointment.appointment_type_id).exists():
            raise InvalidBooking(_("This practitioner does not offer this appointment type."), field="practitioner")

    def work() -> Appointment:
        target_id = practitioner.pk if practitioner is not None else appointment.practitioner_id
        current = _lock_and_reload(appointment, target_id)
        access.ensure_may_manage(actor, current.practitioner)
        if practitioner is not None:
            access.ensure_may_manage(actor, practitioner)
        if current.status != Appointment.Status.BOOKED:
            raise NotChangeable(_("Only a booked appointment can be moved."))
        _check_cutoff(current, now=now, staff_override=staff_override, what=_("moved"))
        if start == current.start and target_id == current.practitioner_id:
            return current
        footprint = Footprint.of(current.appointment_type)
        _check_slot(
            practitioner_id=target_id,
            footprint=footprint,
            start=start,
            rules=rules,
            now=now,
            staff_override=staff_override,
            ignore_appointment=current if target_id == current.practitioner_id else None,
        )
        previous, previous_practitioner = current.start, current.practitioner_id
        current.practitioner_id = target_id
        current.start, current.end = start, start + footprint.duration
        current.blocked_start, current.blocked_end = footprint.blocked(start)
        current.sequence += 1
        current.updated_by = _staff(actor)
        _save_guarded(current)
        resources.sync(current)  # its rooms and equipment move with it (or the move is refused)
        detail = {}
        if previous_practitioner != target_id:
            detail = {"from_practitioner": previous_practitioner, "to_practitioner": target_id}
        _record(
            current,
            kind=AppointmentChange.Kind.RESCHEDULED,
            actor=actor,
            from_start=previous,
            to_start=start,
            detail=detail,
        )
        audit.record(
            action=audit.Action.CHANGE,
            request=request,
            actor=_staff(actor),
            obj=current,
            patient_id=current.patient_id,
            summary=f"Moved appointment {current.reference}",
        )
        # The patient is told, and the pending reminders move with the appointment (clinic.notifications).
        notifications.appointment_moved(current, previous_start=previous, by_patient=_staff(actor) is None)
        if previous_practitioner != target_id:
            current.practitioner = Practitioner.objects.get(pk=target_id)  # the caller's copy should show it
        return current

    return _with_lock_retries(work)


# --- status (front desk) --------------------------------------------------------------------------------------------


def _change_status(
    *,
    appointment: Appointment,
    to: str,
    allowed_from: tuple[str, ...],
    refused: str,
    actor,
    request,
    check: Callable[[Appointment], None] | None = None,
) -> Appointment:
    def work() -> Appointment:
        current = _lock_and_reload(appointment)
        access.ensure_may_manage(actor, current.practitioner)
        if current.status == to:
            return current
        if current.status not in allowed_from:
            raise NotChangeable(refused)
        if check is not None:
            check(current)
        previous = current.status
        current.status = to
        current.updated_by = _staff(actor)
        current.save(update_fields=["status", "updated_by", "updated_at"])
        if previous in Appointment.BLOCKING_STATUSES and to not in Appointment.BLOCKING_STATUSES:
            resources.sync(current)  # a no-show frees its rooms and equipment as it frees the practitioner
        _record(current, kind=AppointmentChange.Kind.STATUS, actor=actor, from_status=previous, to_status=to)
        audit.record(
            action=audit.Action.CHANGE,
            request=request,
            actor=_staff(actor),
            obj=current,
            patient_id=current.patient_id,
            summary=f"Appointment {current.reference}: {previous} -> {to}",
        )
        return current

    return _with_lock_retries(work)


def check_in(*, appointment: Appointment, actor=None, request=None) -> Appointment:
    """The patient has arrived. Checking in twice changes nothing."""
    return _change_status(
        appointment=appointment,
        to=Appointment.Status.CHECKED_IN,
        allowed_from=(Appointment.Status.BOOKED,),
        refused=_("Only a booked appointment can be checked in."),
        actor=actor,
        request=request,
    )


def complete_appointment(*, appointment: Appointment, actor=None, request=None) -> Appointment:
    return _change_status(
        appointment=appointment,
        to=Appointment.Status.COMPLETED,
        allowed_from=(Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN),
        refused=_("Only a booked or checked-in appointment can be completed."),
        actor=actor,
        request=request,
    )


def mark_no_show(*, appointment: Appointment, actor=None, request=None, now: dt.datetime | None = None) -> Appointment:
    """The patient did not come. Only once the appointment has started; it frees the time (see BLOCKING_STATUSES)."""

    def started(current: Appointment) -> None:
        if current.start > (now or timezone.now()):
            raise NotChangeable(_("A patient can only be marked as a no-show once the appointment has started."))

    return _change_status(
        appointment=appointment,
        to=Appointment.Status.NO_SHOW,
        allowed_from=(Appointment.Status.BOOKED,),
        refused=_("Only a booked appointment can be marked as a no-show."),
        actor=actor,
        request=request,
        check=started,
    )
