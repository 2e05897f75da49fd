"""Medius scaled out on one machine: nginx in front of three gunicorn nodes, two Celery workers and a beat, PgBouncer in
transaction mode, a private Redis and an S3 protocol server, all on 127.0.0.1 with free ports.

    python scripts/scale_out.py up      # start everything, print it, wait for Ctrl-C, stop everything
    python scripts/scale_out.py check   # run the scale-out test (tests/scale/test_scale_out.py), which starts its own

Everything lives in a private work folder (removed at the end) and a private database on the PostgreSQL at
127.0.0.1:5432 (user postgres), created and migrated directly, not through PgBouncer, and dropped at the end. Only
processes started here are ever stopped. The same layout on real machines is in docs/deploy.md.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.s3_server import ACCESS_KEY, SECRET_KEY, S3Server  # noqa: E402 (the repository root is on the path now)

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
# Only what a process needs from the caller's environment: nothing of a test run (MEDIUS_TESTING, DATABASE_URL, ...).
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "VIRTUAL_ENV")
STOP_SECONDS = 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, *, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except (OSError, ConnectionError):
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not ready within {timeout:.0f} s")
        time.sleep(0.2)


def port_open(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 (loopback URLs built here)
            return response.status == 200
    except urllib.error.URLError:
        return False


class Cluster:
    """The whole layout. start() brings it up (stopping what it started if anything fails), stop() takes it down."""

    def __init__(self, *, web_nodes: int = 3, workers: int = 2, env: dict[str, str] | None = None, work=None):
        self.web_count, self.worker_count = web_nodes, workers
        self.extra_env = dict(env or {})
        # World-readable so that PgBouncer (as postgres) and nginx's workers (as nobody) can reach their subfolders.
        self.work = Path(work or tempfile.mkdtemp(prefix="medius-scale-out-"))
        self.work.mkdir(parents=True, exist_ok=True)
        self.work.chmod(0o755)
        self.database = f"medius_scaleout_{os.getpid()}_{secrets.token_hex(3)}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: list = []
        self.ports: dict[str, int] = {}
        self.web_ports: list[int] = []
        self.database_created = False
        self.s3: S3Server | None = None

    # --- environment -------------------------------------------------------------------------------------------------
    @property
    def direct_database_url(self) -> str:
        return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.database}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['nginx']}"

    def env(self, **overrides: str) -> dict[str, str]:
        """What every web node, worker and beat gets: production settings, DEBUG off, all services private."""
        env = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
        env.update(
            DJANGO_SETTINGS_MODULE="tests.scale.cluster_settings",
            DEBUG="false",
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1",
            NUM_PROXIES="1",
            SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback; a real proxy terminates TLS (docs/deploy.md)
            SECURE_HSTS_SECONDS="0",
            SITE_URL=f"http://127.0.0.1:{self.ports['nginx']}",
            DATABASE_URL=f"postgres://{PG_USER}@127.0.0.1:{self.ports['pgbouncer']}/{self.database}",
            DB_TRANSACTION_POOLING="true",
            REDIS_URL=f"redis://127.0.0.1:{self.ports['redis']}/0",
            S3_BUCKET="medius-public",
            S3_PRIVATE_BUCKET="medius-private",
            S3_ENDPOINT_URL=self.s3.endpoint,
            S3_REGION="us-east-1",
            S3_ACCESS_KEY_ID=ACCESS_KEY,
            S3_SECRET_ACCESS_KEY=SECRET_KEY,
            METRICS_TOKEN=self.metrics_token,
            # The scenario signs staff in with a password alone; two-factor sign-in has its own tests.
            TWO_FACTOR_REQUIRED_DEFAULT="false",
            MEDIUS_VAR_DIR=str(self.work / "var"),
            STATIC_ROOT=str(self.work / "static"),
            LOG_LEVEL="WARNING",
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update(self.extra_env)
        env.update(overrides)
        return env

    # --- processes ---------------------------------------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str], *, env: dict | None = None) -> subprocess.Popen:
        log = (self.work / "logs" / f"{name}.log").open("ab")
        self.logs.append(log)
        proc = subprocess.Popen(  # noqa: S603 (argv built here from fixed parts)
            argv,
            cwd=ROOT,
            env=env if env is not None else self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C at the terminal reaches this script only; it stops them in order
        )
        self.processes[name] = proc
        return proc

    def _manage(self, *args: str, env: dict) -> None:
        result = subprocess.run(  # noqa: S603 (fixed argv)
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")

    def start(self) -> Cluster:
        try:
            self._start()
        except BaseException as exc:
            logs = "\n".join(f"--- {name}\n{self.log_tail(name, 1500)}" for name in self.processes)
            self.stop()
            if isinstance(exc, Exception):
                raise RuntimeError(f"the cluster did not start: {exc}\n{logs}") from exc
            raise
        return self

    def _start(self) -> None:
        import boto3  # noqa: F401 (fail early, before anything runs, when the dev dependencies are missing)
        import psycopg

        (self.work / "logs").mkdir(exist_ok=True)
        self.secret_key = secrets.token_urlsafe(50)
        self.metrics_token = secrets.token_urlsafe(24)
        for name in ("nginx", "pgbouncer", "redis"):
            self.ports[name] = free_port()
        self.web_ports = [free_port() for _ in range(self.web_count)]

        # Redis: a private server, so nothing here touches anyone else's keys.
        (self.work / "redis").mkdir()
        redis_argv = [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.ports["redis"]), "--save", ""]
        redis_argv += ["--appendonly", "no", "--dir", str(self.work / "redis"), "--daemonize", "no"]
        proc = self._spawn("redis", redis_argv, env={"PATH": os.environ.get("PATH", "")})
        wait_for(lambda: port_open(self.ports["redis"]), timeout=20, what="redis", proc=proc)

        # Object storage: the S3 protocol server with a public and a private bucket.
        self.s3 = S3Server().__enter__()
        client = self.s3.client()
        client.create_bucket(Bucket="medius-public")
        client.create_bucket(Bucket="medius-private")

        # The database: created and migrated directly against PostgreSQL (a migration holds locks across statements).
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        self.database_created = True
        direct = self.env(DATABASE_URL=self.direct_database_url, DB_TRANSACTION_POOLING="false")
        self._manage("migrate", "--no-input", env=direct)
        self._manage("collectstatic", "--no-input", env=direct)

        self._start_pgbouncer()
        for number, port in enumerate(self.web_ports, start=1):
            self.start_web(number, port)
        self._start_nginx()
        for number in range(1, self.worker_count + 1):
            self.start_worker(f"worker{number}")
        self._spawn(
            "beat",
            [
                *(sys.executable, "-m", "celery", "-A", "clinic", "beat", "--loglevel=WARNING"),
                *(f"--schedule={self.work / 'var' / 'beat-schedule'}", f"--pidfile={self.work / 'beat.pid'}"),
            ],
        )
        for number, port in enumerate(self.web_ports, start=1):
            wait_for(
                lambda port=port: http_ok(f"http://127.0.0.1:{port}/healthz"),
                timeout=60,
                what=f"web{number}",
                proc=self.processes[f"web{number}"],
            )
        wait_for(lambda: http_ok(f"{self.url}/healthz"), timeout=20, what="nginx", proc=self.processes["nginx"])
        self.wait_for_workers()

    def _start_pgbouncer(self) -> None:
        folder = self.work / "pgbouncer"
        folder.mkdir()
        (folder / "users.txt").write_text(f'"{PG_USER}" ""\n')
        (folder / "pgbouncer.ini").write_text(
            f"""[databases]
{self.database} = host={PG_HOST} port={PG_PORT} dbname={self.database}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.ports["pgbouncer"]}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = 20
max_client_conn = 400
ignore_startup_parameters = extra_float_digits,options
"""
        )
        argv = [PGBOUNCER, str(folder / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root: it runs as postgres, which must own its folder
            argv[1:1] = ["-u", "postgres"]
            for path in (folder, *folder.iterdir()):
                shutil.chown(path, "postgres")
        proc = self._spawn("pgbouncer", argv, env={"PATH": os.environ.get("PATH", "")})
        wait_for(lambda: port_open(self.ports["pgbouncer"]), timeout=20, what="pgbouncer", proc=proc)

    def start_web(self, number: int, port: int) -> subprocess.Popen:
        return self._spawn(
            f"web{number}",
            [
                *(sys.executable, "-m", "gunicorn", "clinic.wsgi:application", f"--bind=127.0.0.1:{port}"),
                *("--worker-class=gthread", "--workers=1", "--threads=8", "--timeout=60", "--graceful-timeout=5"),
                *(f"--worker-tmp-dir={self.work}", "--log-level=warning"),
            ],
        )

    def start_worker(self, name: str) -> subprocess.Popen:
        # Two workers on one machine take every queue; on real machines a worker per kind (docs/deploy.md).
        return self._spawn(
            name,
            [
                *(sys.executable, "-m", "celery", "-A", "clinic", "worker", "--pool=threads", "--concurrency=2"),
                *("-Q", "celery,notifications,pdf,maintenance", f"--hostname={name}@%h", "--loglevel=WARNING"),
                *("--without-heartbeat", "--without-gossip", "--without-mingle"),
            ],
        )

    def wait_for_workers(self, timeout: float = 60) -> None:
        names = [n for n in self.processes if n.startswith("worker") and self.processes[n].poll() is None]
        ping = [sys.executable, "-m", "celery", "-A", "clinic", "inspect", "ping", "--timeout=2"]

        def all_answer() -> bool:
            result = subprocess.run(ping, cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=30)  # noqa: S603
            return all(f"{n}@" in result.stdout for n in names)

        wait_for(all_answer, timeout=timeout, what="celery workers")

    def _start_nginx(self) -> None:
        folder = self.work / "nginx"
        (folder / "temp").mkdir(parents=True)
        upstreams = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in self.web_ports)
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""  # as root, workers drop to nobody
        if os.geteuid() == 0:
            shutil.chown(folder / "temp", "nobody", "nogroup")
        (folder / "nginx.conf").write_text(
            f"""{user}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    access_log {folder / "access.log"};
    client_body_temp_path {folder / "temp" / "body"};
    proxy_temp_path {folder / "temp" / "proxy"};
    fastcgi_temp_path {folder / "temp" / "fastcgi"};
    uwsgi_temp_path {folder / "temp" / "uwsgi"};
    scgi_temp_path {folder / "temp" / "scgi"};
    client_max_body_size 10m;
    upstream medius {{
{upstreams}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{self.ports["nginx"]};
        location / {{
            proxy_pass http://medius;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            # A node that is down is skipped. POSTs are never retried (nginx's default): a booking is sent once.
            proxy_next_upstream error timeout http_502 http_503;
            proxy_max_temp_file_size 0;
            # Which node answered: for the scale-out test, and handy when reading logs.
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""
        )
        argv = [NGINX, "-e", str(folder / "error.log"), "-p", str(folder), "-c", str(folder / "nginx.conf")]
        result = subprocess.run([*argv, "-t"], capture_output=True, text=True, timeout=30)  # noqa: S603
        if result.returncode != 0:
            raise RuntimeError(f"nginx configuration refused: {result.stderr}")
        proc = self._spawn("nginx", [*argv, "-g", "daemon off;"], env={"PATH": os.environ.get("PATH", "")})
        wait_for(lambda: port_open(self.ports["nginx"]), timeout=20, what="nginx", proc=proc)

    # --- control -----------------------------------------------------------------------------------------------------
    def stop_process(self, name: str, *, kill: bool = False) -> None:
        proc = self.processes[name]
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        """Everything started here, newest first, each within a bounded time; then the database and the folder."""
        for name in reversed(list(self.processes)):
            with contextlib.suppress(Exception):
                self.stop_process(name)
        if self.s3 is not None:
            with contextlib.suppress(Exception):
                self.s3.__exit__(None, None, None)
            self.s3 = None
        if self.database_created:
            import psycopg

            with (
                contextlib.suppress(Exception),
                psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as conn,
            ):
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self.database_created = False
        for log in self.logs:
            log.close()
        self.logs.clear()
        self.processes.clear()
        shutil.rmtree(self.work, ignore_errors=True)

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.work / "logs" / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def describe(self) -> str:
        lines = [
            f"work folder  {self.work}",
            f"nginx        {self.url}  (pid {self.processes['nginx'].pid})",
        ]
        lines += [
            f"web{n}         http://127.0.0.1:{p}  gunicorn gthread (pid {self.processes[f'web{n}'].pid})"
            for n, p in enumerate(self.web_ports, start=1)
        ]
        lines += [
            f"{name:<12} celery (pid {proc.pid})"
            for name, proc in self.processes.items()
            if name.startswith("worker") or name == "beat"
        ]
        lines += [
            f"pgbouncer    127.0.0.1:{self.ports['pgbouncer']} transaction mode -> {PG_HOST}:{PG_PORT}/{self.database}",
            f"redis        127.0.0.1:{self.ports['redis']} (private)",
            f"s3           {self.s3.endpoint} buckets medius-public, medius-private",
            f"metrics      curl -H 'Authorization: Bearer {self.metrics_token}' {self.url}/metrics",
        ]
        return "\n".join(lines)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "up"
    if command == "check":
        test = ROOT / "tests" / "scale" / "test_scale_out.py"
        return subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)], cwd=ROOT)  # noqa: S603
    if command != "up":
        print(__doc__)
        return 2
    cluster = Cluster()

    def interrupted(*_):
        raise KeyboardInterrupt

    # Stop everything on Ctrl-C and on a polite kill alike (also when started in the background, where a shell
    # leaves SIGINT ignored).
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    try:
        cluster.start()
        print(cluster.describe(), flush=True)
        print("Ctrl-C stops everything.", flush=True)
        while all(proc.poll() is None for proc in cluster.processes.values()):
            time.sleep(1)
        print("a process exited; stopping everything", flush=True)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        # A second Ctrl-C must not cut the stopping short and leave processes behind: each stop is bounded anyway.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        cluster.stop()
        print("stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
