"""Reads shared by the pages, the API, the services and the tasks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connections
from django.db.models import DateField, FloatField, Func, IntegerField, Prefetch, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from clinic.selectors import get_practice

from . import availability, links
from .availability import Footprint, Rules, Schedule, Slot
from .models import Appointment, AppointmentType, ExtraHours, Practitioner, ResourceBooking, TimeOff, WorkingHours


class Epoch(Func):
    """A timestamp as POSIX seconds (a float): far cheaper to load in bulk than datetimes."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Stored as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; julianday keeps the fraction of a second.
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra
        )


# Busy time is loaded this far around the requested days, so buffers and appointments crossing midnight count.
_MARGIN = dt.timedelta(days=1)


def online_appointment_types() -> QuerySet[AppointmentType]:
    return AppointmentType.objects.filter(is_active=True, online_bookable=True)


def offered_online_types() -> QuerySet[AppointmentType]:
    """Online types that some active practitioner offers (the booking page lists only what can be booked)."""
    return online_appointment_types().filter(
        pk__in=Practitioner.appointment_types.through.objects.filter(
            practitioner__is_active=True, practitioner__user__is_active=True
        ).values("appointmenttype_id")
    )


def online_practitioners() -> QuerySet[Practitioner]:
    """Active practitioners who offer at least one online type, each with the ids of those types prefetched."""
    return (
        Practitioner.objects.filter(
            is_active=True,
            user__is_active=True,
            pk__in=Practitioner.appointment_types.through.objects.filter(
                appointmenttype__is_active=True, appointmenttype__online_bookable=True
            ).values("practitioner_id"),
        )
        .prefetch_related(
            # Only the online types: a staff-only type is none of the public's business.
            _online_types_prefetch()
        )
        .order_by("order", "display_name", "id")
    )


def _online_types_prefetch() -> Prefetch:
    return Prefetch("appointment_types", queryset=online_appointment_types().only("id"), to_attr="online_types")


def practitioners_offering(appointment_type: AppointmentType, practitioner_id: int | None = None) -> list[int]:
    practitioners = Practitioner.objects.filter(
        is_active=True, user__is_active=True, appointment_types=appointment_type
    )
    if practitioner_id is not None:
        practitioners = practitioners.filter(pk=practitioner_id)
    return list(practitioners.order_by("order", "display_name", "id").values_list("id", flat=True))


def load_schedules(*, practitioner_ids: Iterable[int], first: dt.date, last: dt.date, zone) -> dict[int, Schedule]:
    """Hours and busy time of some practitioners between two local dates, in two queries whatever their number.

    One UNION query reads regular and extra hours, another reads active appointments and time off.
    """
    ids = list(practitioner_ids)
    schedules = {pid: Schedule() for pid in ids}
    if not ids:
        return schedules
    lo = availability.local_midnight(first, zone) - _MARGIN
    hi = availability.local_midnight(last + dt.timedelta(days=1), zone) + _MARGIN

    no_date = Cast(Value(None), output_field=DateField())
    weekly = (
        WorkingHours.objects.filter(practitioner_id__in=ids)
        .annotate(day=no_date)
        .values_list("practitioner_id", "weekday", "day", "start_time", "end_time")
        .order_by()
    )
    extra = (
        ExtraHours.objects.filter(
            practitioner_id__in=ids, date__gte=first - dt.timedelta(days=1), date__lte=last + dt.timedelta(days=1)
        )
        .annotate(no_weekday=Value(-1, output_field=IntegerField()))
        .values_list("practitioner_id", "no_weekday", "date", "start_time", "end_time")
        .order_by()
    )
    for pid, weekday, day, start, end in weekly.union(extra, all=True):
        target = (
            schedules[pid].extra.setdefault(day, [])
            if day is not None
            else schedules[pid].weekly.setdefault(weekday, [])
        )
        target.append((start, end))

    appointments = (
        Appointment.objects.filter(
            practitioner_id__in=ids,
            status__in=Appointment.BLOCKING_STATUSES,
            blocked_start__lt=hi,
            blocked_end__gt=lo,
        )
        .annotate(s=Epoch("blocked_start"), e=Epoch("blocked_end"))
        .values_list("practitioner_id", "s", "e")
        .order_by()
    )
    time_off = (
        TimeOff.objects.filter(practitioner_id__in=ids, start__lt=hi, end__gt=lo)
        .annotate(s=Epoch("start"), e=Epoch("end"))
        .values_list("practitioner_id", "s", "e")
        .order_by()
    )
    # Thousands of rows of plain numbers: read them straight from the cursor, skipping Django's per-row converters.
    busy = appointments.union(time_off, all=True)
    sql, params = busy.query.get_compiler(using=busy.db).as_sql()
    with connections[busy.db].cursor() as cursor:
        cursor.execute(sql, params)
        for pid, start, end in cursor.fetchall():
            # Rounded to the millisecond: SQLite's julianday arithmetic is off by microseconds, which would turn
            # back-to-back appointments into overlaps.
            schedules[pid].busy_seconds.append((round(float(start), 3), round(float(end), 3)))
    return schedules


def available_slots(
    *,
    appointment_type: AppointmentType,
    first: dt.date,
    last: dt.date,
    practitioner_id: int | None = None,
    practice=None,
    now: dt.datetime | None = None,
    exclude_appointment_id: int | None = None,
) -> list[Slot]:
    """Bookable slots for a type between two clinic-local dates (inclusive): 4 queries (+1 without `practice`).

    exclude_appointment_id: when moving an appointment, its own current time does not count as busy.
    """
    practice = practice or get_practice()
    rules = Rules.from_practice(practice)
    ids = practitioners_offering(appointment_type, practitioner_id)
    schedules = load_schedules(practitioner_ids=ids, first=first, last=last, zone=rules.zone)
    if exclude_appointment_id is not None:
        _forget(schedules, exclude_appointment_id)
    _hold_resources(
        schedules,
        appointment_type=appointment_type,
        first=first,
        last=last,
        zone=rules.zone,
        exclude_appointment_id=exclude_appointment_id,
    )
    return availability.compute_slots(
        schedules=schedules,
        first=first,
        last=last,
        footprint=Footprint.of(appointment_type),
        rules=rules,
        now=now or timezone.now(),
    )


def _hold_resources(
    schedules: dict[int, Schedule],
    *,
    appointment_type: AppointmentType,
    first: dt.date,
    last: dt.date,
    zone,
    exclude_appointment_id: int | None = None,
) -> None:
    """A room or piece of equipment the type needs is busy for every practitioner while another appointment holds it
    (bookings.resources), so such times are not offered. One query, none of it when the type needs nothing."""
    if not schedules:
        return
    lo = availability.local_midnight(first, zone) - _MARGIN
    hi = availability.local_midnight(last + dt.timedelta(days=1), zone) + _MARGIN
    held = ResourceBooking.objects.filter(
        resource__appointment_types=appointment_type, blocked_start__lt=hi, blocked_end__gt=lo
    )
    if exclude_appointment_id is not None:
        held = held.exclude(appointment_id=exclude_appointment_id)
    rows = held.annotate(s=Epoch("blocked_start"), e=Epoch("blocked_end")).values_list("s", "e").order_by()
    for start, end in rows:
        interval = (round(float(start), 3), round(float(end), 3))
        for schedule in schedules.values():
            schedule.busy_seconds.append(interval)


def _forget(schedules: dict[int, Schedule], appointment_id: int) -> None:
    appointment = Appointment.objects.filter(pk=appointment_id).values_list(
        "practitioner_id", "blocked_start", "blocked_end", "status"
    )
    for pid, start, end, status in appointment:
        if pid in schedules and status in Appointment.BLOCKING_STATUSES:
            schedules[pid].forget(start, end)


def days_with_room(slots: Iterable[Slot], zone) -> dict[dt.date, int]:
    """How many distinct start times each clinic-local day offers."""
    starts: dict[dt.date, set[dt.datetime]] = defaultdict(set)
    for slot in slots:
        starts[availability.local_date(slot.start, zone)].add(slot.start)
    return {day: len(times) for day, times in starts.items()}


def appointment_for_token(token: str) -> Appointment | None:
    """The appointment a private link opens, or None when the link is unknown or has expired (appointment over)."""
    appointment = (
        Appointment.objects.select_related("patient", "practitioner", "appointment_type")
        .filter(manage_token_hash=links.hash_token(token))
        .first()
    )
    if appointment is None or appointment.end <= timezone.now():
        return None
    if not links.is_current(token, appointment.manage_nonce):
        return None  # issued under a SECRET_KEY that has since been rotated
    return appointment


def manage_url(appointment: Appointment) -> str:
    return links.url_for(appointment)


def patient_appointments(patient_id: int) -> dict:
    """For the patient page: upcoming and past appointments, and how often the patient did not come."""
    now = timezone.now()
    appointments = list(
        Appointment.objects.filter(patient_id=patient_id)
        .select_related("practitioner", "appointment_type")
        .order_by("start")
    )
    return {
        "upcoming": [a for a in appointments if a.end > now and a.status != Appointment.Status.CANCELLED],
        "past": [a for a in reversed(appointments) if a.end <= now or a.status == Appointment.Status.CANCELLED],
        "no_show_count": sum(1 for a in appointments if a.status == Appointment.Status.NO_SHOW),
    }
