"""Redis stopped (a real, private redis-server, killed): patients and the front desk keep booking.

Rate limits fall back to a per-process limiter, and the work that follows a commit (messages, waiting-list offers)
is recorded in the database and relayed to Celery once Redis is back. The flows run with real commits
(transactional_db): the after-commit hand-off to the broker is exactly what used to fail.
"""

from __future__ import annotations

import logging

import pytest
import redis
from django.contrib.auth.models import Group
from django.urls import reverse

from bookings.api import PublicWriteThrottle
from bookings.front_desk_models import WaitlistOffer
from bookings.models import Appointment
from clinic import pending_tasks
from clinic.celery import app as celery_app
from clinic.models import PendingTask
from clinic.roles import STAFF_ROLES, Role
from tests.conftest import wait_until
from tests.factories import AppointmentFactory, PatientFactory, UserFactory
from tests.faults import PrivateRedis

from .conftest import LONDON, at, booking_payload


@pytest.fixture
def roles(transactional_db):
    for role in STAFF_ROLES:  # transactional tests flush the role groups the migrations made
        Group.objects.get_or_create(name=role.value)


def _point_celery_at(url: str) -> None:
    celery_app.conf.broker_url = url
    # Drop the pooled connections to the previous broker.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_redis(settings, monkeypatch):
    """The cache and the broker on a private redis-server that the test may kill (never the shared one)."""
    # Read before anything changes: Celery's configuration reads through to the Django settings.
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    server = PrivateRedis()
    server.start()
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
        }
    }
    monkeypatch.setenv("REDIS_URL", server.url)  # a worker started by the test uses it too
    _point_celery_at(server.url)
    celery_app.conf.task_always_eager = False
    try:
        yield server
    finally:
        server.kill()
        _point_celery_at(previous[0])
        celery_app.conf.task_always_eager = previous[1]
        pending_tasks._broker_down_until = 0.0


def _queued(server: PrivateRedis, queue: str = "celery") -> int:
    return redis.Redis.from_url(server.url).llen(queue)


def test_with_redis_down_patients_and_the_front_desk_keep_booking_and_the_work_waits_in_the_database(
    roles, private_redis, client, diary, initial, follow_up, monday, caplog
):
    desk = UserFactory(email="desk@clinic.test", role=Role.FRONT_DESK, password="a-long-password-1")
    patient = PatientFactory(email="rita@mail.test", consent_email=True)
    booked = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "15:00"))
    private_redis.kill()

    # Public booking through the API: saved, its confirmation recorded for later.
    response = client.post(
        "/api/v1/public/bookings/",
        booking_payload(initial, at(monday, "10:00"), diary),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    # The /book/ form.
    details = {
        "type": initial.pk,
        "practitioner": diary.pk,
        "start": at(monday, "12:00").astimezone(LONDON).isoformat(),
        "first_name": "Zoë",
        "last_name": "Ångström",
        "email": "zoe2@mail.test",
        "phone": "+447911123456",
        "date_of_birth": "1988-04-17",
        "notes": "",
    }
    assert client.post("/book/details/", details).status_code == 302
    # Token sign-in (rate limited through the cache too).
    token = client.post("/api/v1/auth/token/", {"username": "desk@clinic.test", "password": "a-long-password-1"})
    assert token.status_code == 200 and token.json()["token"]
    # The front desk books and cancels on the calendar pages.
    client.force_login(desk)
    booking = {
        "patient": patient.pk,
        "practitioner": diary.pk,
        "appointment_type": follow_up.pk,
        "start": at(monday, "14:00").astimezone(LONDON).strftime("%Y-%m-%dT%H:%M"),
    }
    assert client.post(reverse("bookings:calendar-book"), booking).status_code == 302
    cancel = client.post(reverse("bookings:appointment-cancel", args=[booked.pk]), {"reason": "ill"})
    assert cancel.status_code == 302
    booked.refresh_from_db()
    assert booked.status == "cancelled"
    assert Appointment.objects.filter(status="booked").count() == 3

    waiting = list(PendingTask.objects.values_list("task", flat=True))
    assert "bookings.waitlist_tasks.offer_freed_slot" in waiting
    assert waiting.count("clinic.tasks.send_notification") >= 3  # the confirmations of the three bookings
    assert "broker unavailable" in caplog.text

    # Redis is back: the relay (the beat's task, or a worker starting) hands everything to the broker.
    private_redis.start()
    count = len(waiting)
    assert pending_tasks.relay() == count
    assert not PendingTask.objects.exists()
    assert _queued(private_redis) == count


def test_the_rate_limit_falls_back_to_this_process_and_logs_it(
    roles, private_redis, client, diary, monkeypatch, caplog
):
    from clinic import throttling

    monkeypatch.setattr(throttling.fail_open_cache, "_warned_at", -1e9)
    monkeypatch.setattr(PublicWriteThrottle, "THROTTLE_RATES", {"public_write": "2/minute"})
    private_redis.kill()
    with caplog.at_level(logging.WARNING, logger="clinic.throttling"):
        statuses = [client.post("/api/v1/public/bookings/", {}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    assert "rate-limit cache unavailable (ConnectionError)" in caplog.text


@pytest.mark.celery_worker
def test_a_real_worker_runs_the_waiting_list_offer_recorded_while_redis_was_down(
    smtp_inbox, roles, private_redis, celery_worker_process, client, diary, follow_up, monday
):
    from bookings import waitlist
    from clinic.tasks import relay_pending_tasks

    desk = UserFactory(email="desk@clinic.test", role=Role.FRONT_DESK)
    freed = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    entry = waitlist.add_entry(patient=PatientFactory(email="waiting@mail.test"), appointment_type=follow_up)
    client.force_login(desk)

    private_redis.kill()
    response = client.post(reverse("bookings:appointment-cancel", args=[freed.pk]), {"reason": "ill"})
    assert response.status_code == 302
    assert PendingTask.objects.filter(task="bookings.waitlist_tasks.offer_freed_slot", args=[freed.pk]).exists()
    assert not WaitlistOffer.objects.exists()

    private_redis.start()
    # What the beat does every PENDING_TASKS_RELAY_SECONDS: the worker relays, then runs the offer.
    relay_pending_tasks.delay()
    wait_until(lambda: WaitlistOffer.objects.filter(entry=entry).exists(), 90)
    offer = smtp_inbox.messages(1, timeout=90)[0]
    assert offer["To"] == "waiting@mail.test"
    assert not PendingTask.objects.filter(task="bookings.waitlist_tasks.offer_freed_slot").exists()
