"""A real S3 protocol server for the tests: moto's standalone server in its own process, on a free loopback port.

Everything talks to it over HTTP through boto3 / django-storages, exactly as to a real bucket; nothing in the test
process is patched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

from tests.clinic.smtp_sink import free_port

ACCESS_KEY = "medius-test"
SECRET_KEY = "medius-test-secret"


class S3Server:
    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> S3Server:
        env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
        self.proc = subprocess.Popen(  # noqa: S603 (fixed argv)
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1).close()  # noqa: S310 (loopback)
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the S3 test server did not start") from None
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )

    def storages_settings(self, public_bucket: str, private_bucket: str) -> dict:
        """STORAGES entries as clinic/settings.py builds them from S3_* variables."""
        common = {
            "endpoint_url": self.endpoint,
            "region_name": "us-east-1",
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "file_overwrite": False,
        }
        return {
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    **common,
                    "bucket_name": public_bucket,
                    "default_acl": "public-read",
                    "querystring_auth": False,
                },
            },
            "private": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    **common,
                    "bucket_name": private_bucket,
                    "default_acl": "private",
                    "querystring_expire": 60,
                },
            },
        }
