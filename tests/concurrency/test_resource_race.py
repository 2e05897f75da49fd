"""Rooms and equipment: two practitioners' patients racing for the one treadmill at the same time get one booking
(the exclusion constraint on resource bookings), and without the constraint the race really double-books it."""

from __future__ import annotations

import pytest
from django.db import connection

from bookings import services
from bookings.models import Appointment, Resource, ResourceBooking
from tests.factories import AppointmentTypeFactory, PatientFactory, PractitionerFactory

from .test_booking_race import THREADS, race, scene  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def treadmill(scene):  # noqa: F811
    _type, _practitioner, start = scene
    treadmill = Resource.objects.create(name="Treadmill", kind=Resource.Kind.EQUIPMENT)
    gait = AppointmentTypeFactory(name="Gait analysis", duration_minutes=45)
    gait.resources.set([treadmill])
    # One practitioner per racer: only the treadmill can make them clash.
    practitioners = [PractitionerFactory(types=[gait], hours=True) for _ in range(THREADS)]
    patients = [PatientFactory() for _ in range(THREADS)]

    def book(i: int):
        return services.create_appointment(
            patient=patients[i],
            practitioner=practitioners[i],
            appointment_type=gait,
            start=start,
            source=Appointment.Source.FRONT_DESK,
            staff_override=True,
        ).reference

    return treadmill, book


def _overlapping_resource_pairs() -> int:
    rows = list(ResourceBooking.objects.order_by("blocked_start"))
    return sum(
        1
        for i, a in enumerate(rows)
        for b in rows[i + 1 :]
        if a.resource_id == b.resource_id and a.blocked_start < b.blocked_end and b.blocked_start < a.blocked_end
    )


def test_eight_bookings_racing_for_one_treadmill_give_one(treadmill):
    _treadmill, book = treadmill
    results = race(book)
    assert results.count("slot_unavailable") == THREADS - 1, results
    assert Appointment.objects.count() == 1 and ResourceBooking.objects.count() == 1
    assert _overlapping_resource_pairs() == 0


@pytest.fixture
def without_the_resource_constraint():
    constraint = next(c for c in ResourceBooking._meta.constraints if c.name == "resource_no_overlap")
    with connection.schema_editor() as editor:
        editor.remove_constraint(ResourceBooking, constraint)
    yield
    ResourceBooking.objects.all().delete()
    with connection.schema_editor() as editor:
        editor.add_constraint(ResourceBooking, constraint)


def test_control_without_the_constraint_the_treadmill_is_double_booked(treadmill, without_the_resource_constraint):
    _treadmill, book = treadmill
    results = race(book)
    assert all(isinstance(r, str) and r.startswith("MD-") for r in results), results
    assert _overlapping_resource_pairs() == THREADS * (THREADS - 1) // 2
