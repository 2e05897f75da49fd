"""Queues by kind: PDFs, notifications and maintenance each go to their own queue, so a burst of renders never
delays a reminder; a worker started with `-Q <queue>` takes only that kind."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings
from django.db import connection

from clinic import celery_routes
from clinic.celery import app


def _registered_task_names() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def test_every_task_belongs_to_a_kind():
    # A new task without a kind would silently share the default queue with everything else.
    unsorted = _registered_task_names() - set(celery_routes.TASK_KINDS)
    assert not unsorted, f"give these tasks a kind in clinic/celery_routes.py: {sorted(unsorted)}"
    assert set(celery_routes.TASK_KINDS.values()) <= set(celery_routes.KINDS)


def test_renders_notifications_and_housekeeping_are_routed_to_their_own_queues(settings):
    settings.CELERY_QUEUES_BY_KIND = {"notifications": "n", "pdf": "p", "maintenance": "m"}
    route = celery_routes.route_by_kind
    assert route("programs.tasks.render_program_pdf", (), {}, {}) == {"queue": "p"}
    assert route("assessments.tasks.render_progress_report", (), {}, {}) == {"queue": "p"}
    assert route("clinic.tasks.send_notification", (), {}, {}) == {"queue": "n"}
    assert route("bookings.tasks.purge_idempotency_records", (), {}, {}) == {"queue": "m"}
    assert route("somewhere.unknown", (), {}, {}) is None


def test_production_settings_define_a_queue_per_kind_and_a_worker_without_q_takes_all():
    from clinic import settings as production

    assert set(production.CELERY_QUEUES_BY_KIND) == set(celery_routes.KINDS)
    consumed = {queue.name for queue in production.CELERY_TASK_QUEUES}
    assert consumed == {production.CELERY_TASK_DEFAULT_QUEUE, *production.CELERY_QUEUES_BY_KIND.values()}


@pytest.mark.celery_worker
def test_a_burst_of_pdf_renders_does_not_hold_up_a_notification_worker(transactional_db, settings):
    prefix = f"test-routes-{os.getpid()}-{time.monotonic_ns()}"
    queues = {kind: f"{prefix}.{kind}" for kind in celery_routes.KINDS}
    settings.CELERY_QUEUES_BY_KIND = queues
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.test_settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIUS_TEST_WORKER_DB": connection.settings_dict["NAME"],
        "MEDIUS_TEST_CELERY_QUEUE": f"{prefix}.default",
        "MEDIUS_TEST_QUEUES_BY_KIND": ",".join(f"{k}={q}" for k, q in queues.items()),
    }
    worker = None
    try:
        from clinic.tasks import dispatch_notifications
        from programs.tasks import render_program_pdf

        for _ in range(30):
            render_program_pdf.delay(999_999_999)  # a program that does not exist: the render would be a no-op
        dispatch_notifications.delay()
        assert broker.llen(queues["pdf"]) == 30
        assert broker.llen(queues["notifications"]) == 1

        worker = subprocess.Popen(  # noqa: S603 (fixed argv)
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "clinic",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=WARNING",
                "-Q",
                queues["notifications"],
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
        )
        deadline = time.monotonic() + 60
        while broker.llen(queues["notifications"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        # The notification worker took its message at once; the renders wait for a PDF worker, untouched.
        assert broker.llen(queues["notifications"]) == 0
        assert broker.llen(queues["pdf"]) == 30
    finally:
        app.conf.task_always_eager = previous
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        broker.delete(*queues.values())


def test_the_compose_file_runs_a_worker_for_every_queue():
    import yaml

    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    consumed: set[str] = set()
    for service in compose["services"].values():
        command = service.get("command") or []
        if "worker" in command and "-Q" in command:
            consumed |= set(command[command.index("-Q") + 1].split(","))
    assert consumed == {"celery", *celery_routes.KINDS}


@pytest.mark.celery_worker
def test_a_worker_node_serves_the_task_durations_of_its_prefork_children(transactional_db, settings, tmp_path):
    import urllib.request

    from tests.clinic.smtp_sink import free_port

    queue = f"test-worker-metrics-{os.getpid()}-{time.monotonic_ns()}"
    port = free_port()
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.test_settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIUS_TEST_WORKER_DB": connection.settings_dict["NAME"],
        "MEDIUS_TEST_CELERY_QUEUE": queue,
        "WORKER_METRICS_PORT": str(port),
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
    }
    worker = subprocess.Popen(  # noqa: S603 (fixed argv)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "clinic",
            "worker",
            "--pool=prefork",
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
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        for _ in range(3):
            app.send_task("bookings.tasks.purge_idempotency_records", queue=queue)
        deadline = time.monotonic() + 60
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
                    body = response.read().decode()
            except OSError:
                body = ""
            if (
                'medius_task_seconds_count{kind="maintenance",task="bookings.tasks.purge_idempotency_records"} 3.0'
                in body
            ):
                break
            time.sleep(0.3)
        assert (
            'medius_task_seconds_count{kind="maintenance",task="bookings.tasks.purge_idempotency_records"} 3.0' in body
        )
    finally:
        app.conf.task_always_eager = eager
        worker.terminate()
        worker.wait(timeout=30)
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue)
