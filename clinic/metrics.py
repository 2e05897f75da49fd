"""Prometheus metrics (docs/deploy.md): what an operator watches to know how Medius is doing.

- Request latency per view comes from django-prometheus's middleware (django_http_requests_latency_seconds_by_view_*).
- Counters and histograms below are updated where the work happens (bookings, Celery tasks). Under gunicorn or a
  prefork worker set PROMETHEUS_MULTIPROC_DIR so every process's counts are added up.
- Gauges that describe the state of the system (outbox backlog, oldest due message, Celery queue depths) are read
  from the database and the broker when Prometheus scrapes, so every web node reports the same truth.
No metric carries a patient, a name or a link: labels are channels, outcomes, kinds and queue names only.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import wraps

import prometheus_client
from celery.signals import task_postrun, task_prerun
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily

from . import celery_routes

CONTENT_TYPE = prometheus_client.CONTENT_TYPE_LATEST

BOOKINGS = Counter(
    "medius_bookings_total",
    "Booking attempts by channel (online, staff) and outcome (booked, refused: the time was taken, invalid).",
    ["channel", "outcome"],
)
TASK_SECONDS = Histogram(
    "medius_task_seconds",
    "Time a Celery task took, by kind of work (pdf is the PDF render time) and task.",
    ["kind", "task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5, 10, 30, 60, 120),
)


def counts_bookings(channel: str, *, refused: tuple[type[Exception], ...], invalid: tuple[type[Exception], ...]):
    """Count a booking service's outcomes; the exception types come from the caller (clinic imports no app)."""

    def decorator(service: Callable) -> Callable:
        @wraps(service)
        def wrapped(*args, **kwargs):
            try:
                result = service(*args, **kwargs)
            except refused:
                BOOKINGS.labels(channel, "refused").inc()
                raise
            except invalid:
                BOOKINGS.labels(channel, "invalid").inc()
                raise
            BOOKINGS.labels(channel, "booked").inc()
            return result

        return wrapped

    return decorator


_task_started: dict[str, float] = {}


@task_prerun.connect
def _task_started_at(task_id=None, **kwargs):
    _task_started[task_id] = time.perf_counter()


@task_postrun.connect
def _task_finished(task_id=None, task=None, **kwargs):
    started = _task_started.pop(task_id, None)
    if started is not None and task is not None:
        kind = celery_routes.kind_of(task.name) or "default"
        TASK_SECONDS.labels(kind, task.name).observe(time.perf_counter() - started)


class SystemStateCollector:
    """Gauges read at scrape time: the outbox and the Celery queues."""

    def collect(self):
        from django.utils import timezone

        from .notifications.selectors import backlog

        due, oldest_due_at = backlog(now=timezone.now())
        yield GaugeMetricFamily("medius_outbox_due_messages", "Messages due now and not yet sent.", value=due)
        age = (timezone.now() - oldest_due_at).total_seconds() if oldest_due_at else 0.0
        yield GaugeMetricFamily(
            "medius_outbox_oldest_due_age_seconds", "How long the oldest unsent due message has waited.", value=age
        )
        depth = GaugeMetricFamily("medius_celery_queue_length", "Tasks waiting in each Celery queue.", labels=["queue"])
        for queue, length in queue_lengths(celery_routes.worker_queues()).items():
            depth.add_metric([queue], length)
        yield depth


def queue_lengths(queues: list[str]) -> dict[str, int]:
    """Messages waiting per queue, read from the broker (Redis lists; the filesystem broker counts its files)."""
    from django.conf import settings

    if getattr(settings, "REDIS_URL", ""):
        import redis

        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2)
        try:
            pipe = client.pipeline()
            for queue in queues:
                pipe.llen(queue)
            return dict(zip(queues, pipe.execute(), strict=True))
        except redis.RedisError:
            return {}
        finally:
            client.close()
    return {}


def render_latest() -> bytes:
    """The exposition text: this process's (or, with PROMETHEUS_MULTIPROC_DIR, every process's) metrics plus the
    scrape-time gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = prometheus_client.REGISTRY
    state = CollectorRegistry()
    state.register(SystemStateCollector())
    return prometheus_client.generate_latest(processes) + prometheus_client.generate_latest(state)
