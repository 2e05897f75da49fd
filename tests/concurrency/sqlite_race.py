"""Run by test_booking_race_sqlite.py in a fresh process: the same race on SQLite, as `make run` uses it.

Prints a JSON summary. SQLite has no exclusion constraint; BEGIN IMMEDIATE transactions (clinic/settings.py)
serialise the writers, so the check inside bookings.services cannot be raced.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading

import django

THREADS = 8


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bookings import availability, services
    from bookings.models import Appointment, AppointmentType, Practitioner, WorkingHours
    from clinic.models import User
    from clinic.selectors import get_practice
    from patients.models import Patient

    assert connection.vendor == "sqlite", connection.vendor
    call_command("migrate", verbosity=0)
    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.save()
    appointment_type = AppointmentType.objects.create(name="Initial assessment", duration_minutes=60)
    user = User.objects.create_user("physio@race.test")
    practitioner = Practitioner.objects.create(user=user, display_name="Phil")
    practitioner.appointment_types.add(appointment_type)
    for day in range(7):
        WorkingHours.objects.create(practitioner=practitioner, weekday=day, start_time=dt.time(9), end_time=dt.time(17))
    today = dt.datetime.now(dt.UTC).date()
    day = today + dt.timedelta(days=(7 - today.weekday()) % 7 + 7)
    start = availability.wall_to_utc(day, dt.time(10), availability.Rules.from_practice(practice).zone)
    connection.close()

    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            appointment = services.book_online(
                appointment_type_id=appointment_type.pk,
                practitioner_id=practitioner.pk,
                start=start,
                patient=services.PatientDetails(
                    first_name="Runner", last_name=str(i), email=f"r{i}@mail.test", date_of_birth=dt.date(1990, 1, 1)
                ),
            )
            results[i] = "booked" if isinstance(appointment, Appointment) else "replay"
        except services.BookingError as exc:
            results[i] = exc.code
        except Exception as exc:
            results[i] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # SQLite reads busy time through julianday arithmetic: back-to-back must still be offered.
    from bookings import selectors

    offered = {
        slot.start
        for slot in selectors.available_slots(
            appointment_type=appointment_type, first=day, last=day, practitioner_id=practitioner.pk
        )
    }
    json.dump(
        {
            "back_to_back_offered": start + dt.timedelta(hours=1) in offered,
            "overlap_offered": start + dt.timedelta(minutes=45) in offered,
            "results": results,
            "appointments": Appointment.objects.count(),
            "patients": Patient.objects.count(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
