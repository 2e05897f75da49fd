"""Test-only parts for the notification machinery: a renderer for a made-up subject, and a real SMTP server.

Real worker processes load this module too (`celery worker --include tests.clinic.notifications_support`), so the
integration tests need no app's data. The SMTP server is aiosmtpd on loopback: it speaks real SMTP and counts
every message it accepted by its X-Medius-Notification header.
"""

from __future__ import annotations

from clinic.notifications import Email, Skip, Sms, register_renderer

from .smtp_sink import SmtpServer, free_port, parse

__all__ = ["SUBJECT_TYPE", "SmtpServer", "free_port", "parse", "render"]

SUBJECT_TYPE = "tests.visit"


def render(notification) -> Email | Sms:
    label = notification.subject_label
    if label.startswith("skip:"):
        raise Skip(label.removeprefix("skip:"))
    if label == "boom":
        raise RuntimeError("the renderer broke")
    if notification.channel == "sms":
        return Sms(text=f"Reminder: visit {label}")
    return Email(subject=f"Reminder {label}", text=f"See you soon ({label}).", html=f"<p>See you soon ({label}).</p>")


for _kind in ("reminder", "confirmation", "cancellation"):
    register_renderer(subject_type=SUBJECT_TYPE, kind=_kind, renderer=render)
