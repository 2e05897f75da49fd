"""Reads for the front-desk calendar: the day grid (one column per practitioner) and the week grid (one practitioner).

A grid is laid out in clinic wall-clock minutes (09:00 is minute 540), so the template positions blocks with plain
numbers. Everything a day view needs comes in a fixed number of queries, whatever the number of practitioners or
appointments (tests/bookings/test_calendar_queries.py): practitioners, weekly hours, extra hours, time off,
appointments (with patient and type) and appointment types.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.selectors import get_practice

from . import availability
from .models import (
    Appointment,
    AppointmentChange,
    AppointmentType,
    ExtraHours,
    Practitioner,
    TimeOff,
    WorkingHours,
)
from .selectors import load_schedules

DEFAULT_OPEN = 8 * 60  # the grid's range when nobody works that day
DEFAULT_CLOSE = 18 * 60
DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class CalendarAppointment:
    """What the grid shows of an appointment: read as plain values (200 model instances with their patient and type
    cost more than the rest of the day view, bench/calendar_day_view.py)."""

    pk: int
    practitioner_id: int
    start: dt.datetime
    end: dt.datetime
    status: str
    first_name: str
    last_name: str
    type_name: str
    colour: str
    patient_id: int | None = None  # for the audit trail: one entry per patient the calendar shows


@dataclass
class Block:
    appointment: CalendarAppointment
    top: int  # minutes from the grid's first minute
    height: int
    lane: int = 0
    lanes: int = 1
    may_manage: bool = False

    @property
    def initials(self) -> str:
        return patient_initials(self.appointment)


@dataclass
class Shade:
    top: int
    height: int
    kind: str  # "closed" (outside working hours) or "off" (time off)
    label: str = ""


@dataclass
class Column:
    practitioner: Practitioner
    day: dt.date
    blocks: list[Block] = field(default_factory=list)
    shades: list[Shade] = field(default_factory=list)
    # (top, start as a datetime-local value, "09:15") of each clickable time; strings made once here, not per render.
    slots: list[tuple[int, str, str]] = field(default_factory=list)
    may_manage: bool = False
    now_top: int | None = None  # the current-time line, on today's column
    items_html: str = ""  # free times and appointments in time order, markup made by bookings.calendar_html


@dataclass
class Grid:
    days: list[dt.date]
    columns: list[Column]
    first_minute: int
    last_minute: int
    step: int
    zone: ZoneInfo
    hours: list[tuple[int, str]]  # (top, "09:00") labels
    types: list[AppointmentType]

    @property
    def height(self) -> int:
        return self.last_minute - self.first_minute

    def patient_ids(self) -> list[int | None]:
        return [block.appointment.patient_id for column in self.columns for block in column.blocks]


def patient_initials(patient) -> str:
    """patient: anything with first_name and last_name (a Patient, a CalendarAppointment)."""
    return "".join(part[:1].upper() for part in (patient.first_name, patient.last_name) if part) or "?"


def calendar_practitioners() -> QuerySet[Practitioner]:
    return Practitioner.objects.filter(is_active=True).order_by("order", "display_name", "id")


def _wall_minutes(instant: dt.datetime, day: dt.date, zone: ZoneInfo) -> int:
    """Minutes from the day's local midnight on the wall clock (clipped to the day)."""
    local = instant.astimezone(zone)
    if local.date() < day:
        return 0
    if local.date() > day:
        return DAY_MINUTES
    return local.hour * 60 + local.minute


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _lanes(blocks: list[Block]) -> None:
    """Side by side where blocks overlap (a no-show and the walk-in booked in its place)."""
    blocks.sort(key=lambda b: (b.top, -b.height))
    cluster: list[Block] = []
    cluster_end = -1
    lane_ends: list[int] = []

    def close() -> None:
        for b in cluster:
            b.lanes = len(lane_ends)

    for block in blocks:
        if block.top >= cluster_end and cluster:
            close()
            cluster, lane_ends = [], []
        for i, end in enumerate(lane_ends):
            if end <= block.top:
                block.lane, lane_ends[i] = i, block.top + block.height
                break
        else:
            block.lane = len(lane_ends)
            lane_ends.append(block.top + block.height)
        cluster.append(block)
        cluster_end = max(cluster_end, block.top + block.height)
    if cluster:
        close()


def _keep_bookable_slots(column: Column, *, height: int, step: int) -> None:
    """Free times only where something could be booked: a link over booked time, time off or closed hours told a
    screen reader "book at 09:15" over an appointment, and hid the focused slot under its block. A time must start in
    working hours (the last one may run past closing, 23:45 when the day ends at 23:59) and touch no appointment or
    time off."""
    closed = bytearray(height + step)
    taken = bytearray(height + step)
    for shade in column.shades:
        target = taken if shade.kind == "off" else closed
        target[shade.top : shade.top + shade.height] = b"\x01" * shade.height
    for block in column.blocks:
        if block.appointment.status in Appointment.BLOCKING_STATUSES:
            taken[block.top : block.top + block.height] = b"\x01" * block.height
    column.slots = [slot for slot in column.slots if not closed[slot[0]] and not any(taken[slot[0] : slot[0] + step])]


def build_grid(
    *,
    practitioners: list[Practitioner],
    days: list[dt.date],
    zone: ZoneInfo,
    step: int,
    now: dt.datetime,
    may_manage=lambda practitioner_id: True,
    show_cancelled: bool = False,
) -> Grid:
    """One column per (practitioner, day): the day view passes many practitioners and one day, the week view one
    practitioner and seven days."""
    ids = [p.pk for p in practitioners]
    first, last = days[0], days[-1]
    lo = availability.local_midnight(first, zone)
    hi = availability.local_midnight(last + dt.timedelta(days=1), zone)

    weekly: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for pid, weekday, start, end in WorkingHours.objects.filter(
        practitioner_id__in=ids, weekday__in={d.weekday() for d in days}
    ).values_list("practitioner_id", "weekday", "start_time", "end_time"):
        weekly[pid, weekday].append((_minutes(start), _minutes(end)))
    extra: dict[tuple[int, dt.date], list[tuple[int, int]]] = defaultdict(list)
    for pid, day, start, end in ExtraHours.objects.filter(
        practitioner_id__in=ids, date__gte=first, date__lte=last
    ).values_list("practitioner_id", "date", "start_time", "end_time"):
        extra[pid, day].append((_minutes(start), _minutes(end)))
    time_off = list(
        TimeOff.objects.filter(practitioner_id__in=ids, start__lt=hi, end__gt=lo).only(
            "practitioner_id", "start", "end", "kind", "note"
        )
    )
    statuses = [s for s in Appointment.Status if show_cancelled or s != Appointment.Status.CANCELLED]
    appointments = [
        CalendarAppointment(*row)
        for row in Appointment.objects.filter(practitioner_id__in=ids, start__lt=hi, end__gt=lo, status__in=statuses)
        .order_by("start", "id")
        .values_list(
            "id",
            "practitioner_id",
            "start",
            "end",
            "status",
            "patient__first_name",
            "patient__last_name",
            "appointment_type__name",
            "appointment_type__colour",
            "patient_id",
        )
    ]
    types = list(AppointmentType.objects.filter(is_active=True))

    # The grid spans everyone's hours and every appointment shown, on whole hours.
    opens, closes = [], []
    for p in practitioners:
        for day in days:
            for start, end in (*weekly.get((p.pk, day.weekday()), ()), *extra.get((p.pk, day), ())):
                opens.append(start)
                closes.append(end)
    for a in appointments:
        day = availability.local_date(a.start, zone)
        opens.append(_wall_minutes(a.start, day, zone))
        closes.append(_wall_minutes(a.end, day, zone) or DAY_MINUTES)
    first_minute = (min(opens, default=DEFAULT_OPEN) // 60) * 60
    last_minute = min(DAY_MINUTES, -(-max(closes, default=DEFAULT_CLOSE) // 60) * 60)
    if last_minute <= first_minute:
        first_minute, last_minute = DEFAULT_OPEN, DEFAULT_CLOSE

    columns: dict[tuple[int, dt.date], Column] = {}
    ordered: list[Column] = []
    for p in practitioners:
        for day in days:
            column = Column(practitioner=p, day=day, may_manage=may_manage(p.pk))
            columns[p.pk, day] = column
            ordered.append(column)
            hours = availability.merge(
                (
                    dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=s),
                    dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=e),
                )
                for s, e in (*weekly.get((p.pk, day.weekday()), ()), *extra.get((p.pk, day), ()))
            )
            cursor = first_minute
            midnight = dt.datetime.combine(day, dt.time())
            for start, end in hours:
                s, e = int((start - midnight).total_seconds() // 60), int((end - midnight).total_seconds() // 60)
                if s > cursor:
                    column.shades.append(Shade(cursor - first_minute, s - cursor, "closed"))
                cursor = max(cursor, e)
            if cursor < last_minute:
                column.shades.append(Shade(cursor - first_minute, last_minute - cursor, "closed"))
            iso_day = day.isoformat()
            for minute in range(first_minute, last_minute, step):
                wall = f"{minute // 60:02d}:{minute % 60:02d}"
                if availability.wall_to_utc(day, dt.time(minute // 60, minute % 60), zone) is not None:
                    column.slots.append((minute - first_minute, f"{iso_day}T{wall}", wall))

    for off in time_off:
        for day in days:
            column = columns.get((off.practitioner_id, day))
            if column is None:
                continue
            top = max(_wall_minutes(off.start, day, zone), first_minute)
            bottom = min(_wall_minutes(off.end, day, zone), last_minute)
            if bottom > top:
                column.shades.append(Shade(top - first_minute, bottom - top, "off", off.get_kind_display()))

    for a in appointments:
        day = availability.local_date(a.start, zone)
        column = columns.get((a.practitioner_id, day))
        if column is None:
            continue
        top = _wall_minutes(a.start, day, zone)
        bottom = _wall_minutes(a.end, day, zone) or DAY_MINUTES
        column.blocks.append(
            Block(
                appointment=a,
                top=top - first_minute,
                height=max(bottom - top, step // 2 or 1),
                may_manage=column.may_manage,
            )
        )
    for column in ordered:
        _lanes(column.blocks)
        _keep_bookable_slots(column, height=last_minute - first_minute, step=step)

    today = availability.local_date(now, zone)
    minute = _wall_minutes(now, today, zone)
    for column in ordered:
        if column.day == today and first_minute <= minute < last_minute:
            column.now_top = minute - first_minute
    hours = [(m - first_minute, f"{m // 60:02d}:00") for m in range(first_minute, last_minute, 60)]
    return Grid(
        days=days,
        columns=ordered,
        first_minute=first_minute,
        last_minute=last_minute,
        step=step,
        zone=zone,
        hours=hours,
        types=types,
    )


def week_days(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=i) for i in range(7)]


def day_list(*, practitioner: Practitioner, day: dt.date, zone: ZoneInfo) -> list[Appointment]:
    """The printable list: a practitioner's appointments that day, cancelled ones left out."""
    lo = availability.local_midnight(day, zone)
    hi = availability.local_midnight(day + dt.timedelta(days=1), zone)
    return list(
        Appointment.objects.filter(practitioner=practitioner, start__gte=lo, start__lt=hi)
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("patient", "appointment_type")
        .order_by("start", "id")
    )


def rule_warning(
    *,
    practitioner_id: int,
    appointment_type: AppointmentType,
    start: dt.datetime,
    moving: Appointment | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Why online patients could not book this time (staff may, after confirming), or "" when they could.

    A clash with another appointment is not a warning: the booking service refuses it whoever asks.
    """
    rules = availability.Rules.from_practice(get_practice())
    day = availability.local_date(start, rules.zone)
    schedule = load_schedules(practitioner_ids=[practitioner_id], first=day, last=day, zone=rules.zone)[practitioner_id]
    if moving is not None and (moving.blocked_start, moving.blocked_end) in schedule.busy:
        schedule.busy.remove((moving.blocked_start, moving.blocked_end))
    problem = availability.problem_with(
        start,
        schedule=schedule,
        footprint=availability.Footprint.of(appointment_type),
        rules=rules,
        now=now or timezone.now(),
    )
    Problem = availability.Problem
    return {
        None: "",
        Problem.BUSY: "",
        Problem.PAST: _("That time is in the past."),
        Problem.OFF_STEP: _("That time is not on the usual %(step)d-minute steps.") % {"step": rules.step_minutes},
        Problem.NOTICE: _("That is shorter notice than online bookings allow."),
        Problem.HORIZON: _("That is further ahead than online bookings allow."),
        Problem.OUTSIDE_HOURS: _("That time is outside the practitioner's working hours."),
    }[problem]


def changes_since(*, day: dt.date, zone, since: dt.datetime, limit: int = 20) -> list[AppointmentChange]:
    """Changes made after `since` to appointments on `day` (clinic time), or moved away from it, newest first."""
    first = availability.local_midnight(day, zone)
    last = availability.local_midnight(day + dt.timedelta(days=1), zone)
    on_day = Q(appointment__start__gte=first, appointment__start__lt=last) | Q(
        from_start__gte=first, from_start__lt=last
    )
    return list(
        AppointmentChange.objects.filter(on_day, at__gt=since)
        .select_related("appointment__practitioner", "appointment__appointment_type")
        .order_by("-at", "-id")[:limit]
    )
