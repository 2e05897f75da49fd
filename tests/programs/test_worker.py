"""Integration: a real Celery worker process, over Redis, renders the sheet and emails the patient's link."""

from __future__ import annotations

import io
import socket
import time

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from clinic.models import Notification
from programs import services
from programs.models import ProgramPdf
from tests.factories import PatientFactory, ProgramFactory

pytestmark = pytest.mark.celery_worker


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_inbox(monkeypatch):
    """A real SMTP server on this machine; the worker (started after this fixture) sends to it."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{port}")
    yield inbox
    controller.stop()


def _wait(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError("the worker did not finish in time")


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

    response = _wait(fetched)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Zoë Ångström" in text
    assert "3 sets of 15, each side, once a day" in text
    assert ProgramPdf.objects.get(program=program).render_ms > 0

    message = _wait(lambda: smtp_inbox.messages)[0]
    assert message.rcpt_tos == ["zoe@mail.test"]
    assert b"/plan/" in message.content
    # Sent by clinic's dispatcher from the outbox record, which the worker marked sent before the mail was complete.
    record = Notification.objects.get(kind=Notification.Kind.PROGRAM_READY, subject_id=str(program.pk))
    assert (record.status, record.recipient, record.attempts) == (Notification.Status.SENT, "zoe@mail.test", 1)
    assert f"X-Medius-Notification: {record.pk}".encode() in message.content
    assert b"/plan/" not in record.body.encode()
