"""Queue Celery work through the database, so that a broker outage never loses it (a transactional outbox).

`enqueue(task, *ids)` writes a PendingTask row in the caller's transaction; after commit, `relay` publishes it and
deletes the row. When the broker (Redis) is down the publish fails fast, the row stays and the request carries on;
`clinic.tasks.relay_pending_tasks` (every PENDING_TASKS_RELAY_SECONDS, and when a worker starts) publishes whatever is
left once the broker is back.

A task may run twice (published, then the delete lost to a crash), so every task queued this way is idempotent; each
task's docstring says why.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from .models import PendingTask

log = logging.getLogger(__name__)

# Refused at connect (kombu wraps it), or lost half-way through a publish (redis-py's or the socket's own error).
BROKER_ERRORS = (KombuOperationalError, RedisError, OSError)

# After a failed publish, requests stop trying the broker for a while: each try costs a connection attempt, and the
# periodic relay will send the rows anyway.
_BROKER_BACKOFF_SECONDS = 10.0
_broker_down_until = 0.0


def enqueue(task, *args) -> PendingTask:
    """Record task(*args) in the current transaction and publish it after commit. Arguments must be JSON (ids)."""
    row = PendingTask.objects.create(task=task.name, args=list(args))
    transaction.on_commit(lambda: relay(ids=[row.pk], after_commit=True))
    return row


def _publish(task_name: str, args: list, connection) -> None:
    from .celery import app

    app.tasks[task_name].apply_async(args=args, connection=connection, retry=False)


def relay(*, ids: list[int] | None = None, limit: int = 200, after_commit: bool = False) -> int:
    """Publish pending rows (all of them, or just `ids`) and delete them. Returns how many were published.

    Never raises for a broker or database outage: it logs, leaves the rows for the next relay and returns. Rows are
    locked with SKIP LOCKED, so two relays never publish the same row at once.
    """
    global _broker_down_until
    if after_commit and time.monotonic() < _broker_down_until:
        return 0
    from .celery import app

    published = 0
    try:
        # A connection that gives up at the first refusal: a request must not wait on kombu's reconnect loop.
        options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "max_retries": 0}
        with app.connection_for_write(transport_options=options) as connection:
            while True:
                with transaction.atomic():
                    rows = PendingTask.objects.select_for_update(skip_locked=True)
                    if ids is not None:
                        rows = rows.filter(pk__in=ids)
                    rows = list(rows[:limit])
                    if not rows:
                        break
                    done = []
                    try:
                        for row in rows:
                            _publish(row.task, row.args, connection)
                            done.append(row.pk)
                    except BROKER_ERRORS as exc:
                        if app.conf.task_always_eager:
                            raise  # an eager task's own error (development, tests), not a broker outage
                        _broker_down_until = time.monotonic() + _BROKER_BACKOFF_SECONDS
                        left = [row.pk for row in rows if row.pk not in done]
                        PendingTask.objects.filter(pk__in=left).update(
                            attempts=F("attempts") + 1, last_error=str(exc)[:255]
                        )
                        log.warning(
                            "broker unavailable (%s): %s task(s) kept in the database for the relay", exc, len(left)
                        )
                        PendingTask.objects.filter(pk__in=done).delete()
                        return published + len(done)
                    PendingTask.objects.filter(pk__in=done).delete()
                    published += len(done)
                    _broker_down_until = 0.0
                if ids is not None or len(rows) < limit:
                    break
    except DatabaseError:
        if app.conf.task_always_eager:
            raise
        # The rows are safe where they are; the periodic relay retries.
        log.warning("could not relay pending tasks: database unavailable", exc_info=True)
    return published
