"""Benchmark: the printed sheet of an eight-exercise program, each exercise with an uploaded photo.

Prints
- the render time (template + WeasyPrint, what the Celery task does), median over --runs, in this process;
- the same renders done by a real Celery worker process over Redis: the task's own timing, and the worker's peak
  memory (VmHWM, the high-water mark of its resident set, read from /proc after the renders);
- the time to serve the cached PDF through the whole Django stack (GET /api/v1/programs/{id}/pdf/), median.
Runs on a throw-away PostgreSQL database with uploads in a temporary folder.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medius REDIS_URL=redis://127.0.0.1:6379/4 \
        .venv/bin/python bench/programs_pdf.py [--runs 7]

Targets (issue 6): median render under 1.5 s, worker peak memory under 300 MB, cached PDF served in under 30 ms.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.test_settings")
os.environ.setdefault("MEDIUS_TEST_DB_NAME", "bench_medius_programs")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="medius-bench-media-"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

KEYS = (
    "clamshell",
    "sidelying_abduction",
    "wall_press",
    "hip_hitch",
    "band_walk",
    "side_plank_abduction",
    "lateral_step_up",
    "sl_squat_box",
)


def photo(seed: int) -> bytes:
    """A camera-sized JPEG with noise (so it compresses like a photo, not like a flat colour)."""
    from PIL import Image

    noise = Image.effect_noise((2400, 1800), 40 + seed)
    image = Image.merge(
        "RGB", (noise, noise.rotate(90, expand=False), noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def scene():
    from django.core.files.base import ContentFile

    from clinic.roles import Role
    from programs import services
    from programs.library import seed_library, seed_templates
    from programs.models import Equipment, Exercise, Muscle, ProgramTemplate, TemplateItem
    from tests.factories import PatientFactory, ProgramFactory, UserFactory

    seed_library(Exercise=Exercise, Muscle=Muscle, Equipment=Equipment)
    seed_templates(ProgramTemplate=ProgramTemplate, TemplateItem=TemplateItem, Exercise=Exercise)
    physio = UserFactory(email="bench-physio@clinic.test", first_name="Priya", last_name="Raman", role=Role.PHYSIO)
    patient = PatientFactory(first_name="Zoë", last_name="Ångström", consent_email=False)
    program = ProgramFactory(patient=patient, physio=physio, title="Hip stability, phase 1 to 3")
    for n, key in enumerate(KEYS):
        exercise = Exercise.objects.get(key=key)
        services.add_picture(exercise=exercise, upload=ContentFile(photo(n), name="photo.jpg"), actor=physio)
        services.add_item(program=program, exercise=exercise, actor=physio)
    return program, physio


def in_process(program, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU time per render (CPU time shows the cost when other processes share the cores)."""
    from pypdf import PdfReader

    from programs import selectors
    from programs.printing import render_sheet

    wall, cpu = [], []
    for _ in range(runs + 1):
        fresh = selectors.get_program(program.pk)
        started, started_cpu = time.perf_counter(), time.process_time()
        content, _ms = render_sheet(fresh)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    pages = len(PdfReader(io.BytesIO(content)).pages)
    print(f"sheet: {len(KEYS)} exercises with photos, {len(content) // 1024} KiB, {pages} pages")
    return wall[1:], cpu[1:]  # the first run loads fonts and templates


def _vm(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])  # kB
    raise RuntimeError(f"{key} not found")


def in_worker(program, runs: int) -> tuple[list[int], float, float]:
    from clinic.celery import app
    from programs.models import ProgramPdf
    from programs.tasks import render_program_pdf

    queue = f"bench-{os.getpid()}"
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIUS_TEST_WORKER_DB": connection.settings_dict["NAME"],
    }
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    worker = subprocess.Popen(  # noqa: S603 (fixed argv)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "clinic",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline:
                raise RuntimeError("worker did not start")
        idle_kb = _vm(worker.pid, "VmRSS")
        timings = []
        for _ in range(runs + 1):
            ProgramPdf.objects.filter(program=program).delete()  # force a fresh render each time
            render_program_pdf.delay(program.pk)
            deadline = time.monotonic() + 120
            while not ProgramPdf.objects.filter(program=program, content__isnull=False).exists():
                if time.monotonic() > deadline:
                    raise RuntimeError("worker render timed out")
                time.sleep(0.05)
            timings.append(ProgramPdf.objects.get(program=program).render_ms)
        peak_kb = _vm(worker.pid, "VmHWM")
        print(f"worker render times (ms, first is cold): {timings}")
        return timings[1:], idle_kb / 1024, peak_kb / 1024
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def cached_serve(program, physio, runs: int) -> list[float]:
    from rest_framework.test import APIClient

    from programs import services

    services.request_pdf(program=program)  # the worker has cached it; make sure it is current
    client = APIClient()
    client.force_authenticate(physio)
    url = f"/api/v1/programs/{program.pk}/pdf/"
    for _ in range(3):
        assert client.get(url).status_code == 200
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        program, physio = scene()
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        local, cpu = in_process(program, args.runs)
        print(
            f"render in process over {args.runs} runs: median {statistics.median(local):.0f} ms wall, "
            f"{statistics.median(cpu):.0f} ms CPU; max {max(local):.0f} ms wall (target: median < 1500 ms)"
        )
        worker_ms, idle_mb, peak_mb = in_worker(program, args.runs)
        print(
            f"render in a Celery worker over {args.runs} runs: median {statistics.median(worker_ms):.0f} ms; "
            f"worker memory idle {idle_mb:.0f} MB, peak {peak_mb:.0f} MB (target: peak < 300 MB)"
        )
        served = cached_serve(program, physio, 50)
        print(
            f"cached PDF served over 50 requests: median {statistics.median(served):.1f} ms, "
            f"p90 {sorted(served)[44]:.1f} ms (target: < 30 ms)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
