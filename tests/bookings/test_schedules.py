"""Schedules: weekly hours, time off, extra hours and types; changes apply to availability at once, and appointments
that no longer fit are listed, not moved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bookings import selectors
from bookings.models import AppointmentType, ExtraHours, TimeOff, WorkingHours
from tests.factories import AppointmentFactory, PractitionerFactory

from .conftest import at


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


def _hours_post(rows):
    data = {
        "hours-TOTAL_FORMS": str(len(rows)),
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "50",
    }
    for i, (weekday, start, end) in enumerate(rows):
        data |= {f"hours-{i}-weekday": weekday, f"hours-{i}-start_time": start, f"hours-{i}-end_time": end}
    return data


def _starts(practitioner, appointment_type, day):
    slots = selectors.available_slots(
        appointment_type=appointment_type, first=day, last=day, practitioner_id=practitioner.pk
    )
    return {s.start for s in slots}


def test_new_weekly_hours_change_availability_at_once(desk, diary, monday, follow_up):
    assert at(monday, "09:00") in _starts(diary, follow_up, monday)
    response = desk.post(reverse("bookings:schedule", args=[diary.pk]), _hours_post([(0, "13:00", "18:00")]))
    assert response.status_code == 302
    starts = _starts(diary, follow_up, monday)
    assert at(monday, "09:00") not in starts and at(monday, "17:00") in starts
    assert list(WorkingHours.objects.filter(practitioner=diary).values_list("weekday", flat=True)) == [0]


def test_the_page_saves_with_its_empty_extra_rows_left_blank(desk, diary):
    page = desk.get(reverse("bookings:schedule", args=[diary.pk])).content.decode()
    assert 'name="hours-TOTAL_FORMS" value="9"' in page  # the seven days and two empty rows
    data = _hours_post([(d, "08:00", "12:00") for d in range(7)] + [("", "", ""), ("", "", "")])
    data["hours-INITIAL_FORMS"] = "7"  # as the page sends it
    assert desk.post(reverse("bookings:schedule", args=[diary.pk]), data).status_code == 302
    assert WorkingHours.objects.filter(practitioner=diary, start_time="08:00").count() == 7


def test_appointments_outside_new_hours_are_listed_and_not_moved(desk, diary, monday, follow_up):
    early = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "09:30"))
    response = desk.post(
        reverse("bookings:schedule", args=[diary.pk]), _hours_post([(0, "13:00", "18:00")]), follow=True
    )
    page = response.content.decode()
    assert "fall outside the hours" in page
    assert f"/calendar/appointments/{early.pk}/" in page
    early.refresh_from_db()
    assert early.start == at(monday, "09:30")


def test_hours_that_end_before_they_start_are_refused_and_nothing_changes(desk, diary):
    response = desk.post(reverse("bookings:schedule", args=[diary.pk]), _hours_post([(0, "13:00", "12:00")]))
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()
    assert WorkingHours.objects.filter(practitioner=diary).count() == 7


def test_time_off_blocks_availability_and_a_bad_range_is_refused(desk, diary, monday, follow_up):
    url = reverse("bookings:time-off-add", args=[diary.pk])
    bad = desk.post(url, {"off-kind": "holiday", "off-start": f"{monday}T12:00", "off-end": f"{monday}T09:00"})
    assert bad.status_code == 400 and not TimeOff.objects.exists()
    good = desk.post(url, {"off-kind": "holiday", "off-start": f"{monday}T09:00", "off-end": f"{monday}T12:00"})
    assert good.status_code == 302
    starts = _starts(diary, follow_up, monday)
    assert at(monday, "10:00") not in starts and at(monday, "12:00") in starts


def test_extra_hours_open_a_day_and_can_be_removed(desk, diary, monday, follow_up):
    diary.working_hours.filter(weekday=5).delete()
    saturday = monday + dt.timedelta(days=5)
    desk.post(
        reverse("bookings:extra-hours-add", args=[diary.pk]),
        {"extra-date": saturday.isoformat(), "extra-start_time": "09:00", "extra-end_time": "12:00"},
    )
    assert at(saturday, "09:00") in _starts(diary, follow_up, saturday)
    desk.post(reverse("bookings:extra-hours-delete", args=[ExtraHours.objects.get().pk]))
    assert _starts(diary, follow_up, saturday) == set()


def test_a_physio_edits_only_their_own_schedule(client, physio, diary):
    own = PractitionerFactory(user=physio)
    client.force_login(physio)
    assert (
        client.post(reverse("bookings:schedule", args=[diary.pk]), _hours_post([(0, "10:00", "11:00")])).status_code
        == 403
    )
    assert WorkingHours.objects.filter(practitioner=diary).count() == 7
    assert (
        client.post(reverse("bookings:schedule", args=[own.pk]), _hours_post([(0, "10:00", "11:00")])).status_code
        == 302
    )


def test_front_desk_edits_appointment_types_and_physios_cannot(desk, client, physio, diary, follow_up):
    response = desk.post(
        reverse("bookings:type-edit", args=[follow_up.pk]),
        {
            "name": "Follow-up",
            "duration_minutes": 45,
            "buffer_before_minutes": 0,
            "buffer_after_minutes": 5,
            "colour": "#aa3355",
            "online_bookable": "on",
            "is_active": "on",
            "order": 1,
            "practitioners": [diary.pk],
        },
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.duration_minutes, follow_up.colour) == (45, "#aa3355")
    client.force_login(physio)
    assert client.get(reverse("bookings:types")).status_code == 200
    response = client.post(
        reverse("bookings:type-new"), {"name": "Sneaky", "duration_minutes": 30, "colour": "#000000", "order": 1}
    )
    assert response.status_code == 403
    assert not AppointmentType.objects.filter(name="Sneaky").exists()
