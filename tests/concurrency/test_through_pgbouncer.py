"""The booking guarantee and the outbox claims hold through PgBouncer in transaction mode, as a clinic group runs it.

A private PgBouncer (Debian's package) on a free port pools connections to the test PostgreSQL in transaction mode;
the booking race and the reminder-claim race run again, unchanged, in a pytest process whose DATABASE_URL points
at PgBouncer. Transaction pooling breaks anything that keeps state in a session between transactions (session
advisory locks, SET without LOCAL, prepared statements, server-side cursors): these races would show it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.clinic.smtp_sink import free_port

pytestmark = [pytest.mark.concurrency]

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


@pytest.fixture
def pgbouncer():
    db = settings.DATABASES["default"]
    port = free_port()
    # PgBouncer refuses to run as root; as root it runs as the postgres user, which cannot enter pytest's tmp_path.
    folder = Path(tempfile.mkdtemp(prefix="medius-pgbouncer-"))
    (folder / "users.txt").write_text(f'"{db["USER"]}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={db["HOST"]} port={db["PORT"] or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = 20
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
"""
    )
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]
        for path in (folder, *folder.iterdir()):
            shutil.chown(path, "postgres")
    log = (folder / "pgbouncer.log").open("w")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 (fixed argv)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                psycopg.connect(
                    host="127.0.0.1", port=port, user=db["USER"], dbname="postgres", connect_timeout=2
                ).close()
                break
            except psycopg.OperationalError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"PgBouncer did not start: {(folder / 'pgbouncer.log').read_text()}") from exc
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _drop(dbname: str) -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def test_the_booking_and_reminder_races_hold_through_pgbouncer_in_transaction_mode(pgbouncer):
    db = settings.DATABASES["default"]
    test_db = f"{db['NAME']}_pgbouncer"
    _drop(test_db)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.test_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{pgbouncer}/{db['NAME']}",
        "MEDIUS_TEST_DB_NAME": test_db,
        "DB_TRANSACTION_POOLING": "true",
    }
    root = Path(settings.BASE_DIR)
    # --reuse-db: at the end pytest-django would DROP the test database while PgBouncer still pools connections
    # to it; this test drops it itself once PgBouncer is gone.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--reuse-db",
            "tests/concurrency/test_booking_race.py",
            "tests/concurrency/test_reminder_claims.py",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # Every race test ran and passed: none skipped, none failed.
    summary = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed in .*", summary), summary


@pytest.fixture(autouse=True)
def _drop_the_pooled_test_database(request):
    yield
    _drop(f"{settings.DATABASES['default']['NAME']}_pgbouncer")
