"""Writes to practitioners' schedules and to appointment types (issue 4), and the read that follows each change.

Split out of bookings.services (already past the ~400-line mark). Availability is computed from these rows on every
request (bookings.selectors.load_schedules), so a change takes effect at once; nothing is cached. Appointments that
no longer fit the new hours are listed for the front desk (appointments_outside_hours), never moved silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import audit
from clinic.selectors import practice_zone

from . import access, availability
from .db import lock_practitioner
from .models import Appointment, AppointmentType, ExtraHours, Practitioner, TimeOff, WorkingHours

OUTSIDE_HOURS_LOOKAHEAD = dt.timedelta(days=365)


@dataclass(frozen=True)
class Hours:
    weekday: int
    start_time: dt.time
    end_time: dt.time


def _check_times(start: dt.time | dt.datetime, end: dt.time | dt.datetime, field: str = "end_time") -> None:
    if end <= start:
        raise ValidationError({field: [_("The end must be after the start.")]})


def replace_weekly_hours(*, practitioner: Practitioner, hours: list[Hours], actor, request=None) -> list[Appointment]:
    """Replace the regular week; returns the upcoming appointments that now fall outside the hours."""
    access.ensure_may_manage(actor, practitioner)
    for h in hours:
        if not 0 <= h.weekday <= 6:
            raise ValidationError({"weekday": [_("Choose a day of the week.")]})
        _check_times(h.start_time, h.end_time)
    with transaction.atomic():
        # Bookings check hours under this lock: no booking sees half of the old week and half of the new.
        lock_practitioner(practitioner.pk)
        WorkingHours.objects.filter(practitioner=practitioner).delete()
        WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=practitioner, weekday=h.weekday, start_time=h.start_time, end_time=h.end_time)
            for h in hours
        )
        audit.record(
            action=audit.Action.CHANGE,
            request=request,
            actor=actor,
            obj=practitioner,
            summary=f"Weekly hours of {practitioner.display_name}",
            detail={"hours": [[h.weekday, f"{h.start_time:%H:%M}", f"{h.end_time:%H:%M}"] for h in hours]},
        )
    return appointments_outside_hours(practitioner)


def add_time_off(
    *, practitioner: Practitioner, start: dt.datetime, end: dt.datetime, kind: str, note: str = "", actor, request=None
) -> TimeOff:
    access.ensure_may_manage(actor, practitioner)
    _check_times(start, end, "end")
    if kind not in TimeOff.Kind.values:
        raise ValidationError({"kind": [_("Choose a kind of time off.")]})
    with transaction.atomic():
        lock_practitioner(practitioner.pk)
        time_off = TimeOff.objects.create(practitioner=practitioner, start=start, end=end, kind=kind, note=note[:200])
        audit.record(
            action=audit.Action.CREATE, request=request, actor=actor, obj=time_off, summary=f"Time off {time_off}"
        )
    return time_off


def delete_time_off(*, time_off: TimeOff, actor, request=None) -> None:
    access.ensure_may_manage(actor, time_off.practitioner)
    with transaction.atomic():
        audit.record(
            action=audit.Action.DELETE, request=request, actor=actor, obj=time_off, summary=f"Time off {time_off}"
        )
        time_off.delete()


def add_extra_hours(
    *, practitioner: Practitioner, date: dt.date, start_time: dt.time, end_time: dt.time, actor, request=None
) -> ExtraHours:
    access.ensure_may_manage(actor, practitioner)
    _check_times(start_time, end_time)
    with transaction.atomic():
        lock_practitioner(practitioner.pk)
        extra = ExtraHours.objects.create(
            practitioner=practitioner, date=date, start_time=start_time, end_time=end_time
        )
        audit.record(
            action=audit.Action.CREATE, request=request, actor=actor, obj=extra, summary=f"Extra hours {extra}"
        )
    return extra


def delete_extra_hours(*, extra: ExtraHours, actor, request=None) -> list[Appointment]:
    access.ensure_may_manage(actor, extra.practitioner)
    practitioner = extra.practitioner
    with transaction.atomic():
        audit.record(
            action=audit.Action.DELETE, request=request, actor=actor, obj=extra, summary=f"Extra hours {extra}"
        )
        extra.delete()
    return appointments_outside_hours(practitioner)


def save_appointment_type(
    *,
    appointment_type: AppointmentType | None = None,
    practitioners=None,
    resources=None,
    actor,
    request=None,
    **fields,
) -> AppointmentType:
    """Create or change a type. Existing appointments keep the length and buffers they were booked with."""
    access.ensure_manages_all(actor)
    appointment_type = appointment_type or AppointmentType()
    for name, value in fields.items():
        setattr(appointment_type, name, value)
    appointment_type.full_clean()
    with transaction.atomic():
        created = appointment_type.pk is None
        appointment_type.save()
        if practitioners is not None:
            appointment_type.practitioners.set(practitioners)
        if resources is not None:
            # Applies to appointments booked or moved from now on; existing ones keep what they hold.
            appointment_type.resources.set(resources)
        audit.record(
            action=audit.Action.CREATE if created else audit.Action.CHANGE,
            request=request,
            actor=actor,
            obj=appointment_type,
            summary=f"Appointment type {appointment_type.name}",
        )
    return appointment_type


# --- reads ----------------------------------------------------------------------------------------------------------


def appointments_outside_hours(practitioner: Practitioner, *, now: dt.datetime | None = None) -> list[Appointment]:
    """Upcoming active appointments that no longer fit the practitioner's hours or overlap their time off."""
    now = now or timezone.now()
    zone = practice_zone()
    upcoming = list(
        Appointment.objects.filter(
            practitioner=practitioner,
            status__in=(Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN),
            end__gt=now,
            start__lt=now + OUTSIDE_HOURS_LOOKAHEAD,
        )
        .select_related("patient", "appointment_type")
        .order_by("start")
    )
    if not upcoming:
        return []
    first = availability.local_date(upcoming[0].start, zone) - dt.timedelta(days=1)
    last = availability.local_date(upcoming[-1].end, zone) + dt.timedelta(days=1)
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, start, end in WorkingHours.objects.filter(practitioner=practitioner).values_list(
        "weekday", "start_time", "end_time"
    ):
        weekly.setdefault(weekday, []).append((start, end))
    extra: dict[dt.date, list[tuple[dt.time, dt.time]]] = {}
    for day, start, end in ExtraHours.objects.filter(
        practitioner=practitioner, date__gte=first, date__lte=last
    ).values_list("date", "start_time", "end_time"):
        extra.setdefault(day, []).append((start, end))
    schedule = availability.Schedule(weekly=weekly, extra=extra)
    open_hours = availability.open_intervals(schedule, first, last, zone)
    off = availability.BusyIndex(
        TimeOff.objects.filter(practitioner=practitioner, end__gt=now).values_list("start", "end")
    )
    outside = []
    for appointment in upcoming:
        covered = any(s <= appointment.blocked_start and appointment.blocked_end <= e for s, e in open_hours)
        if not covered or off.overlaps(appointment.start, appointment.end):
            outside.append(appointment)
    return outside
