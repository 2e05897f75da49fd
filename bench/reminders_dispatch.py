"""Benchmark: 10,000 due reminders dispatched by one Celery worker to a local SMTP sink.

A throw-away PostgreSQL database gets N due reminder rows; one real `celery worker` (prefork pool, 6 processes by
default: sending waits on the database and the mail server as much as it computes) consumes from Redis (db 8 unless
MEDIUS_BENCH_REDIS_URL says otherwise); one dispatch_notifications task is queued, as the beat would; the clock runs
until the SMTP sink (aiosmtpd on loopback) has accepted every message and every row says sent.
Each message is a real reminder: an appointment in the database, rendered by bookings' renderer with its .ics.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medius .venv/bin/python bench/reminders_dispatch.py \
        [--count 10000] [--concurrency 6] [--pool prefork|threads]

Target (issue 7): under 60 s, each message delivered exactly once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.test_settings")
os.environ["MEDIUS_TEST_DB_NAME"] = "bench_medius_reminders"
os.environ["REDIS_URL"] = os.environ.get("MEDIUS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def due_rows(count: int) -> str:
    """`count` booked appointments over the coming weeks (50 diaries, half-hour slots), each with one email reminder
    due now: the real bookings renderer writes each one (templates, the .ics, the private link) when it is sent."""
    from bookings import links
    from bookings.models import Appointment, AppointmentType, Practitioner
    from bookings.notifications import SUBJECT_TYPE
    from clinic.models import Notification, User
    from clinic.selectors import get_practice
    from patients.models import Patient

    practice = get_practice()
    practice.name, practice.email, practice.time_zone = "Bench Running Physio", "hello@bench.test", "Europe/London"
    practice.save()
    follow_up = AppointmentType.objects.create(name="Follow-up", duration_minutes=30)
    diaries = []
    for i in range(50):
        user = User.objects.create_user(f"physio{i}@bench.test", first_name="Physio", last_name=str(i))
        diaries.append(Practitioner.objects.create(user=user, display_name=f"Physio {i}"))
    patients = Patient.objects.bulk_create(
        Patient(
            first_name=f"Runner{i}", last_name="Bench", date_of_birth=dt.date(1990, 1, 1), email=f"runner{i}@mail.test"
        )
        for i in range(count)
    )
    first = (timezone.now() + dt.timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    appointments = []
    for i, patient in enumerate(patients):
        start = first + dt.timedelta(minutes=30 * (i // len(diaries)))
        nonce = f"bench-{i}"
        appointments.append(
            Appointment(
                reference=f"MD-B{i:05d}",
                patient=patient,
                practitioner=diaries[i % len(diaries)],
                appointment_type=follow_up,
                start=start,
                end=start + dt.timedelta(minutes=30),
                blocked_start=start,
                blocked_end=start + dt.timedelta(minutes=30),
                source=Appointment.Source.FRONT_DESK,
                manage_nonce=nonce,
                manage_token_hash=links.hash_token(links.token_for(nonce)),
            )
        )
    Appointment.objects.bulk_create(appointments, batch_size=2000)
    due = timezone.now() - dt.timedelta(minutes=1)
    Notification.objects.bulk_create(
        (
            Notification(
                subject_type=SUBJECT_TYPE,
                subject_id=str(a.pk),
                subject_label=a.reference,
                patient_id=a.patient_id,
                kind="reminder",
                channel="email",
                recipient=a.patient.email,
                due_at=due,
                next_attempt_at=due,
            )
            for a in appointments
        ),
        batch_size=2000,
    )
    return "bookings' reminder renderer (3 templates, .ics, private link; one UPDATE per message)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--pool", default="prefork", choices=["prefork", "threads"])
    parser.add_argument("--concurrency", type=int, default=6, help="processes (prefork) or threads of the one worker")
    args = parser.parse_args()

    from clinic import tasks
    from clinic.celery import app
    from clinic.models import Notification
    from tests.clinic.notifications_support import SmtpServer

    setup_test_environment()
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    worker = None
    try:
        what = due_rows(args.count)
        connection.close()
        with SmtpServer() as sink:
            env = {
                **os.environ,
                "MEDIUS_TEST_WORKER_DB": connection.settings_dict["NAME"],
                "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            }
            worker = subprocess.Popen(  # noqa: S603 (fixed argv)
                [
                    sys.executable, "-m", "celery", "-A", "clinic", "worker", f"--pool={args.pool}",
                    f"--concurrency={args.concurrency}", "--loglevel=WARNING",
                    "--without-heartbeat", "--without-gossip", "--without-mingle",
                ],
                env=env,
                cwd=ROOT,
            )  # fmt: skip
            deadline = time.monotonic() + 60
            while not app.control.ping(timeout=0.5):
                if time.monotonic() > deadline:
                    raise SystemExit("the worker did not start")
            started = time.perf_counter()
            sink_cpu = time.process_time()  # this process runs the SMTP sink (the bench itself only polls)
            tasks.dispatch_notifications.delay()
            while sink.handler.delivered < args.count:
                time.sleep(0.05)
                if time.perf_counter() - started > 300:
                    break
            delivered_at = time.perf_counter() - started
            while Notification.objects.filter(status=Notification.Status.SENT).count() < args.count:
                time.sleep(0.05)
                if time.perf_counter() - started > 300:
                    break
            recorded_at = time.perf_counter() - started
            sink_cpu = time.process_time() - sink_cpu
            counts = sink.handler.counts
            duplicates = sum(1 for c in counts.values() if c > 1)
        sent = Notification.objects.filter(status=Notification.Status.SENT).count()
        # A warm shutdown reaps the pool's processes, so their CPU time reaches us through the worker.
        worker.terminate()
        worker.wait(timeout=60)
        worker_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker_cpu = worker_cpu.ru_utime + worker_cpu.ru_stime
        print(f"messages: {args.count} due reminders, rendered by {what}")
        batch = os.environ.get("NOTIFICATIONS_BATCH_SIZE", 200)
        print(f"worker: one celery worker, pool {args.pool}, concurrency {args.concurrency}, batches of {batch}")
        print(
            f"delivered to the SMTP sink: {sink.handler.delivered} in {delivered_at:.1f} s, all recorded sent: {sent}"
        )
        print(f"elapsed until every row said sent: {recorded_at:.1f} s ({args.count / recorded_at:.0f} messages/s)")
        print(f"duplicates at the server: {duplicates} (target: 0); target time: under 60 s")
        print(
            f"CPU: worker {worker_cpu:.1f} s including its start-up ({1000 * worker_cpu / args.count:.1f} ms per "
            f"message), SMTP sink {sink_cpu:.1f} s; load average {os.getloadavg()[0]:.1f} (2 cores, shared)"
        )
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
