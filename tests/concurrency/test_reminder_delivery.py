"""Reminders delivered by real Celery workers and beats over Redis, counted at a real SMTP server: never lost, and
never twice except as a repeat with the same Message-ID (docs/reminders.md states the guarantee).

Processes: celery workers (the prefork pool, as in production) and celery beats (the dispatcher every second instead
of every minute), all started here against the test database, with the test-only renderer
(tests.clinic.notifications_support) and an aiosmtpd server on loopback that counts messages by their
X-Medius-Notification header. The broker is MEDIUS_REMINDER_TEST_BROKER (else REDIS_URL), with a private queue per
test, so parallel runs on the same Redis never take each other's tasks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import re
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

from .latency_proxy import LatencyProxy

pytestmark = [pytest.mark.celery_worker, pytest.mark.concurrency]

BROKER = os.environ.get("MEDIUS_REMINDER_TEST_BROKER") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"
MESSAGE_ID = re.compile(rb"^Message-ID: (\S+)", re.MULTILINE | re.IGNORECASE)
NOTIFICATION = re.compile(rb"^X-Medius-Notification: (\S+)", re.MULTILINE)


class Cluster:
    """Starts, kills and stops worker and beat processes that share one broker queue, database and mail server."""

    def __init__(self, tmp_path, smtp_port: int, *, database_port: int | None = None, **env):
        self.tmp_path = tmp_path
        self.queue = f"medius-test-reminders-{os.getpid()}-{time.monotonic_ns()}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinic.test_settings",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIUS_TEST_WORKER_DB": connection.settings_dict["NAME"],
            # Beat, and anything a worker queues itself, use this test's own queue (clinic.test_settings).
            "MEDIUS_TEST_CELERY_QUEUE": self.queue,
            "REDIS_URL": BROKER,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "NOTIFICATIONS_DISPATCH_SECONDS": "1",
            **env,
        }
        if database_port is not None:
            db = connection.settings_dict
            self.env["DATABASE_URL"] = f"postgres://{db['USER']}@127.0.0.1:{database_port}/{db['NAME']}"
        self.processes: list[subprocess.Popen] = []

    def _start(self, *args: str) -> subprocess.Popen:
        # Killed processes and the connections they leave behind make noise: it goes to a log kept for a failing run.
        with (self.tmp_path / f"{args[0]}-{len(self.processes)}.log").open("wb") as log:
            proc = subprocess.Popen(  # noqa: S603 (fixed argv)
                [sys.executable, "-m", "celery", "-A", "clinic", *args],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,  # its own process group: a kill takes the pool's children too
            )
        self.processes.append(proc)
        return proc

    def worker(self, name: str) -> subprocess.Popen:
        return self._start(
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--loglevel=WARNING",
            f"--hostname={name}@%h",
            "-Q",
            self.queue,
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

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool processes at once, as a crash or the OOM killer of a container does."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)

    def stop(self) -> None:
        # The test has read its results: nothing is left to finish gracefully.
        for proc in self.processes:
            self.kill(proc)
        # The tasks beat queued for workers that are gone, and the queue's binding.
        redis.Redis.from_url(BROKER).delete(self.queue, f"_kombu.binding.{self.queue}")


@pytest.fixture
def smtp_server():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def cluster(transactional_db, tmp_path, smtp_server):
    clusters: list[Cluster] = []

    def make(*, smtp_port: int | None = None, **env) -> Cluster:
        clusters.append(Cluster(tmp_path, smtp_port or smtp_server.port, **env))
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


def delivered_message_ids(handler) -> dict[str, set[bytes]]:
    """The Message-IDs the server received for each notification id."""
    with handler.lock:
        raws = list(handler.messages)
    found: dict[str, set[bytes]] = {}
    for raw in raws:
        found.setdefault(NOTIFICATION.search(raw).group(1).decode(), set()).add(MESSAGE_ID.search(raw).group(1))
    return found


@pytest.fixture
def database_proxy():
    """PostgreSQL behind 1 ms each way (2 ms a round trip): a commit takes as long as on a network."""
    db = connection.settings_dict
    with LatencyProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432), delay=0.001) as proxy:
        yield proxy


def pool_children(worker: subprocess.Popen) -> list[int]:
    found = subprocess.run(  # noqa: S603 (fixed argv)
        ["pgrep", "-P", str(worker.pid)],  # noqa: S607 (procps, on every Linux)
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(pid) for pid in found.stdout.split()]


def test_workers_killed_at_random_moments_lose_no_reminder_and_repeat_one_only_with_its_message_id(
    cluster, smtp_server, database_proxy
):
    """SIGKILL at random instants while batches are being sent, ten times, with the database and the mail server each
    1 ms away (a round trip 2 ms): every reminder arrives, and one that arrives twice (its process died after the
    server accepted it and before "sent" was committed) carries the same Message-ID both times.

    Two workers run at once (prefork, two pool processes each). Most kills take one pool process, the one that sends
    (as the kernel's OOM killer does; the worker forks a new one at once); every third takes a whole worker with its
    pool (a crashed container), and a new worker is started. Killed rows wait "sending" for the claim timeout (3 s
    here), then are claimed and sent again. MEDIUS_KILL_SEED replays a run's choice of instants.
    """
    kills = 10
    ids = due_reminders(600)  # more than gets sent while the kills go on: every kill falls on work in flight
    handler = smtp_server.handler
    seed = os.environ.get("MEDIUS_KILL_SEED") or str(time.time_ns())
    rng = random.Random(seed)
    with LatencyProxy("127.0.0.1", smtp_server.port, delay=0.001) as smtp_proxy:
        c = cluster(
            smtp_port=smtp_proxy.port,
            database_port=database_proxy.port,
            NOTIFICATIONS_BATCH_SIZE="20",
            NOTIFICATIONS_CLAIM_TIMEOUT="3",
            NOTIFICATIONS_MAX_ATTEMPTS="100",  # these crashes are the test's doing, not the messages' fault
        )
        c.beat("beat1")
        workers = [c.worker("w0"), c.worker("w1")]
        started = time.monotonic()
        for trial in range(kills):
            before = handler.delivered
            wait_until(lambda before=before: handler.delivered > before, timeout=60, what="a worker to send")
            time.sleep(rng.uniform(0.0, 0.2))  # a random instant in the middle of a batch
            victim, children = rng.choice([(w, pool_children(w)) for w in workers if pool_children(w)])
            if trial % 3 == 2:
                c.kill(victim)
                workers[workers.index(victim)] = c.worker(f"w{trial + 2}")
            else:
                os.kill(rng.choice(children), signal.SIGKILL)
        killed_in = time.monotonic() - started
        assert handler.delivered < len(ids)  # there was still work in flight at the last kill

        wait_until(all_sent(len(ids)), timeout=90, what="every reminder recorded as sent after the kills")
        time.sleep(1.5)  # more beats: anything sent again would arrive now

    message_ids = delivered_message_ids(handler)
    lost = sorted(set(map(str, ids)) - set(message_ids))
    assert lost == [], f"{len(lost)} reminders lost in {kills} kills over {killed_in:.0f} s (seed {seed})"
    stored = dict(Notification.objects.values_list("pk", "message_id"))
    for pk, seen in message_ids.items():
        assert seen == {stored[int(pk)].encode()}, f"notification {pk} arrived under another Message-ID: {seen}"
    repeats = sum(n - 1 for n in handler.counts.values())
    # A kill repeats at most the message each killed process was finishing (a few in all); a claim taken over from a
    # worker starved of CPU for longer than the timeout can add one. Rampant repeats would mean a broken claim.
    assert repeats <= len(ids) // 20, f"{repeats} repeats (seed {seed})"
    assert Notification.objects.exclude(status=Notification.Status.SENT).count() == 0
