"""Recurring appointments: every week at the same wall-clock time for N weeks; clashes are skipped and listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bookings import series
from bookings.models import Appointment
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import LONDON, at

pytestmark = pytest.mark.django_db


def _post(client, patient, diary, initial, start, weeks):
    return client.post(
        reverse("bookings:calendar-book"),
        {
            "patient": patient.pk,
            "appointment_type": initial.pk,
            "practitioner": diary.pk,
            "start": start.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M"),
            "repeat_weeks": weeks,
            "notes": "",
        },
        follow=True,
    )


def test_six_weeks_skipping_a_clash_and_listing_it(persona_client, diary, initial, monday):
    patient = PatientFactory(last_name="Weekly")
    AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday + dt.timedelta(weeks=2), "10:00"))
    response = _post(persona_client("front_desk"), patient, diary, initial, at(monday, "10:00"), 6)
    assert response.status_code == 200
    booked = list(Appointment.objects.filter(patient=patient).order_by("start"))
    assert len(booked) == 5
    assert [a.start for a in booked] == [at(monday + dt.timedelta(weeks=w), "10:00") for w in (0, 1, 3, 4, 5)]
    page = response.content.decode()
    assert "Booked 5 weekly appointments" in page
    assert "Not booked (clash):" in page and (monday + dt.timedelta(weeks=2)).strftime("%d %b") in page


def test_the_wall_clock_time_holds_across_a_clock_change():
    first = dt.datetime(2026, 10, 20, 8, 0, tzinfo=LONDON)  # BST; the clocks go back on 25 October
    starts = series.weekly_starts(first, 3, LONDON)
    assert [s.astimezone(LONDON).strftime("%d %H:%M") for s in starts] == ["20 08:00", "27 08:00", "03 08:00"]
    assert starts[1] - starts[0] == dt.timedelta(weeks=1, hours=1)


def test_when_every_week_clashes_nothing_is_booked_and_the_form_says_so(persona_client, diary, initial, monday):
    for week in range(2):
        AppointmentFactory(
            practitioner=diary, appointment_type=initial, start=at(monday + dt.timedelta(weeks=week), "10:00")
        )
    patient = PatientFactory()
    response = _post(persona_client("front_desk"), patient, diary, initial, at(monday, "10:00"), 2)
    assert response.status_code == 409
    assert "None of these weeks is free" in response.content.decode()
    assert not Appointment.objects.filter(patient=patient).exists()


def test_too_many_weeks_is_a_field_error(persona_client, diary, initial, monday):
    response = _post(persona_client("front_desk"), PatientFactory(), diary, initial, at(monday, "10:00"), 52)
    assert response.status_code == 400
    assert not Appointment.objects.exists()
