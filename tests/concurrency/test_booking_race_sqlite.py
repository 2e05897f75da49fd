"""The same race on SQLite (`make run`), in a separate process with its own database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.concurrency


def test_on_sqlite_serialised_writers_give_one_booking_and_clear_409s(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "MEDIUS_TEST_DB_NAME", "EMAIL_URL"}
    }
    env.update({"MEDIUS_TESTING": "true", "MEDIUS_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "clinic.settings"})
    script = Path(__file__).with_name("sqlite_race.py")
    done = subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, str(script)],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert Counter(summary["results"]) == {"booked": 1, "slot_unavailable": 7}, summary
    assert summary["appointments"] == 1
    assert summary["patients"] == 1
    assert summary["back_to_back_offered"] and not summary["overlap_offered"]
