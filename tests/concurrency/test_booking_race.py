"""Racing real database connections at one slot (pretix-style): the guard holds, and without it the race is real.

Each thread has its own PostgreSQL connection (Django opens one per thread); a barrier releases them together.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from rest_framework.test import APIClient

from bookings import services
from bookings.models import Appointment
from bookings.services import BookingError
from clinic.roles import STAFF_ROLES
from clinic.selectors import get_practice
from patients.models import Patient
from tests.bookings.conftest import at, booking_payload, next_monday
from tests.factories import AppointmentTypeFactory, PatientFactory, PractitionerFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8


def race(work, n: int = THREADS) -> list:
    """Run work(i) in n threads released at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except BookingError as exc:
            results[i] = exc.code
        except Exception as exc:  # anything else is a failure the test reports
            results[i] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def scene():
    # transactional_db flushes the tables between tests, including the role groups the migrations created.
    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role.value)
    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.save()
    appointment_type = AppointmentTypeFactory(name="Initial assessment", duration_minutes=60, buffer_after_minutes=10)
    practitioner = PractitionerFactory(types=[appointment_type], hours=True)
    return appointment_type, practitioner, at(next_monday(), "10:00")


def _overlapping_pairs() -> int:
    active = list(Appointment.objects.filter(status__in=Appointment.BLOCKING_STATUSES).order_by("blocked_start"))
    return sum(
        1
        for i, a in enumerate(active)
        for b in active[i + 1 :]
        if a.practitioner_id == b.practitioner_id
        and a.blocked_start < b.blocked_end
        and b.blocked_start < a.blocked_end
    )


def test_eight_patients_posting_the_same_slot_at_once_give_one_booking_and_seven_clear_409s(scene):
    appointment_type, practitioner, start = scene

    def post(i: int):
        payload = booking_payload(appointment_type, start, practitioner, email=f"runner{i}@mail.test")
        response = APIClient().post("/api/v1/public/bookings/", payload, format="json")
        return response.status_code, response.json().get("code")

    results = race(post)
    assert Counter(results) == {(201, None): 1, (409, "slot_unavailable"): THREADS - 1}, results
    assert Appointment.objects.count() == 1
    assert Patient.objects.count() == 1  # the losers left no stray patient records
    assert _overlapping_pairs() == 0


def test_anyone_bookings_at_once_fill_each_free_practitioner_exactly_once(scene):
    appointment_type, practitioner, start = scene
    second = PractitionerFactory(types=[appointment_type], hours=True)

    def post(i: int):
        payload = booking_payload(appointment_type, start, email=f"runner{i}@mail.test")
        response = APIClient().post("/api/v1/public/bookings/", payload, format="json")
        return response.status_code

    results = race(post, n=6)
    assert Counter(results) == {201: 2, 409: 4}, results
    assert set(Appointment.objects.values_list("practitioner_id", flat=True)) == {practitioner.pk, second.pk}


def _hold_everyone_after_the_check(monkeypatch, n: int) -> None:
    """Widen the race window: every request passes the "is it free?" check before any of them writes."""
    barrier = threading.Barrier(n)
    original = services._check_slot

    def check_then_wait(**kwargs):
        original(**kwargs)
        barrier.wait(timeout=10)

    monkeypatch.setattr(services, "_check_slot", check_then_wait)


def _book(appointment_type, practitioner, start):
    patients = [PatientFactory() for _ in range(THREADS)]

    def book(i: int):
        return services.create_appointment(
            patient=patients[i],
            practitioner=practitioner,
            appointment_type=appointment_type,
            start=start,
            source=Appointment.Source.FRONT_DESK,
        ).reference

    return book


def test_the_exclusion_constraint_alone_still_lets_only_one_through(scene, monkeypatch):
    appointment_type, practitioner, start = scene
    monkeypatch.setattr(services, "lock_practitioner", lambda practitioner_id: None)
    _hold_everyone_after_the_check(monkeypatch, THREADS)

    results = race(_book(appointment_type, practitioner, start))
    assert results.count("slot_unavailable") == THREADS - 1, results
    assert Appointment.objects.count() == 1


@pytest.fixture
def without_the_constraint():
    constraint = next(c for c in Appointment._meta.constraints if c.name == "appointment_no_overlap")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Appointment, constraint)
    yield
    Appointment.objects.all().delete()  # the double bookings this test made would stop the constraint coming back
    with connection.schema_editor() as editor:
        editor.add_constraint(Appointment, constraint)


def test_control_without_lock_or_constraint_the_same_slot_is_booked_several_times(
    scene, monkeypatch, without_the_constraint
):
    appointment_type, practitioner, start = scene
    monkeypatch.setattr(services, "lock_practitioner", lambda practitioner_id: None)
    _hold_everyone_after_the_check(monkeypatch, THREADS)

    results = race(_book(appointment_type, practitioner, start))
    assert all(isinstance(r, str) and r.startswith("MD-") for r in results), results
    assert Appointment.objects.filter(start=start).count() == THREADS
    assert _overlapping_pairs() == THREADS * (THREADS - 1) // 2


def test_a_lock_held_too_long_becomes_a_clear_409_not_a_hang(scene, monkeypatch):
    from bookings import db

    appointment_type, practitioner, start = scene
    monkeypatch.setattr(db, "LOCK_TIMEOUT_MS", 200)
    monkeypatch.setattr(services, "LOCK_ATTEMPTS", 2)
    held = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                db.lock_practitioner(practitioner.pk)
                held.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert held.wait(timeout=10)
        started = dt.datetime.now()
        payload = booking_payload(appointment_type, start, practitioner)
        response = APIClient().post("/api/v1/public/bookings/", payload, format="json")
        waited = dt.datetime.now() - started
    finally:
        release.set()
        holder.join(timeout=10)
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"
    assert "try again" in response.json()["detail"]
    assert waited < dt.timedelta(seconds=3)
    assert not Appointment.objects.exists() and not Patient.objects.exists()
