"""Racing real database connections at the same due messages: each row is claimed by one worker only, and without
the guard (read the pending rows, then mark them) two workers take the same rows.

Each thread has its own PostgreSQL connection (Django opens one per thread); a barrier releases them together.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from clinic.models import Notification
from clinic.notifications import dispatch
from tests.clinic.notifications_support import SUBJECT_TYPE

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROWS = 120


def race(work, n: int = THREADS) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # reported by the assertions below
            results[i] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def due():
    at = timezone.now() - dt.timedelta(minutes=1)
    Notification.objects.bulk_create(
        Notification(
            subject_type=SUBJECT_TYPE,
            subject_id=str(i),
            kind="reminder",
            channel="email",
            recipient=f"r{i}@example.com",
            due_at=at,
            next_attempt_at=at,
        )
        for i in range(ROWS)
    )


def test_racing_workers_each_claim_different_rows_and_together_all_of_them(due):
    def drain(_i: int) -> list[int]:
        mine = []
        while True:
            _token, rows = dispatch.claim_due(limit=7)
            if not rows:
                return mine
            mine += [row.pk for row in rows]

    results = race(drain)

    claimed = Counter(pk for result in results for pk in result)
    assert len(claimed) == ROWS
    assert set(claimed.values()) == {1}
    assert sum(1 for result in results if result) > 1  # several workers really took part
    assert Notification.objects.filter(status="sending", attempts=1).count() == ROWS


def test_racing_single_claims_of_one_row_have_one_winner(due):
    row = Notification.objects.order_by("pk").first()
    results = race(lambda _i: dispatch.claim_one(row.pk)[1] is not None)
    assert results.count(True) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def test_control_without_the_guard_two_workers_take_the_same_rows(due):
    """Read the due rows, then mark them: what the claim replaces. The race is real."""
    barrier = threading.Barrier(THREADS)

    def naive(_i: int) -> list[int]:
        ids = list(
            Notification.objects.filter(status="pending", next_attempt_at__lte=timezone.now())
            .order_by("pk")
            .values_list("pk", flat=True)[:10]
        )
        barrier.wait(timeout=10)  # everyone has read before anyone writes
        Notification.objects.filter(pk__in=ids).update(
            status="sending", claim_token=uuid.uuid4(), claimed_at=timezone.now()
        )
        return ids

    results = race(naive)

    claimed = Counter(pk for result in results for pk in result)
    assert max(claimed.values()) == THREADS  # every worker would send the same ten messages
