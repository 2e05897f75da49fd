"""Real parts that a test may stop: a private Redis and a private PostgreSQL, each on a free port of this machine.

Never the shared servers (Redis on 6379, PostgreSQL on 5432): other test runs use them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, *, up: bool, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            is_up = probe.connect_ex(("127.0.0.1", port)) == 0
        if is_up is up:
            return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} did not go {'up' if up else 'down'} within {seconds} s")


_REDIS_OPTIONS = ("--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
_INITDB = ("--auth=trust", "--no-sync", "-E", "UTF8")


class PrivateRedis:
    """redis-server on its own port; kill() is a crash (SIGKILL), start() brings it back on the same port."""

    def __init__(self):
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 (fixed argv)
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), *_REDIS_OPTIONS],
            stdout=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, up=True)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None
        _wait_for_port(self.port, up=False)


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (initdb in a temporary folder, trust auth) run as the postgres user."""

    def __init__(self):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bins:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
        self.bin = bins[-1]
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="medius-pg-"))
        self.proc: subprocess.Popen | None = None
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.dir, "postgres")
        subprocess.run(  # noqa: S603
            [*self._as_postgres, str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", *_INITDB],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        options = ["-p", str(self.port), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]
        options += ["-c", f"unix_socket_directories={self.dir}"]
        self.proc = subprocess.Popen(  # noqa: S603
            [*self._as_postgres, str(self.bin / "postgres"), "-D", str(self.dir / "data"), *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, up=True)
        deadline = time.monotonic() + 20
        while subprocess.run(  # noqa: S603
            [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)], stdout=subprocess.DEVNULL
        ).returncode:
            if time.monotonic() > deadline:
                raise RuntimeError("the private PostgreSQL did not accept connections")
            time.sleep(0.1)

    def kill(self) -> None:
        """A crash: SIGKILL to the postmaster (by the pid in its pid file); its backends exit when it dies."""
        pid_file = self.dir / "data" / "postmaster.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=10)  # runuser returns once the postmaster has gone
            self.proc = None
        _wait_for_port(self.port, up=False)
        pid_file.unlink(missing_ok=True)

    def remove(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
