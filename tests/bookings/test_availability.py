"""Slot and time-zone arithmetic (bookings.availability), on plain data: no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bookings.availability import (
    Footprint,
    Problem,
    Rules,
    Schedule,
    compute_slots,
    merge,
    nearest,
    problem_with,
    wall_to_utc,
)

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
RULES = Rules(zone=LONDON, min_notice=dt.timedelta(hours=2), horizon_days=60, step_minutes=15)
NOW = dt.datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
HOUR = Footprint(duration=dt.timedelta(minutes=60))


def t(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def local_times(slots) -> list[str]:
    return [s.start.astimezone(LONDON).strftime("%H:%M") for s in slots]


def every_day(start: str, end: str) -> dict:
    return {day: [(t(start), t(end))] for day in range(7)}


def test_a_day_is_cut_into_start_times_on_the_slot_step_where_the_whole_appointment_fits():
    day = dt.date(2026, 3, 10)
    slots = compute_slots(
        schedules={1: Schedule(weekly=every_day("09:00", "11:00"))},
        first=day,
        last=day,
        footprint=HOUR,
        rules=RULES,
        now=NOW,
    )
    assert local_times(slots) == ["09:00", "09:15", "09:30", "09:45", "10:00"]
    assert all(s.end - s.start == dt.timedelta(hours=1) and s.practitioner_id == 1 for s in slots)


def test_buffers_must_fit_inside_working_hours_too():
    day = dt.date(2026, 3, 10)
    footprint = Footprint(
        duration=dt.timedelta(minutes=60), before=dt.timedelta(minutes=15), after=dt.timedelta(minutes=15)
    )
    slots = compute_slots(
        schedules={1: Schedule(weekly=every_day("09:00", "11:00"))},
        first=day,
        last=day,
        footprint=footprint,
        rules=RULES,
        now=NOW,
    )
    assert local_times(slots) == ["09:15", "09:30", "09:45"]


def test_back_to_back_is_allowed_because_intervals_are_half_open():
    day = dt.date(2026, 3, 10)
    busy = [(wall_to_utc(day, t("10:00"), LONDON), wall_to_utc(day, t("11:00"), LONDON))]
    slots = compute_slots(
        schedules={1: Schedule(weekly=every_day("09:00", "12:00"), busy=busy)},
        first=day,
        last=day,
        footprint=HOUR,
        rules=RULES,
        now=NOW,
    )
    assert local_times(slots) == ["09:00", "11:00"]


def test_an_appointments_buffer_counts_as_busy_time():
    day = dt.date(2026, 3, 10)
    # An existing appointment 10:00-11:00 with a 10-minute buffer after blocks until 11:10.
    busy = [(wall_to_utc(day, t("10:00"), LONDON), wall_to_utc(day, t("11:10"), LONDON))]
    slots = compute_slots(
        schedules={1: Schedule(weekly=every_day("09:00", "13:00"), busy=busy)},
        first=day,
        last=day,
        footprint=HOUR,
        rules=RULES,
        now=NOW,
    )
    assert local_times(slots) == ["09:00", "11:15", "11:30", "11:45", "12:00"]


def test_extra_hours_add_to_the_week_and_touching_intervals_merge():
    day = dt.date(2026, 3, 14)  # a Saturday with no regular hours
    schedule = Schedule(
        weekly={0: [(t("09:00"), t("10:00"))]}, extra={day: [(t("09:00"), t("09:30")), (t("09:30"), t("10:00"))]}
    )
    slots = compute_slots(schedules={1: schedule}, first=day, last=day, footprint=HOUR, rules=RULES, now=NOW)
    assert local_times(slots) == ["09:00"]


def test_time_off_removes_the_hours_it_covers():
    day = dt.date(2026, 3, 10)
    off = [(wall_to_utc(day, t("00:00"), LONDON), wall_to_utc(day + dt.timedelta(days=1), t("00:00"), LONDON))]
    slots = compute_slots(
        schedules={1: Schedule(weekly=every_day("09:00", "17:00"), busy=off)},
        first=day,
        last=day + dt.timedelta(days=1),
        footprint=HOUR,
        rules=RULES,
        now=NOW,
    )
    assert {s.start.astimezone(LONDON).date() for s in slots} == {day + dt.timedelta(days=1)}


def test_nine_oclock_stays_nine_oclock_across_the_spring_clock_change():
    # Clocks go forward at 01:00 UTC on Sunday 29 March 2026.
    before, after = dt.date(2026, 3, 28), dt.date(2026, 3, 30)
    slots = compute_slots(
        schedules={1: Schedule(weekly=every_day("09:00", "10:00"))},
        first=before,
        last=after,
        footprint=HOUR,
        rules=RULES,
        now=NOW,
    )
    assert [s.start for s in slots] == [
        dt.datetime(2026, 3, 28, 9, 0, tzinfo=UTC),  # GMT
        dt.datetime(2026, 3, 29, 8, 0, tzinfo=UTC),  # BST
        dt.datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
    ]
    assert [s.start.astimezone(LONDON).isoformat() for s in slots][1] == "2026-03-29T09:00:00+01:00"


def test_the_hour_skipped_in_spring_is_never_offered_and_durations_are_real_time():
    night = dt.date(2026, 3, 29)
    slots = compute_slots(
        schedules={1: Schedule(weekly={6: [(t("00:00"), t("03:00"))]})},
        first=night,
        last=night,
        footprint=HOUR,
        rules=RULES,
        now=NOW,
    )
    # 00:00-03:00 on the wall is only two real hours; 01:xx does not exist.
    assert local_times(slots) == ["00:00", "00:15", "00:30", "00:45", "02:00"]
    assert slots[-1].end.astimezone(LONDON).strftime("%H:%M") == "03:00"


def test_the_hour_repeated_in_autumn_is_offered_once_per_real_instant():
    night = dt.date(2026, 10, 25)  # clocks go back at 01:00 UTC
    slots = compute_slots(
        schedules={1: Schedule(weekly={6: [(t("01:00"), t("02:00"))]})},
        first=night,
        last=night,
        footprint=Footprint(duration=dt.timedelta(minutes=30)),
        rules=RULES,
        now=dt.datetime(2026, 10, 1, tzinfo=UTC),
    )
    offsets = [s.start.astimezone(LONDON).isoformat() for s in slots]
    assert "2026-10-25T01:00:00+01:00" in offsets and "2026-10-25T01:00:00+00:00" in offsets
    assert len(slots) == len({s.start for s in slots})


def test_minimum_notice_and_horizon_bound_the_offer():
    now = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)
    slots = compute_slots(
        schedules={1: Schedule(weekly=every_day("09:00", "12:00"))},
        first=dt.date(2026, 3, 10),
        last=dt.date(2026, 5, 30),
        footprint=HOUR,
        rules=RULES,
        now=now,
    )
    assert local_times(slots)[0] == "11:00"  # two hours' notice
    assert slots[-1].start.astimezone(LONDON).date() == dt.date(2026, 5, 9)  # today + 60 days


def test_problem_with_names_the_first_reason_a_start_cannot_be_booked():
    day = dt.date(2026, 3, 10)
    schedule = Schedule(
        weekly=every_day("09:00", "17:00"),
        busy=[(wall_to_utc(day, t("14:00"), LONDON), wall_to_utc(day, t("15:00"), LONDON))],
    )

    def problem(start):
        return problem_with(start, schedule=schedule, footprint=HOUR, rules=RULES, now=NOW)

    assert problem(wall_to_utc(day, t("10:00"), LONDON)) is None
    assert problem(NOW - dt.timedelta(hours=1)) is Problem.PAST
    assert problem(wall_to_utc(day, t("10:05"), LONDON)) is Problem.OFF_STEP
    assert problem(NOW + dt.timedelta(minutes=60)) is Problem.NOTICE
    assert problem(wall_to_utc(dt.date(2026, 6, 1), t("10:00"), LONDON)) is Problem.HORIZON
    assert problem(wall_to_utc(day, t("16:30"), LONDON)) is Problem.OUTSIDE_HOURS
    assert problem(wall_to_utc(day, t("13:30"), LONDON)) is Problem.BUSY
    assert problem(wall_to_utc(day, t("13:00"), LONDON)) is None  # ends as the other begins


def test_merge_joins_overlapping_and_touching_intervals():
    a = dt.datetime(2026, 1, 1, 9, tzinfo=UTC)
    h = dt.timedelta(hours=1)
    assert merge([(a + 2 * h, a + 3 * h), (a, a + h), (a + h, a + 2 * h), (a + 5 * h, a + 6 * h)]) == [
        (a, a + 3 * h),
        (a + 5 * h, a + 6 * h),
    ]


def test_nearest_offers_the_closest_free_times_in_time_order():
    day = dt.date(2026, 3, 10)
    slots = compute_slots(
        schedules={1: Schedule(weekly=every_day("09:00", "17:00")), 2: Schedule(weekly=every_day("09:00", "17:00"))},
        first=day,
        last=day,
        footprint=HOUR,
        rules=RULES,
        now=NOW,
    )
    wanted = wall_to_utc(day, t("12:00"), LONDON)
    picked = nearest(slots, wanted, count=3)
    assert local_times(picked) == ["11:45", "12:00", "12:15"]
