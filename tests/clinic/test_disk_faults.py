"""Files are written atomically: a full or read-only disk leaves no half-written file, and a failed render says so.

The disk faults are real: MEDIA_ROOT on a tiny tmpfs filled to the last byte (as root), or on a read-only folder
otherwise (root ignores folder permissions, so it gets the tmpfs).
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from clinic.files import TEMP_PREFIX, AtomicFileSystemStorage, atomic_write


class Disk:
    def __init__(self, root: Path, filler: Path | None):
        self.root = root
        self.filler = filler

    def files(self) -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file() and p != self.filler)

    def free_up(self) -> None:
        if self.filler is not None:
            self.filler.unlink()
        else:
            self.root.chmod(0o755)


@pytest.fixture
def broken_disk(settings):
    """MEDIA_ROOT and the private storage on a disk that refuses writes; `.free_up()` ends the fault."""
    mount_point = Path(tempfile.mkdtemp(prefix="medius-disk-"))
    mounted = False
    if os.geteuid() == 0:
        mount = ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)]
        subprocess.run(mount, check=True)  # noqa: S603
        mounted = True
    try:
        yield from _set_up(mount_point, mounted, settings)
    finally:
        if mounted:
            subprocess.run(["umount", str(mount_point)], check=True)  # noqa: S603, S607
        shutil.rmtree(mount_point, ignore_errors=True)


def _set_up(mount_point: Path, mounted: bool, settings):
    media = mount_point / "media"
    for sub in ("exercises", "reports", "private"):
        (media / sub).mkdir(parents=True)
    filler = None
    if mounted:
        filler = media / "filler"
        try:
            with filler.open("wb") as out:  # fill the disk to the last block
                while True:
                    out.write(b"\0" * 4096)
                    out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    else:
        for folder in (media, *media.iterdir()):
            folder.chmod(0o555)
    settings.MEDIA_ROOT = media
    # Patient files (progress reports) live in the private storage: on the same broken disk.
    private = {**settings.STORAGES["private"], "OPTIONS": {"location": media / "private"}}
    settings.STORAGES = {**settings.STORAGES, "private": private}
    try:
        yield Disk(media, filler)
    finally:
        if not mounted:
            for folder in (media, *media.iterdir()):
                folder.chmod(0o755)


def _png(size=(600, 400)) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 80).convert("RGB").save(buffer, "PNG")  # noise: does not compress below the disk size
    return buffer.getvalue()


# --- the atomic write itself --------------------------------------------------------------------------------------


def test_atomic_write_replaces_the_whole_file(tmp_path):
    target = tmp_path / "a.pdf"
    atomic_write(target, b"old")
    atomic_write(target, [b"new ", b"content"])
    assert target.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_a_write_that_fails_half_way_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a.pdf"
    atomic_write(target, b"old")

    def chunks():
        yield b"half of it"
        raise OSError(errno.EIO, "I/O error")

    with pytest.raises(OSError):
        atomic_write(target, chunks())
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_on_a_full_disk_the_write_fails_and_nothing_is_left(broken_disk):
    target = broken_disk.root / "reports" / "a.pdf"
    with pytest.raises(OSError):
        atomic_write(target, b"x" * 200_000)
    assert broken_disk.files() == []
    broken_disk.free_up()
    atomic_write(target, b"x" * 200_000)
    assert target.stat().st_size == 200_000


def test_the_storage_saves_under_a_free_name_and_never_shows_a_temporary_one(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    first = storage.save("reports/r.pdf", ContentFile(b"one"))
    second = storage.save("reports/r.pdf", ContentFile(b"two"))
    assert first == "reports/r.pdf" and second != first and second.startswith("reports/r")
    assert ((tmp_path / first).read_bytes(), (tmp_path / second).read_bytes()) == (b"one", b"two")
    assert not [p for p in (tmp_path / "reports").iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_the_project_stores_files_with_the_atomic_storage():
    from django.core.files.storage import storages

    assert isinstance(storages["default"], AtomicFileSystemStorage)


# --- picture uploads ----------------------------------------------------------------------------------------------


def test_a_picture_upload_on_a_full_disk_saves_nothing_and_says_so(broken_disk, client, physio):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from programs.models import ExercisePicture
    from tests.factories import ExerciseFactory

    exercise = ExerciseFactory()
    client.force_login(physio)
    upload = SimpleUploadedFile("p.png", _png(), content_type="image/png")
    response = client.post(f"/programs/exercises/{exercise.pk}/pictures/", {"image": upload}, follow=True)
    assert response.status_code == 200
    assert "could not be stored" in response.content.decode()
    assert not ExercisePicture.objects.exists()
    assert broken_disk.files() == []  # no half-written picture, no temporary file

    broken_disk.free_up()
    upload = SimpleUploadedFile("p.png", _png(), content_type="image/png")
    response = client.post(f"/programs/exercises/{exercise.pk}/pictures/", {"image": upload}, follow=True)
    assert "Picture added." in response.content.decode()
    picture = ExercisePicture.objects.get()
    assert picture.image.size > 0 and picture.print_image.size > 0
    assert len(broken_disk.files()) == 2


# --- progress reports ---------------------------------------------------------------------------------------------


def test_a_report_that_cannot_be_saved_is_marked_failed_with_a_retry_button_and_no_file(
    broken_disk, client, physio, django_capture_on_commit_callbacks
):
    from assessments import services
    from assessments.models import ProgressReport
    from assessments.tasks import render_progress_report
    from tests.factories import AssessmentFactory, PatientFactory

    patient = PatientFactory()
    AssessmentFactory(patient=patient, signed=True)
    report = services.request_progress_report(patient=patient, audience="patient", actor=physio)

    with pytest.raises(OSError):
        render_progress_report(report.pk)  # what the worker runs; it records the failure before raising
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.FAILED
    assert report.error.startswith("The PDF could not be saved:")
    assert not report.file
    assert broken_disk.files() == []  # no 0-byte or partial PDF

    client.force_login(physio)
    page = client.get(f"/assessments/patient/{patient.pk}/progress/").content.decode()
    assert "Failed" in page and report.error in page
    assert f'action="/assessments/reports/{report.pk}/retry/"' in page
    assert client.get(f"/assessments/reports/{report.pk}/").status_code == 404

    broken_disk.free_up()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/assessments/reports/{report.pk}/retry/").status_code == 302
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.READY
    download = client.get(f"/assessments/reports/{report.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_only_a_failed_report_can_be_retried(client, physio):
    from assessments import services
    from tests.factories import AssessmentFactory, PatientFactory

    patient = PatientFactory()
    AssessmentFactory(patient=patient, signed=True)
    report = services.request_progress_report(patient=patient, audience="patient", actor=physio)
    client.force_login(physio)
    response = client.post(f"/assessments/reports/{report.pk}/retry/", follow=True)
    assert "Only a failed report can be prepared again." in response.content.decode()
