"""Files that hold patient data live in the private storage and leave it only through a checked, audited view."""

import importlib
import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.urls import clear_url_caches, reverse

from assessments import services
from assessments.models import ProgressReport
from clinic.models import AuditEvent
from clinic.storage import private_storage
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"progress-reports/[A-Za-z0-9_-]{32}\.pdf")
PDF = b"%PDF-1.4\n% a progress report with Jane Doe's strength and pain figures\n%%EOF\n"


def _ready_report(patient=None) -> ProgressReport:
    report = ProgressReport.objects.create(
        patient=patient or PatientFactory(first_name="Jane", last_name="Doe"), requested_by=UserFactory()
    )
    return services.store_rendered_report(report_id=report.pk, pdf=PDF)


def _stored_private_files() -> list[str]:
    root = Path(private_storage.path(""))
    return [str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()]


def _guessed_urls(name: str) -> list[str]:
    """Every URL a private file might be reached at if a folder were served by mistake."""
    return [
        f"/media/{name}",
        f"/media/private/{name}",
        f"/media/../private/{name}",
        f"/media/exercises/../{name}",
        f"/media/exercises/../../private/{name}",
        f"/private/{name}",
        f"/var/private/{name}",
        f"/static/{name}",
        f"/static/../var/private/{name}",
        f"/{name}",
    ]


@pytest.fixture(params=["production", "debug"])
def url_mode(request, settings):
    """The URL configuration as `make run` (DEBUG, which adds a media route) or production builds it."""
    import clinic.urls

    original = settings.DEBUG
    settings.DEBUG = request.param == "debug"
    importlib.reload(clinic.urls)
    clear_url_caches()
    yield request.param
    settings.DEBUG = original
    importlib.reload(clinic.urls)
    clear_url_caches()


@pytest.mark.parametrize("persona", ["anonymous", "front_desk"])
def test_no_stored_private_file_is_reachable_by_its_path(url_mode, persona, persona_client):
    _ready_report()
    _ready_report()
    names = _stored_private_files()
    assert len(names) == 2
    client = persona_client(persona)
    for name in names:
        for url in _guessed_urls(name):
            response = client.get(url)
            assert response.status_code != 200, (url_mode, persona, url)
            if response.streaming:
                assert b"Jane Doe" not in b"".join(response.streaming_content)
            else:
                assert b"Jane Doe" not in response.content


def test_report_files_are_outside_the_public_media_folder_under_a_random_name(settings):
    report = _ready_report(PatientFactory(first_name="Jane", last_name="Doe"))
    path = Path(private_storage.path(report.file.name)).resolve()
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert path.read_bytes() == PDF
    assert RANDOM_NAME.fullmatch(report.file.name)  # no patient id, name or date: nothing to guess
    with pytest.raises(ValueError, match="no URL"):
        report.file.url  # noqa: B018


def test_the_development_media_route_serves_pictures_but_nothing_else(url_mode, client, settings):
    public = storages["default"]
    public.save("exercises/1/picture.png", ContentFile(b"\x89PNG picture"))
    public.save("progress-reports/7/3-progress-7-20260101.pdf", ContentFile(PDF))  # a file left by an old version
    picture = client.get("/media/exercises/1/picture.png")
    assert picture.status_code == (200 if url_mode == "debug" else 404)
    if picture.streaming:  # reading it to the end lets the test client close the file
        assert b"".join(picture.streaming_content) == b"\x89PNG picture"
    for url in (
        "/media/progress-reports/7/3-progress-7-20260101.pdf",
        "/media/exercises/../progress-reports/7/3-progress-7-20260101.pdf",
    ):
        assert client.get(url).status_code == 404


def test_a_physio_downloads_a_report_with_private_headers_and_an_audit_entry(persona_client, physio):
    report = _ready_report()
    response = persona_client("physio").get(reverse("assessments:report-download", args=[report.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'attachment; filename="progress-report-{report.pk}.pdf"'
    event = AuditEvent.objects.get(action="export", object_id=str(report.pk))
    assert (event.actor_id, event.patient_id) == (physio.pk, report.patient_id)


def test_front_desk_and_anonymous_cannot_download_a_report(persona_client):
    report = _ready_report()
    url = reverse("assessments:report-download", args=[report.pk])
    assert persona_client("front_desk").get(url).status_code == 403
    anonymous = persona_client("anonymous").get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert not AuditEvent.objects.filter(action="export", object_id=str(report.pk)).exists()


def test_program_sheets_are_never_cached(physio_api):
    from programs import selectors as program_selectors
    from programs import services as program_services
    from tests.factories import ProgramFactory

    program = ProgramFactory()
    fingerprint = program_selectors.pdf_fingerprint(program)
    program_services.store_pdf(program_id=program.pk, fingerprint=fingerprint, content=PDF, render_ms=1)
    response = physio_api.get(f"/api/v1/programs/{program.pk}/pdf/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_migration_moves_old_public_reports_into_the_private_storage(django_capture_on_commit_callbacks):
    from django.apps import apps

    migration = importlib.import_module("assessments.migrations.0005_move_progress_reports_to_private_storage")
    patient = PatientFactory()
    report = ProgressReport.objects.create(patient=patient, requested_by=UserFactory(), status="ready")
    old_name = f"progress-reports/{patient.pk}/{report.pk}-progress-{patient.pk}-20260101.pdf"
    public = storages["default"]
    public.save(old_name, ContentFile(PDF))
    ProgressReport.objects.filter(pk=report.pk).update(file=old_name)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    with django_capture_on_commit_callbacks(execute=True):
        migration.move_reports(apps, editor)

    report.refresh_from_db()
    assert RANDOM_NAME.fullmatch(report.file.name)
    with private_storage.open(report.file.name) as moved:
        assert moved.read() == PDF
    assert not public.exists(old_name)
    assert not os.path.exists(os.path.join(public.location, "progress-reports", str(patient.pk)))


def test_private_root_inside_media_root_is_refused(monkeypatch, tmp_path):
    import subprocess
    import sys

    env = {
        **os.environ,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_ROOT": str(tmp_path / "media" / "private"),
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        check=False,
    )
    assert result.returncode != 0
    assert "PRIVATE_ROOT must not be inside MEDIA_ROOT" in result.stderr
