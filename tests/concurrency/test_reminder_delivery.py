"""Reminders delivered exactly once by real Celery workers and beats over Redis, counted at a real SMTP server.

Processes: celery workers (thread pool) and celery beats (the dispatcher every second instead of every minute), all
started here against the test database and Redis db 7, with the test-only renderer
(tests.clinic.notifications_support) and an aiosmtpd server on loopback that counts messages by their
X-Medius-Notification header.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from django.db import connection
from django.utils import timezone

from clinic.models import Notification
from tests.clinic.notifications_support import SUBJECT_TYPE, SmtpServer

pytestmark = [pytest.mark.celery_worker, pytest.mark.concurrency]

BROKER = os.environ.get("MEDIUS_REMINDER_TEST_BROKER", "redis://127.0.0.1:6379/7")


class Cluster:
    """Starts, kills and stops worker and beat processes that share one broker, database and mail server."""

    def __init__(self, tmp_path, smtp_port: int, **env):
        redis.Redis.from_url(BROKER).flushdb()  # db 7 belongs to these tests: no stale tasks from an earlier run
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinic.test_settings",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIUS_TEST_WORKER_DB": connection.settings_dict["NAME"],
            "REDIS_URL": BROKER,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "NOTIFICATIONS_DISPATCH_SECONDS": "1",
            **env,
        }
        self.processes: list[subprocess.Popen] = []

    def _start(self, *args: str) -> subprocess.Popen:
        proc = subprocess.Popen(  # noqa: S603 (fixed argv)
            [sys.executable, "-m", "celery", "-A", "clinic", *args], env=self.env, stdout=subprocess.DEVNULL
        )
        self.processes.append(proc)
        return proc

    def worker(self, name: str) -> subprocess.Popen:
        return self._start(
            "worker",
            "--pool=threads",
            "--concurrency=2",
            "--loglevel=WARNING",
            f"--hostname={name}@%h",
            "--include=tests.clinic.notifications_support",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        )

    def beat(self, name: str) -> subprocess.Popen:
        return self._start(
            "beat",
            "--loglevel=WARNING",
            f"--schedule={self.tmp_path / name}",
            f"--pidfile={self.tmp_path / name}.pid",
        )

    def stop(self) -> None:
        # The test has read its results: nothing is left to finish gracefully (and Redis db 7 is flushed next time).
        for proc in self.processes:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=20)


@pytest.fixture
def smtp_server():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def cluster(transactional_db, tmp_path, smtp_server):
    clusters: list[Cluster] = []

    def make(**env) -> Cluster:
        clusters.append(Cluster(tmp_path, smtp_server.port, **env))
        return clusters[-1]

    yield make
    for c in clusters:
        c.stop()


def due_reminders(count: int) -> list[int]:
    due = timezone.now() - dt.timedelta(minutes=1)
    Notification.objects.bulk_create(
        Notification(
            subject_type=SUBJECT_TYPE,
            subject_id=str(i),
            subject_label=f"R-{i}",
            kind="reminder",
            channel="email",
            recipient=f"runner{i}@example.com",
            due_at=due,
            next_attempt_at=due,
        )
        for i in range(count)
    )
    return list(Notification.objects.values_list("pk", flat=True))


def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def all_sent(expected: int):
    return lambda: Notification.objects.filter(status=Notification.Status.SENT).count() == expected


def test_two_workers_and_two_dispatchers_deliver_500_reminders_each_exactly_once(cluster, smtp_server):
    ids = due_reminders(500)
    counts = smtp_server.handler.counts
    c = cluster(NOTIFICATIONS_BATCH_SIZE="20")
    for name in ("w1", "w2"):
        c.worker(name)
    for name in ("beat1", "beat2"):
        c.beat(name)

    wait_until(all_sent(500), timeout=60, what="500 reminders recorded as sent")
    time.sleep(1.5)  # two more beats: anything sent twice would arrive now

    assert sorted(int(k) for k in counts) == sorted(ids)
    assert set(counts.values()) == {1}
    assert smtp_server.handler.delivered == 500
    assert Notification.objects.exclude(status=Notification.Status.SENT).count() == 0
    # Both workers took part: the claims really raced.
    assert Notification.objects.values("claim_token").distinct().count() > 2


def test_a_worker_killed_in_the_middle_of_a_batch_delivers_everything_once_after_restart(cluster, smtp_server):
    """SIGKILL while the worker holds a claimed batch: rows it had not reached stay "sending" until the claim
    timeout (3 s here) hands them back; the new worker sends them; nothing it had already handed over goes twice.

    The kill is timed for a moment when both worker threads wait for the server's reply to a finished message, the
    longest step of each send (the server records it, then answers after 20 ms, as a real MTA that queues first).
    It must not land in the microseconds between the database commit and the three bytes that end the message: that
    gap is inherent to two systems that cannot commit together (clinic/notifications/mail.py explains the choice).
    """
    ids = due_reminders(300)
    handler = smtp_server.handler
    handler.reply_delay = 0.02
    c = cluster(NOTIFICATIONS_BATCH_SIZE="50", NOTIFICATIONS_CLAIM_TIMEOUT="3")
    first = c.worker("doomed")
    c.beat("beat1")

    wait_until(lambda: handler.delivered >= 60, timeout=60, what="the first worker to be under way")
    wait_until(lambda: handler.waiting == 2, timeout=10, what="both threads to await a reply")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = handler.delivered
    stranded = Notification.objects.filter(status=Notification.Status.SENDING).count()
    assert 0 < killed_at < 300
    assert stranded > 0  # the killed worker held claimed rows it never finished

    c.worker("phoenix")
    wait_until(all_sent(300), timeout=60, what="every reminder recorded as sent after the restart")
    time.sleep(1.5)

    assert sorted(int(k) for k in handler.counts) == sorted(ids)
    assert set(handler.counts.values()) == {1}
    assert handler.delivered == 300
    assert Notification.objects.filter(attempts=2).count() >= stranded - 2  # the stranded ones went on a 2nd claim
