"""The calendar grid: columns, positions in wall-clock minutes, shading, side-by-side blocks, the current-time line."""

from __future__ import annotations

import datetime as dt
import re

from bookings import calendar as cal
from bookings.models import Appointment, ExtraHours, TimeOff
from tests.factories import AppointmentFactory, PractitionerFactory

from .conftest import LONDON, at


def _grid(practitioners, days, now=None):
    return cal.build_grid(
        practitioners=practitioners,
        days=days,
        zone=LONDON,
        step=15,
        now=now or at(days[0], "06:00") - dt.timedelta(days=3),
    )


def test_the_day_view_has_one_column_per_practitioner_spanning_their_hours(diary, monday, initial):
    other = PractitionerFactory(display_name="Paula", types=[initial])
    ExtraHours.objects.create(practitioner=other, date=monday, start_time=dt.time(7, 30), end_time=dt.time(12))
    grid = _grid([diary, other], [monday])
    assert [c.practitioner for c in grid.columns] == [diary, other]
    assert (grid.first_minute, grid.last_minute) == (7 * 60, 17 * 60)
    # Paula works 07:30-12:00 only: shaded before and after; Phil is shaded 07:00-09:00.
    assert [(s.top, s.height, s.kind) for s in grid.columns[1].shades] == [(0, 30, "closed"), (300, 300, "closed")]
    assert [(s.top, s.height) for s in grid.columns[0].shades] == [(0, 120)]
    # Free times only inside working hours: Phil's first is 09:00, Paula's last 11:45.
    assert grid.columns[0].slots[0] == (120, f"{monday.isoformat()}T09:00", "09:00")
    assert len(grid.columns[0].slots) == 8 * 4
    assert grid.columns[1].slots[-1] == (285, f"{monday.isoformat()}T11:45", "11:45")


def test_no_free_time_is_offered_over_an_appointment_or_time_off(diary, monday, follow_up):
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "11:00"), status=Appointment.Status.NO_SHOW
    )
    TimeOff.objects.create(practitioner=diary, start=at(monday, "13:00"), end=at(monday, "14:00"), kind="training")
    walls = [wall for _top, _value, wall in _grid([diary], [monday]).columns[0].slots]
    assert "09:45" in walls and "10:30" in walls
    assert "10:00" not in walls and "10:15" not in walls  # booked
    assert "11:00" in walls  # a no-show frees its time for a walk-in
    assert not {"13:00", "13:15", "13:30", "13:45"} & set(walls)  # time off
    assert "08:45" not in walls and "17:00" not in walls  # closed


def test_the_markup_lists_a_column_in_time_order_and_names_the_state(diary, monday, follow_up):
    from bookings import calendar_html

    booked = AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"), patient__first_name="Rita"
    )
    day = calendar_html.attach_markup(_grid([diary], [monday])).columns[0].items_html
    starts = [int(top) for top in re.findall(r'data-top="(\d+)"', day)]
    assert starts == sorted(starts)
    assert "09:45, free: book with Phil Physio" in day
    assert day.index("09:45, free") < day.index(f'id="appt-{booked.pk}"') < day.index("10:30, free")
    assert ", Booked</span>" in day

    week = calendar_html.attach_markup(_grid([diary], cal.week_days(monday)), week=True).columns[0].items_html
    assert f"{monday:%A} {monday.day} {monday:%B} 09:45, free: book" in week
    assert f'<span class="visually-hidden">{monday:%A} {monday.day} {monday:%B} </span>' in week


def test_appointments_sit_at_their_wall_clock_time_and_overlaps_share_the_width(diary, monday, follow_up):
    booked = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    no_show = AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "11:00"), status=Appointment.Status.NO_SHOW
    )
    walk_in = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "11:15"))
    grid = _grid([diary], [monday])
    blocks = {b.appointment.pk: b for b in grid.columns[0].blocks}
    first = grid.first_minute
    assert (blocks[booked.pk].top, blocks[booked.pk].height, blocks[booked.pk].lanes) == (600 - first, 30, 1)
    assert (blocks[no_show.pk].lane, blocks[no_show.pk].lanes) == (0, 2)
    assert (blocks[walk_in.pk].lane, blocks[walk_in.pk].lanes) == (1, 2)


def test_cancelled_appointments_are_hidden_unless_asked_for(diary, monday, follow_up):
    AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"), status=Appointment.Status.CANCELLED
    )
    assert _grid([diary], [monday]).columns[0].blocks == []
    shown = cal.build_grid(
        practitioners=[diary], days=[monday], zone=LONDON, step=15, now=at(monday, "08:00"), show_cancelled=True
    )
    assert len(shown.columns[0].blocks) == 1


def test_time_off_is_shaded_with_its_kind(diary, monday):
    TimeOff.objects.create(practitioner=diary, start=at(monday, "13:00"), end=at(monday, "15:00"), kind="training")
    shades = [s for s in _grid([diary], [monday]).columns[0].shades if s.kind == "off"]
    assert [(s.top, s.height, s.label) for s in shades] == [(13 * 60 - 9 * 60, 120, "Training")]


def test_time_off_over_several_days_shades_each_day_of_the_week_view(diary, monday):
    TimeOff.objects.create(
        practitioner=diary, start=at(monday, "00:00"), end=at(monday + dt.timedelta(days=2), "00:00")
    )
    grid = _grid([diary], cal.week_days(monday))
    off_days = [c.day for c in grid.columns if any(s.kind == "off" for s in c.shades)]
    assert off_days == [monday, monday + dt.timedelta(days=1)]


def test_the_week_view_has_seven_days_from_monday(diary, monday):
    grid = _grid([diary], cal.week_days(monday + dt.timedelta(days=3)))
    assert [c.day for c in grid.columns] == [monday + dt.timedelta(days=i) for i in range(7)]


def test_the_current_time_line_is_drawn_on_todays_column_only(diary, monday):
    grid = _grid([diary], cal.week_days(monday), now=at(monday + dt.timedelta(days=1), "10:30"))
    lines = {c.day: c.now_top for c in grid.columns if c.now_top is not None}
    assert lines == {monday + dt.timedelta(days=1): 10 * 60 + 30 - grid.first_minute}


def test_a_day_nobody_works_still_shows_a_default_grid(diary, monday):
    diary.working_hours.all().delete()
    grid = _grid([diary], [monday])
    assert (grid.first_minute, grid.last_minute) == (cal.DEFAULT_OPEN, cal.DEFAULT_CLOSE)
    assert [s.kind for s in grid.columns[0].shades] == ["closed"]


def test_patient_initials_use_first_and_last_name(diary, monday):
    appointment = AppointmentFactory(
        practitioner=diary, start=at(monday, "10:00"), patient__first_name="Zoë", patient__last_name="ångström"
    )
    assert cal.patient_initials(appointment.patient) == "ZÅ"
