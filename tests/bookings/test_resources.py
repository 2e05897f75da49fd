"""Rooms and equipment an appointment type needs are held like the practitioner's time: booked, moved, freed."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings import services
from bookings.models import Appointment, Resource, ResourceBooking
from tests.factories import PatientFactory, PractitionerFactory

from .conftest import LONDON, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def gym(initial):
    gym = Resource.objects.create(name="The gym")
    initial.resources.set([gym])
    return gym


def _book(practitioner, appointment_type, start, **kwargs):
    return services.create_appointment(
        patient=PatientFactory(),
        practitioner=practitioner,
        appointment_type=appointment_type,
        start=start,
        source=Appointment.Source.FRONT_DESK,
        staff_override=True,
        **kwargs,
    )


def test_a_second_practitioner_cannot_use_the_gym_at_the_same_time(diary, initial, gym, monday):
    paula = PractitionerFactory(display_name="Paula", types=[initial], hours=True)
    first = _book(diary, initial, at(monday, "10:00"))
    assert ResourceBooking.objects.get().appointment == first
    with pytest.raises(services.SlotUnavailable, match="The gym is in use at that time"):
        _book(paula, initial, at(monday, "10:30"))
    assert Appointment.objects.count() == 1
    # After the first appointment's blocked range (60 min + 10 min buffer) the gym is free again.
    _book(paula, initial, at(monday, "11:10"))


def test_moving_and_cancelling_move_and_free_the_gym(diary, initial, gym, monday, front_desk):
    paula = PractitionerFactory(display_name="Paula", types=[initial], hours=True)
    first = _book(diary, initial, at(monday, "10:00"))
    services.move_appointment(appointment=first, start=at(monday, "14:00"), actor=front_desk, staff_override=True)
    assert ResourceBooking.objects.get().blocked_start == at(monday, "14:00")
    _book(paula, initial, at(monday, "10:00"))  # the morning is free now
    with pytest.raises(services.SlotUnavailable):
        services.move_appointment(appointment=first, start=at(monday, "10:30"), actor=front_desk, staff_override=True)
    first.refresh_from_db()
    assert first.start == at(monday, "14:00")  # the refused move changed nothing
    services.cancel_appointment(appointment=first, actor=front_desk, reason="ill", staff_override=True)
    assert ResourceBooking.objects.filter(appointment=first).count() == 0


def test_a_type_without_resources_books_as_before(diary, follow_up, monday):
    _book(diary, follow_up, at(monday, "10:00"))
    assert not ResourceBooking.objects.exists()


def test_times_when_the_gym_is_taken_are_not_offered_online_with_any_practitioner(api, diary, initial, gym, monday):
    paula = PractitionerFactory(display_name="Paula", types=[initial], hours=True)
    _book(diary, initial, at(monday, "10:00"))  # holds the gym 10:00-11:10 (60 minutes and a 10-minute buffer)

    slots = api.get(
        "/api/v1/public/availability/", {"appointment_type": initial.pk, "start": monday, "end": monday}
    ).json()["slots"]
    paulas = sorted(
        dt.datetime.fromisoformat(s["start"]).astimezone(LONDON).strftime("%H:%M")
        for s in slots
        if s["practitioner"] == paula.pk
    )
    # A new appointment holds the gym for 70 minutes too: nothing from 08:51 to 11:09 can start for Paula either.
    for taken in ("09:00", "09:45", "10:00", "10:30", "11:00"):
        assert taken not in paulas, taken
    assert paulas[0] == "11:15"


def test_moving_an_appointment_does_not_count_its_own_hold_on_the_gym(diary, initial, gym, monday):
    from bookings import selectors

    first = _book(diary, initial, at(monday, "10:00"))
    slots = selectors.available_slots(
        appointment_type=initial, first=monday, last=monday, practitioner_id=diary.pk, exclude_appointment_id=first.pk
    )
    assert at(monday, "10:00") in {s.start for s in slots}
