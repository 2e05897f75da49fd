"""Fixtures for every test: personas for access checks (healthchecks-style) and API clients.

Personas: admin, physio, front desk, a staff account with no role (the outsider: someone with a login who is not
part of this practice's staff), and anonymous.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from clinic.roles import Role

from .factories import UserFactory


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    private = {**settings.STORAGES["private"], "OPTIONS": {"location": tmp_path / "private"}}
    settings.STORAGES = {**settings.STORAGES, "private": private}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Tests use the real Redis cache: delete this run's keys (its own prefix, never the whole db) before each test,
    so that throttle counters never carry from one test to the next."""
    from django.conf import settings
    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCache

    from clinic.throttling import fail_open_cache

    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    fail_open_cache.reset()  # the per-process fallback limiter used while Redis is down


@pytest.fixture
def admin_user(db):
    return UserFactory(email="admin@clinic.test", first_name="Ada", role=Role.ADMIN)


@pytest.fixture
def physio(db):
    return UserFactory(email="physio@clinic.test", first_name="Phil", role=Role.PHYSIO)


@pytest.fixture
def other_physio(db):
    return UserFactory(email="physio2@clinic.test", first_name="Paula", role=Role.PHYSIO)


@pytest.fixture
def front_desk(db):
    return UserFactory(email="desk@clinic.test", first_name="Fran", role=Role.FRONT_DESK)


@pytest.fixture
def outsider(db):
    """Signed in, but holds no role in this practice."""
    return UserFactory(email="outsider@elsewhere.test", first_name="Otto")


PERSONAS = ("anonymous", "outsider", "front_desk", "physio", "admin_user")


@pytest.fixture
def persona_client(request, db):
    """A function persona -> logged-in django.test.Client."""

    def make(name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return make


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    return _api()


@pytest.fixture
def physio_api(physio):
    return _api(physio)


@pytest.fixture
def front_desk_api(front_desk):
    return _api(front_desk)


@pytest.fixture
def admin_api(admin_user):
    return _api(admin_user)


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """A real Celery worker (a separate process) consuming from Redis and using the test database.

    Use with transactional_db (data must be committed for the worker to see it). Tasks queued by the test process go
    through Redis; eager mode is switched off for the duration.
    """
    import os
    import subprocess
    import sys
    import time

    from django.db import connection

    from clinic.celery import app

    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.test_settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIUS_TEST_WORKER_DB": connection.settings_dict["NAME"],
        # The worker writes files (PDFs) where the test reads them: the test's temporary media folder.
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_ROOT": str(settings.STORAGES["private"]["OPTIONS"]["location"]),
        # Tasks the worker itself queues (e.g. an email after an offer) go to the same private queue.
        "MEDIUS_TEST_CELERY_QUEUE": queue,
    }
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    proc = subprocess.Popen(  # noqa: S603 (fixed argv, no user input)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "clinic",
            "worker",
            "--pool=prefork",  # as in production: each task in a forked process
            "--concurrency=2",
            "--loglevel=WARNING",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            replies = app.control.ping(timeout=0.5)
            if replies:
                break
        else:
            raise RuntimeError("the Celery worker did not start within 30 s")
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        app.conf.task_always_eager, app.conf.task_default_queue = previous


class SmtpInbox:
    """What a real SMTP server on loopback received: aiosmtpd envelopes (.rcpt_tos, .content) in arrival order."""

    def __init__(self):
        import threading

        self._lock = threading.Lock()
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        with self._lock:
            self.envelopes.append(envelope)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 60.0) -> list:
        """The first `count` envelopes, once they have arrived (a worker sends them in its own time)."""
        return wait_until(lambda: len(self.envelopes) >= count and list(self.envelopes), timeout)

    def messages(self, count: int, timeout: float = 60.0) -> list:
        from email import message_from_bytes, policy

        return [message_from_bytes(e.content, policy=policy.default) for e in self.wait_for(count, timeout)]


def wait_until(predicate, seconds: float = 60.0):
    """Poll until predicate() returns something truthy, and return it."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"not done within {seconds} s")


@pytest.fixture
def smtp_inbox(monkeypatch):
    """A real SMTP server on this machine. A worker started after this fixture sends to it (EMAIL_URL is read at
    start-up), so request it before celery_worker_process."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{port}")
    yield inbox
    controller.stop()
