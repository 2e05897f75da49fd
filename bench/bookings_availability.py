"""Availability and booking speed with a busy practice (issue 3).

10 practitioners, 2,000 booked appointments in the window; availability for 14 days, one type, any practitioner:
median time in-process (the selector alone, and the whole GET through Django) and the number of SQL queries; then the
median of a booking POST. Runs on its own throw-away PostgreSQL database; Celery tasks go to a private Redis queue
that is deleted afterwards (the time to queue them is measured, the emails are not sent).

    DJANGO_SETTINGS_MODULE=clinic.test_settings MEDIUS_TEST_DB_NAME=test_medius_bookings_bench \
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/medius REDIS_URL=redis://127.0.0.1:6379/2 \
      .venv/bin/python bench/bookings_availability.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.test_settings")
os.environ.setdefault("MEDIUS_TEST_DB_NAME", "test_medius_bookings_bench")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

PRACTITIONERS = 10
APPOINTMENTS = 2000
DAYS = 14
RUNS = 30


def build_scene():
    from django.contrib.auth.models import Group

    from bookings import availability, links
    from bookings.models import Appointment, AppointmentType, Practitioner, WorkingHours
    from clinic.models import User
    from clinic.roles import Role
    from clinic.selectors import get_practice
    from patients.models import Patient

    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.save()
    zone = availability.Rules.from_practice(practice).zone
    initial = AppointmentType.objects.create(name="Initial assessment", duration_minutes=60, buffer_after_minutes=10)
    follow_up = AppointmentType.objects.create(name="Follow-up", duration_minutes=30)
    physio_group = Group.objects.get(name=Role.PHYSIO.value)
    patient = Patient.objects.create(first_name="Bench", last_name="Patient", date_of_birth=dt.date(1980, 1, 1))
    first = timezone.now().astimezone(zone).date() + dt.timedelta(days=1)
    practitioners = []
    for i in range(PRACTITIONERS):
        user = User.objects.create_user(f"physio{i}@bench.test")
        user.groups.add(physio_group)
        practitioner = Practitioner.objects.create(user=user, display_name=f"Physio {i}")
        practitioner.appointment_types.set([initial, follow_up])
        WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=practitioner, weekday=d, start_time=dt.time(8), end_time=dt.time(20))
            for d in range(7)
        )
        practitioners.append(practitioner)
    # 2,000 follow-ups spread over 140 practitioner-days: 14 or 15 of the 24 half-hours of each day, picked at random
    # (fixed seed), so the free time is scattered as in a busy week.
    rng = random.Random(3)
    days = [(day, practitioner) for day in range(DAYS) for practitioner in practitioners]
    per_day = [APPOINTMENTS // len(days) + (1 if i < APPOINTMENTS % len(days) else 0) for i in range(len(days))]
    appointments = []
    for (day, practitioner), count in zip(days, per_day, strict=True):
        for half_hour in sorted(rng.sample(range(24), count)):
            wall = dt.time(8 + half_hour // 2, 30 * (half_hour % 2))
            start = availability.wall_to_utc(first + dt.timedelta(days=day), wall, zone)
            nonce = f"bench-{len(appointments)}"
            appointments.append(
                Appointment(
                    reference=f"MD-B{len(appointments):05d}",
                    patient=patient,
                    practitioner=practitioner,
                    appointment_type=follow_up,
                    start=start,
                    end=start + dt.timedelta(minutes=30),
                    blocked_start=start,
                    blocked_end=start + dt.timedelta(minutes=30),
                    source="front_desk",
                    manage_nonce=nonce,
                    manage_token_hash=links.hash_token(links.token_for(nonce)),
                )
            )
    Appointment.objects.bulk_create(appointments)
    return practice, initial, first


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


class Timer:
    """Wall-clock and this process's CPU time: on a shared, busy machine the CPU figure shows what the code costs."""

    def __init__(self):
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall.append(time.perf_counter() - self._wall)
        self.cpu.append(time.process_time() - self._cpu)

    def __str__(self) -> str:
        return f"median {median_ms(self.wall):.1f} ms wall ({median_ms(self.cpu):.1f} ms CPU in this process)"


def main() -> None:
    from bookings import selectors
    from bookings.models import Appointment
    from clinic.celery import app

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queue = f"bench-bookings-{os.getpid()}"
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        practice, initial, first = build_scene()
        last = first + dt.timedelta(days=DAYS - 1)
        booked = Appointment.objects.filter(start__date__gte=first - dt.timedelta(days=1)).count()
        print(f"scene: {PRACTITIONERS} practitioners, {booked} booked appointments, {DAYS} days from {first}")

        timer, slots = Timer(), []
        for _ in range(RUNS):
            with timer:
                slots = selectors.available_slots(appointment_type=initial, first=first, last=last, practice=practice)
        with CaptureQueriesContext(connection) as selector_queries:
            selectors.available_slots(appointment_type=initial, first=first, last=last, practice=practice)
        print(
            f"availability selector: {timer} over {RUNS} runs, "
            f"{len(selector_queries.captured_queries)} queries, {len(slots)} slots"
        )

        client = Client()
        url = f"/api/v1/public/availability/?appointment_type={initial.pk}&start={first}&end={last}"
        timer = Timer()
        for _ in range(RUNS):
            with timer:
                response = client.get(url)
            assert response.status_code == 200, response.content
        with CaptureQueriesContext(connection) as request_queries:
            client.get(url)
        print(
            f"GET /api/v1/public/availability/ (14 days, any practitioner): {timer}, "
            f"{len(request_queries.captured_queries)} queries"
        )

        free = slots[:: max(1, len(slots) // RUNS)][:RUNS]
        timer = Timer()
        for i, slot in enumerate(free):
            payload = {
                "appointment_type": initial.pk,
                "practitioner": slot.practitioner_id,
                "start": slot.start.isoformat(),
                "patient": {
                    "first_name": "Runner",
                    "last_name": f"Number {i}",
                    "email": f"runner{i}@bench.test",
                    "phone": "+447911123456",
                    "date_of_birth": "1990-05-01",
                },
            }
            with timer:
                response = client.post("/api/v1/public/bookings/", payload, content_type="application/json")
            assert response.status_code == 201, response.content
        print(f"POST /api/v1/public/bookings/: {timer} over {len(timer.wall)} bookings")
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
