"""Slot and time-zone arithmetic: the one place that turns working hours into bookable start times.

Pure functions over plain data (no database): bookings.selectors loads a `Schedule` per practitioner in a fixed
number of queries, and both the availability endpoint and the booking service ask this module.

Rules, all in one place:
- Working hours are wall-clock times in the clinic's zone; start times are on the slot step counted from local
  midnight (09:00, 09:15, ... with a 15-minute step), so they read naturally on every day, DST or not.
- A wall-clock time that does not exist (the hour skipped when clocks go forward) is never offered; one that happens
  twice (clocks go back) is offered twice, once per real instant, each with its own UTC offset.
- Durations are real time: a 60-minute appointment lasts 60 minutes even across a clock change.
- An appointment fits when [start - buffer before, end + buffer after) lies inside the (merged) working hours and
  overlaps no busy interval (another active appointment's blocked range, or time off). Intervals are half-open, so
  back-to-back is allowed.
- Minimum notice counts from now; the horizon is a number of clinic-local days from today (inclusive).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

UTC = dt.UTC
Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Rules:
    zone: ZoneInfo
    min_notice: dt.timedelta
    horizon_days: int
    step_minutes: int

    @classmethod
    def from_practice(cls, practice) -> Rules:
        return cls(
            zone=ZoneInfo(practice.time_zone),
            min_notice=dt.timedelta(minutes=practice.min_notice_minutes),
            horizon_days=practice.horizon_days,
            step_minutes=practice.slot_step_minutes,
        )


@dataclass(frozen=True)
class Footprint:
    """How long an appointment of a type lasts and how much time it blocks around it."""

    duration: dt.timedelta
    before: dt.timedelta = dt.timedelta(0)
    after: dt.timedelta = dt.timedelta(0)

    @classmethod
    def of(cls, appointment_type) -> Footprint:
        return cls(
            duration=dt.timedelta(minutes=appointment_type.duration_minutes),
            before=dt.timedelta(minutes=appointment_type.buffer_before_minutes),
            after=dt.timedelta(minutes=appointment_type.buffer_after_minutes),
        )

    def blocked(self, start: dt.datetime) -> Interval:
        return start - self.before, start + self.duration + self.after


class Schedule:
    """One practitioner's hours and busy time, as loaded by bookings.selectors.load_schedules.

    Busy time is kept as POSIX seconds when loaded in bulk (thousands of appointments load much faster as numbers than
    as datetimes, which dominated the availability time); `busy` gives it as datetimes, and changes to that list count.
    """

    def __init__(
        self,
        weekly: dict[int, list[tuple[dt.time, dt.time]]] | None = None,
        extra: dict[dt.date, list[tuple[dt.time, dt.time]]] | None = None,
        busy: Iterable[Interval] = (),
    ):
        self.weekly = weekly if weekly is not None else {}
        self.extra = extra if extra is not None else {}
        self._busy: list[Interval] = list(busy)
        self.busy_seconds: list[tuple[float, float]] = []

    @property
    def busy(self) -> list[Interval]:
        if self.busy_seconds:
            self._busy.extend(
                (dt.datetime.fromtimestamp(s, UTC), dt.datetime.fromtimestamp(e, UTC)) for s, e in self.busy_seconds
            )
            self.busy_seconds = []
        return self._busy

    def forget(self, start: dt.datetime, end: dt.datetime) -> None:
        """Leave one busy interval out (an appointment being moved does not block itself)."""
        if (start, end) in self.busy:
            self.busy.remove((start, end))


@dataclass(frozen=True, order=True)
class Slot:
    start: dt.datetime
    practitioner_id: int
    end: dt.datetime


class Problem(StrEnum):
    """Why a start time cannot be booked (bookings.services turns these into messages)."""

    PAST = "past"
    OFF_STEP = "off_step"
    NOTICE = "notice"
    HORIZON = "horizon"
    OUTSIDE_HOURS = "outside_hours"
    BUSY = "busy"


# --- time zone arithmetic -------------------------------------------------------------------------------------------


def wall_to_utc(day: dt.date, wall: dt.time, zone: ZoneInfo, *, fold: int = 0) -> dt.datetime | None:
    """The instant a wall-clock time on a day happens, or None if the clocks skip it."""
    local = dt.datetime.combine(day, wall, tzinfo=zone).replace(fold=fold)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def boundary_to_utc(day: dt.date, wall: dt.time, zone: ZoneInfo) -> dt.datetime:
    """Like wall_to_utc for the edge of working hours: a skipped time means the moment the clocks jump."""
    local = dt.datetime.combine(day, wall, tzinfo=zone)
    return local.astimezone(UTC)


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return boundary_to_utc(day, dt.time(0), zone)


def local_date(instant: dt.datetime, zone: ZoneInfo) -> dt.date:
    return instant.astimezone(zone).date()


def days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def candidate_seconds(first: dt.date, last: dt.date, rules: Rules) -> list[float]:
    """Every instant whose clinic wall-clock time is on the slot step, as sorted POSIX seconds, for the days given."""
    found: set[float] = set()
    step = rules.step_minutes
    for day in days(first, last):
        midnight = local_midnight(day, rules.zone)
        next_midnight = local_midnight(day + dt.timedelta(days=1), rules.zone)
        if next_midnight - midnight == dt.timedelta(days=1):
            # No clock change today (nearly every day): plain arithmetic, no per-slot zone lookups.
            base = midnight.timestamp()
            found.update(base + 60 * m for m in range(0, 24 * 60, step))
            continue
        for minute in range(0, 24 * 60, step):
            wall = dt.time(minute // 60, minute % 60)
            for fold in (0, 1):
                instant = wall_to_utc(day, wall, rules.zone, fold=fold)
                if instant is not None:
                    found.add(instant.timestamp())
    return sorted(found)


def candidate_starts(first: dt.date, last: dt.date, rules: Rules) -> list[dt.datetime]:
    """candidate_seconds as UTC datetimes."""
    return [dt.datetime.fromtimestamp(second, UTC) for second in candidate_seconds(first, last, rules)]


def is_on_step(start: dt.datetime, rules: Rules) -> bool:
    local = start.astimezone(rules.zone)
    return local.second == 0 and local.microsecond == 0 and (local.hour * 60 + local.minute) % rules.step_minutes == 0


def booking_window(*, now: dt.datetime, rules: Rules) -> Interval:
    """[earliest start, first instant past the horizon)."""
    today = local_date(now, rules.zone)
    return now + rules.min_notice, local_midnight(today + dt.timedelta(days=rules.horizon_days + 1), rules.zone)


# --- intervals ------------------------------------------------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals; touching ones are joined (working 9-12 and 12-13 is working 9-13)."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def open_intervals(schedule: Schedule, first: dt.date, last: dt.date, zone: ZoneInfo) -> list[Interval]:
    """The practitioner's working time between two local dates, as merged UTC intervals."""
    raw: list[Interval] = []
    for day in days(first, last):
        for start, end in (*schedule.weekly.get(day.weekday(), ()), *schedule.extra.get(day, ())):
            raw.append((boundary_to_utc(day, start, zone), boundary_to_utc(day, end, zone)))
    return merge(raw)


class BusyIndex:
    """Answers "does [a, b) overlap anything busy?" in O(log n) over merged busy intervals (in POSIX seconds)."""

    def __init__(self, busy: Schedule | Iterable[Interval]):
        if isinstance(busy, Schedule):
            seconds = [*((s.timestamp(), e.timestamp()) for s, e in busy._busy), *busy.busy_seconds]
        else:
            seconds = [(s.timestamp(), e.timestamp()) for s, e in busy]
        starts: list[float] = []
        ends: list[float] = []
        for start, end in sorted(seconds):
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        self.starts, self.ends = starts, ends

    def overlaps_seconds(self, start: float, end: float) -> bool:
        i = bisect_right(self.ends, start)  # first busy interval ending after `start` (half-open)
        return i < len(self.starts) and self.starts[i] < end

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.overlaps_seconds(start.timestamp(), end.timestamp())


def _covered(intervals: Sequence[Interval], start: dt.datetime, end: dt.datetime) -> bool:
    i = bisect_right([s for s, _ in intervals], start) - 1
    return i >= 0 and intervals[i][1] >= end


# --- slots ----------------------------------------------------------------------------------------------------------


def compute_slots(
    *,
    schedules: dict[int, Schedule],
    first: dt.date,
    last: dt.date,
    footprint: Footprint,
    rules: Rules,
    now: dt.datetime,
) -> list[Slot]:
    """Every bookable (start, practitioner) between two clinic-local dates (inclusive), sorted by start.

    The inner loop runs once per candidate start per practitioner, so it works in POSIX seconds and builds datetimes
    only for the starts it offers.
    """
    earliest, horizon_end = booking_window(now=now, rules=rules)
    seconds = candidate_seconds(first, last, rules)
    instants: dict[float, dt.datetime] = {}  # built once per start offered, shared by the practitioners
    hits: list[tuple[float, int]] = []
    before = footprint.before.total_seconds()
    span = (footprint.duration + footprint.after).total_seconds()
    earliest_s, horizon_s = earliest.timestamp(), horizon_end.timestamp()
    for practitioner_id, schedule in schedules.items():
        busy = BusyIndex(schedule)
        busy_starts, busy_ends, busy_count = busy.starts, busy.ends, len(busy.starts)
        for open_start, open_end in open_intervals(schedule, first, last, rules.zone):
            lo = max(open_start.timestamp() + before, earliest_s)
            hi = min(open_end.timestamp() - span, horizon_s - 1e-6)
            for i in range(bisect_left(seconds, lo), bisect_right(seconds, hi)):
                start = seconds[i]
                # BusyIndex.overlaps_seconds, inlined: this line runs for every candidate of every practitioner.
                j = bisect_right(busy_ends, start - before)
                if j < busy_count and busy_starts[j] < start + span:
                    continue
                hits.append((start, practitioner_id))
    hits.sort()
    slots: list[Slot] = []
    for start, practitioner_id in hits:
        instant = instants.get(start)
        if instant is None:
            instant = instants[start] = dt.datetime.fromtimestamp(start, UTC)
        slots.append(Slot(start=instant, practitioner_id=practitioner_id, end=instant + footprint.duration))
    return slots


def problem_with(
    start: dt.datetime, *, schedule: Schedule, footprint: Footprint, rules: Rules, now: dt.datetime
) -> Problem | None:
    """Why this one start cannot be booked with this practitioner, checked in the order a patient would care about."""
    earliest, horizon_end = booking_window(now=now, rules=rules)
    if start <= now:
        return Problem.PAST
    if not is_on_step(start, rules):
        return Problem.OFF_STEP
    if start < earliest:
        return Problem.NOTICE
    if start >= horizon_end:
        return Problem.HORIZON
    blocked_start, blocked_end = footprint.blocked(start)
    day = local_date(start, rules.zone)
    hours = open_intervals(schedule, day - dt.timedelta(days=1), day + dt.timedelta(days=1), rules.zone)
    if not _covered(hours, blocked_start, blocked_end):
        return Problem.OUTSIDE_HOURS
    if BusyIndex(schedule).overlaps(blocked_start, blocked_end):
        return Problem.BUSY
    return None


def nearest(slots: Sequence[Slot], target: dt.datetime, *, count: int = 6) -> list[Slot]:
    """The free slots closest in time to the one the patient wanted, in time order (one per start time)."""
    by_start: dict[dt.datetime, Slot] = {}
    for slot in slots:
        by_start.setdefault(slot.start, slot)
    closest = sorted(by_start.values(), key=lambda s: (abs((s.start - target).total_seconds()), s.start))[:count]
    return sorted(closest)
