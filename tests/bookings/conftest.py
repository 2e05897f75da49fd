"""The scene for booking tests: a practice in London, two online types, a physio working 09:00-17:00 every day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bookings import availability
from clinic.selectors import get_practice
from tests.factories import AppointmentTypeFactory, PractitionerFactory

LONDON = ZoneInfo("Europe/London")


def next_monday(weeks_ahead: int = 1) -> dt.date:
    """A Monday comfortably outside minimum notice and the cut-off, and inside the 60-day horizon."""
    today = timezone.now().astimezone(LONDON).date()
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7) + dt.timedelta(weeks=weeks_ahead)


def at(day: dt.date, wall: str) -> dt.datetime:
    """The instant a London wall-clock time happens on a day."""
    return availability.wall_to_utc(day, dt.time.fromisoformat(wall), LONDON)


@pytest.fixture
def practice(db):
    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.email = "hello@practice.test"
    practice.save()
    return practice


@pytest.fixture
def initial(db):
    return AppointmentTypeFactory(name="Initial assessment", duration_minutes=60, buffer_after_minutes=10)


@pytest.fixture
def follow_up(db):
    return AppointmentTypeFactory(name="Follow-up", duration_minutes=30)


@pytest.fixture
def staff_only(db):
    return AppointmentTypeFactory(name="Shockwave", duration_minutes=30, online_bookable=False)


@pytest.fixture
def diary(practice, initial, follow_up, staff_only):
    """Phil the physio: 09:00-17:00 every day, offering every type."""
    return PractitionerFactory(display_name="Phil Physio", types=[initial, follow_up, staff_only], hours=True)


@pytest.fixture
def monday():
    return next_monday()


def booking_payload(appointment_type, start: dt.datetime, practitioner=None, **patient) -> dict:
    payload = {
        "appointment_type": appointment_type.pk,
        "start": start.astimezone(LONDON).isoformat(),
        "patient": {
            "first_name": "Zoë",
            "last_name": "Ångström",
            "email": "zoe@mail.test",
            "phone": "+447911123456",
            "date_of_birth": "1988-04-17",
            **patient,
        },
        "notes": "Left knee hurts after 10 km.",
    }
    if practitioner is not None:
        payload["practitioner"] = practitioner.pk
    return payload
