"""The HTTP SMS gateway backend against a fake gateway: a real HTTP server on loopback (the only thing faked is the
provider, which lives outside the machine)."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from clinic import tasks
from clinic.models import Notification
from clinic.notifications import dispatch, services
from clinic.notifications.sms import HttpGatewayBackend, SmsError
from clinic.selectors import get_practice

from .notifications_support import SUBJECT_TYPE, free_port

Status = Notification.Status


class FakeGateway:
    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.body = {"id": "gw-123"}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server's hook name
                length = int(self.headers["Content-Length"])
                gateway.requests.append(
                    {"headers": dict(self.headers), "json": json.loads(self.rfile.read(length)), "path": self.path}
                )
                payload = json.dumps(gateway.body).encode()
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def gateway(settings):
    with FakeGateway() as fake:
        settings.SMS_BACKEND = "clinic.notifications.sms.HttpGatewayBackend"
        settings.SMS_GATEWAY_URL = fake.url
        settings.SMS_GATEWAY_TOKEN = "s3cret"
        settings.SMS_SENDER = "Riverside"
        yield fake


@pytest.fixture
def sms(db):
    practice = get_practice()
    practice.sms_quiet_start = practice.sms_quiet_end = dt.time(0, 0)  # never quiet: the test must not watch the clock
    practice.save()
    notification, _ = services.schedule(
        subject_type=SUBJECT_TYPE,
        subject_id=1,
        kind="reminder",
        channel="sms",
        recipient="+447700900123",
        due_at=timezone.now() - dt.timedelta(seconds=1),
        subject_label="MD-SMS1",
    )
    return notification


def test_an_sms_is_posted_to_the_gateway_with_its_token_and_an_idempotency_key(gateway, sms):
    tasks.send_due_notifications()

    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert sms.provider_id == "gw-123"
    [request] = gateway.requests
    assert request["json"] == {
        "to": "+447700900123",
        "from": "Riverside",
        "text": "Reminder: visit MD-SMS1",
        "reference": dispatch.idempotency_key(sms),
    }
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert request["headers"]["Idempotency-Key"] == dispatch.idempotency_key(sms)
    assert re.fullmatch(r"notification-[0-9a-f]{32}", request["headers"]["Idempotency-Key"])


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing in the worker catches it."""


def test_a_text_repeated_after_a_crash_carries_the_same_idempotency_key(gateway, sms, settings, monkeypatch):
    real = dispatch._mark_sent

    def dying(*args, **kwargs):
        raise WorkerKilled  # the gateway took the text; the worker dies before recording it

    monkeypatch.setattr(dispatch, "_mark_sent", dying)
    token, rows = dispatch.claim_due(limit=10)
    with pytest.raises(WorkerKilled):
        dispatch.Sender().send(rows, token)
    monkeypatch.setattr(dispatch, "_mark_sent", real)
    dispatch.recover_stale(now=timezone.now() + dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT + 1))
    tasks.send_due_notifications()

    sms.refresh_from_db()
    assert sms.status == Status.SENT
    keys = [request["headers"]["Idempotency-Key"] for request in gateway.requests]
    assert keys == [dispatch.idempotency_key(sms)] * 2  # a gateway that honours the key texts the patient once


def test_a_retry_after_a_gateway_error_carries_the_same_idempotency_key(gateway, sms):
    gateway.status = 503
    tasks.send_due_notifications()
    gateway.status = 200
    Notification.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now())
    tasks.send_due_notifications()
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert len({request["headers"]["Idempotency-Key"] for request in gateway.requests}) == 1


def test_a_gateway_error_on_its_side_is_retried_later(gateway, sms):
    gateway.status, gateway.body = 503, {"error": "maintenance"}
    tasks.send_due_notifications()
    sms.refresh_from_db()
    assert sms.status == Status.PENDING
    assert sms.next_attempt_at > timezone.now()
    assert "503" in sms.last_error


def test_a_number_the_gateway_refuses_fails_with_its_answer(gateway, sms):
    gateway.status, gateway.body = 400, {"error": "invalid destination"}
    tasks.send_due_notifications()
    sms.refresh_from_db()
    assert sms.status == Status.FAILED
    assert "400" in sms.reason
    assert "invalid destination" in sms.reason


def test_an_unreachable_gateway_is_a_passing_fault(settings, sms):
    settings.SMS_BACKEND = "clinic.notifications.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{free_port()}/messages"
    tasks.send_due_notifications()
    sms.refresh_from_db()
    assert sms.status == Status.PENDING
    assert "unreachable" in sms.last_error


def test_too_many_requests_is_a_passing_fault():
    with FakeGateway() as fake:
        fake.status = 429
        with pytest.raises(SmsError) as error:
            HttpGatewayBackend(url=fake.url, token="").send(to="+447700900123", text="hi", reference="r1")
    assert error.value.transient


def test_the_console_backend_is_the_default_and_sends_nowhere(settings, sms, caplog):
    settings.SMS_BACKEND = "clinic.notifications.sms.ConsoleBackend"
    with caplog.at_level("INFO", logger="clinic.notifications.sms"):
        tasks.send_due_notifications()
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert "Reminder: visit MD-SMS1" in caplog.text
