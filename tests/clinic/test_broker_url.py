"""Without Redis, the filesystem broker URL names a host, so publishing a task (seed_demo, make run) logs no stray
"No hostname was supplied" warning."""

from __future__ import annotations

import os
import subprocess
import sys


def test_the_filesystem_broker_url_has_a_hostname(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DJANGO_SETTINGS_MODULE="clinic.settings", SECRET_KEY="x" * 50, MEDIUS_VAR_DIR=str(tmp_path))
    code = (
        "import django; django.setup(); from django.conf import settings; from kombu import Connection; "
        "print(settings.CELERY_BROKER_URL, Connection(settings.CELERY_BROKER_URL).hostname)"
    )
    # Our own interpreter and a fixed snippet: a fresh process, so settings are read without REDIS_URL.
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    url, hostname = out.stdout.split()
    assert url.startswith("filesystem://") and hostname == "localhost"
    assert "No hostname was supplied" not in out.stderr
