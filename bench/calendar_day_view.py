"""Benchmark: the front-desk day view with 10 practitioners and 200 appointments that day.

Prints the number of queries and the median (and p90) time to render the page through the whole Django stack
(middleware, session, template), measured in-process with the test client on a throw-away PostgreSQL database, and
the Django process's CPU time per request (less sensitive to other work on the machine).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medius REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/calendar_day_view.py [--runs 50]

Target (issue 4): at most 12 queries, median under 150 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.test_settings")
os.environ.setdefault("MEDIUS_TEST_DB_NAME", "bench_medius_calendar")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def scene():
    from bookings import availability
    from bookings.models import TimeOff
    from clinic.roles import Role
    from clinic.selectors import get_practice
    from tests.factories import (
        AppointmentFactory,
        AppointmentTypeFactory,
        PatientFactory,
        PractitionerFactory,
        UserFactory,
    )

    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.save()
    zone = availability.Rules.from_practice(practice).zone
    day = dt.date.today() + dt.timedelta(days=7)
    types = [AppointmentTypeFactory(name=n, duration_minutes=20) for n in ("Follow-up", "Running analysis", "Rehab")]
    practitioners = [PractitionerFactory(types=types, hours=True) for _ in range(10)]
    patients = PatientFactory.create_batch(120)
    for i, practitioner in enumerate(practitioners):
        TimeOff.objects.create(
            practitioner=practitioner,
            start=availability.wall_to_utc(day, dt.time(16, 30), zone),
            end=availability.wall_to_utc(day, dt.time(17), zone),
        )
        for slot in range(20):
            start = availability.wall_to_utc(day, dt.time(9), zone) + dt.timedelta(minutes=20 * slot)
            AppointmentFactory(
                practitioner=practitioner,
                appointment_type=types[slot % 3],
                patient=patients[(i * 20 + slot) % len(patients)],
                start=start,
                status=["booked", "checked_in", "completed", "no_show"][slot % 4],
            )
    desk = UserFactory(email="bench-desk@clinic.test", role=Role.FRONT_DESK)
    return day, desk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        day, desk = scene()
        client = Client()
        client.force_login(desk)
        url = f"/calendar/?date={day.isoformat()}"
        for _ in range(3):  # warm up templates and connections
            assert client.get(url).status_code == 200
        executed = []

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        appointments = response.content.decode().count('class="cal-appt')
        timings, cpu = [], []
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        timings.sort()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(client.get, url)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        print(f"day view: 10 practitioners, {appointments} appointments, {len(response.content) // 1024} KiB of HTML")
        print(f"queries: {len(executed)} (limit 12)")
        print(
            f"render over {args.runs} runs: median {statistics.median(timings):.1f} ms, "
            f"p90 {timings[int(len(timings) * 0.9) - 1]:.1f} ms, min {timings[0]:.1f} ms (target: median < 150 ms)"
        )
        # Wall time includes waiting for the CPU on a shared machine; CPU time of this process does not (the
        # database's own work runs in the PostgreSQL server and counts only in wall time).
        print(f"CPU time of the Django process: median {statistics.median(cpu):.1f} ms")
        print(f"load average while measuring: {os.getloadavg()[0]:.2f} (2 cores shared with other work)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
