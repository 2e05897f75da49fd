"""A sheet whose render fails says so and offers a retry, instead of "being prepared" for ever; a retry that works
gives the sheet. The fault is injected into the renderer (a full disk while WeasyPrint writes)."""

from __future__ import annotations

import pytest

from programs import services, tasks
from programs.models import ProgramPdf
from tests.factories import PatientFactory, ProgramFactory, ProgramItemFactory


@pytest.fixture
def program(library, physio):
    program = ProgramFactory(patient=PatientFactory(), physio=physio, title="Hip stability")
    ProgramItemFactory(program=program, exercise=library["clamshell"])
    return program


@pytest.fixture
def full_disk(monkeypatch):
    calls = []

    def fail(program):
        calls.append(program.pk)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tasks, "render_sheet", fail)
    return calls


def test_a_failed_render_is_shown_with_its_reason_and_a_retry_button_and_is_not_requeued(
    persona_client, program, full_disk, django_capture_on_commit_callbacks
):
    client = persona_client("physio")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/programs/{program.pk}/pdf/")
    page = client.get(f"/programs/{program.pk}/pdf/")
    assert page.status_code == 503
    text = page.content.decode()
    assert "could not be prepared" in text
    assert "No space left on device" in text
    assert 'method="post"' in text and "Try again" in text
    assert response.status_code in (202, 503)
    assert full_disk == [program.pk]  # looking again does not queue the same failing render again
    state = ProgramPdf.objects.get(program=program)
    assert state.content is None and state.failed_fingerprint and "No space left" in state.error


def test_try_again_renders_the_sheet_once_the_fault_is_gone(
    persona_client, program, full_disk, monkeypatch, django_capture_on_commit_callbacks
):
    client = persona_client("physio")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/programs/{program.pk}/pdf/")
    monkeypatch.undo()  # the disk has room again
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/programs/{program.pk}/pdf/")
    response = client.get(f"/programs/{program.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert ProgramPdf.objects.get(program=program).failed_fingerprint == ""


def test_the_patient_sees_the_failure_without_technical_detail(
    client, program, full_disk, django_capture_on_commit_callbacks
):
    program = services.activate_program(program=program, actor=program.physio)
    token = services.issue_link(program=program, purpose="staff")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/plan/{token}/pdf/")
    page = client.get(f"/plan/{token}/pdf/")
    assert page.status_code == 503
    assert "could not be prepared" in page.content.decode()
    assert "No space left" not in page.content.decode()


def test_the_api_tries_a_failed_render_again_when_asked(
    physio_api, program, full_disk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        physio_api.get(f"/api/v1/programs/{program.pk}/pdf/")
    with django_capture_on_commit_callbacks(execute=True):
        response = physio_api.get(f"/api/v1/programs/{program.pk}/pdf/")
    assert response.status_code == 202
    assert full_disk == [program.pk, program.pk]
