"""Database pieces the booking guarantee needs: the range expression, a PostgreSQL-only migration operation and the
per-practitioner lock.

PostgreSQL enforces "no two active appointments of one practitioner overlap" with an exclusion constraint; SQLite
(`make run`) has no such constraint but runs every write transaction as BEGIN IMMEDIATE (clinic/settings.py), so
booking transactions are serialised there and the check inside the service cannot be raced.
"""

from __future__ import annotations

import zlib

from django.contrib.postgres.fields import DateTimeRangeField
from django.db import OperationalError, connection
from django.db.migrations.operations import AddConstraint
from django.db.models import Func

# Two-key advisory locks: the first key names this use, so other apps' advisory locks never collide with ours.
_PRACTITIONER_LOCK = zlib.crc32(b"bookings.practitioner") & 0x7FFFFFFF
_IDEMPOTENCY_LOCK = zlib.crc32(b"bookings.idempotency") & 0x7FFFFFFF

# How long a booking waits for another booking of the same practitioner to commit. Those transactions take
# milliseconds; anything longer means trouble, and the patient gets a clear "try again" instead of a hung page.
LOCK_TIMEOUT_MS = 2000


class LockBusy(Exception):
    """Another transaction held the lock for longer than LOCK_TIMEOUT_MS."""


class TsTzRange(Func):
    """tstzrange(start, end, '[)'): the half-open range the exclusion constraint compares."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class AddConstraintOnPostgres(AddConstraint):
    """AddConstraint that only touches PostgreSQL: SQLite cannot express an exclusion constraint (see module doc)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _advisory_xact_lock(namespace: int, key: int) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction already holds the database's single write lock.
    if not connection.in_atomic_block:
        raise RuntimeError("advisory locks are transaction-scoped: call inside transaction.atomic()")
    with connection.cursor() as cursor:
        # The timeout stays for the rest of this (short) transaction: nothing in a booking should wait longer.
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
        try:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key % 2**31])
        except OperationalError as exc:
            # The transaction is now aborted; the caller's atomic block rolls it back and may retry afresh.
            raise LockBusy from exc


def lock_practitioner(practitioner_id: int) -> None:
    """Serialise writes to one practitioner's diary until the current transaction ends."""
    _advisory_xact_lock(_PRACTITIONER_LOCK, int(practitioner_id))


def lock_idempotency_key(scope: str, key: str) -> None:
    """A retry that arrives while the first request is still running waits for it, then replays its response."""
    _advisory_xact_lock(_IDEMPOTENCY_LOCK, zlib.crc32(f"{scope}:{key}".encode()) & 0x7FFFFFFF)
