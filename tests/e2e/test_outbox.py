"""Front desk finds a message the mail server refused, reads why, and sends it again once the problem is fixed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic import tasks
from clinic.models import Notification
from clinic.notifications import services
from tests.clinic.notifications_support import SUBJECT_TYPE, SmtpServer


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        yield server.handler


def schedule(label: str, recipient: str) -> Notification:
    notification, _ = services.schedule(
        subject_type=SUBJECT_TYPE,
        subject_id=label,
        kind="reminder",
        channel="email",
        recipient=recipient,
        due_at=timezone.now() - dt.timedelta(minutes=1),
        subject_label=label,
    )
    return notification


def test_front_desk_retries_a_refused_reminder_from_the_outbox(page, login, front_desk, smtp):
    schedule("MD-GOOD", "good@example.com")
    schedule("skip:The appointment was cancelled.", "gone@example.com")
    refused = schedule("MD-BOUNCE", "typo@example.com")
    original = type(smtp).handle_RCPT

    async def refuse_typo(handler, server, session, envelope, address, options):
        if address == "typo@example.com":
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    type(smtp).handle_RCPT = refuse_typo
    try:
        tasks.send_due_notifications()
    finally:
        type(smtp).handle_RCPT = original

    login(front_desk)
    page.get_by_role("link", name="Outbox").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    table = page.locator("table.outbox")
    expect(table).to_contain_text("MD-GOOD")
    expect(table).to_contain_text("The appointment was cancelled.")

    page.get_by_role("navigation", name="Status").get_by_role("link", name="Failed").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("typo@example.com")
    expect(table).not_to_contain_text("MD-GOOD")

    table.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reminder")
    expect(page.locator(".reason")).to_contain_text("550")

    page.get_by_role("button", name="Send again").click()  # the mail server takes it now
    expect(page.get_by_role("status")).to_contain_text("will be sent again")
    page.reload()
    expect(page.locator(".page-head .badge")).to_have_text("Sent")
    expect(page.get_by_role("button", name="Send again")).to_have_count(0)
    assert smtp.counts[str(refused.pk)] == 1
    refused.refresh_from_db()
    assert refused.status == Notification.Status.SENT
