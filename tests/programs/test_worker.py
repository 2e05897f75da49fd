"""Integration: a real Celery worker process, over Redis, renders the sheet and emails the patient's link."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from clinic.models import Notification
from programs import services
from programs.models import ProgramPdf
from tests.conftest import wait_until
from tests.factories import PatientFactory, ProgramFactory

pytestmark = pytest.mark.celery_worker


def test_a_real_worker_renders_the_sheet_and_emails_the_link(library, physio, smtp_inbox, celery_worker_process):
    patient = PatientFactory(first_name="Zoë", last_name="Ångström", email="zoe@mail.test")
    program = ProgramFactory(patient=patient, physio=physio, title="Hip stability")
    for key in ("clamshell", "wall_press"):
        services.add_item(program=program, exercise=library[key], actor=physio)
    services.activate_program(program=program, actor=physio)  # queues the render and the email, after commit

    api = APIClient()
    api.force_authenticate(physio)

    def fetched():
        response = api.get(f"/api/v1/programs/{program.pk}/pdf/")
        assert response.status_code in (200, 202)
        return response if response.status_code == 200 else None

    response = wait_until(fetched)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Zoë Ångström" in text
    assert "3 sets of 15, each side, once a day" in text
    assert ProgramPdf.objects.get(program=program).render_ms > 0

    message = smtp_inbox.wait_for(1)[0]
    assert message.rcpt_tos == ["zoe@mail.test"]
    assert b"/plan/" in message.content
    # Sent by clinic's dispatcher from the outbox record, which the worker marked sent before the mail was complete.
    record = Notification.objects.get(kind=Notification.Kind.PROGRAM_READY, subject_id=str(program.pk))
    assert (record.status, record.recipient, record.attempts) == (Notification.Status.SENT, "zoe@mail.test", 1)
    assert f"X-Medius-Notification: {record.pk}".encode() in message.content
    assert b"/plan/" not in record.body.encode()
