"""Sending email: one place, one function per email in the apps, three templates per email.

An email named "bookings/confirmation" is templates/bookings/confirmation_subject.txt, _body.txt and _body.html.
Apps call send() from a Celery task (after commit); this module never queues anything itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .selectors import get_practice


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


def render(template: str, context: dict) -> tuple[str, str, str]:
    ctx = {"site_url": settings.SITE_URL, **context}
    if "practice" not in ctx:  # a caller rendering many messages passes the row it already has
        ctx["practice"] = get_practice()
    subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
    text = render_to_string(f"{template}_body.txt", ctx)
    html = render_to_string(f"{template}_body.html", ctx)
    return subject, text, html


def build(
    *,
    to: str | Iterable[str],
    template: str,
    context: dict,
    attachments: Iterable[Attachment] = (),
    headers: dict | None = None,
) -> EmailMultiAlternatives:
    subject, text, html = render(template, context)
    practice = get_practice()
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to] if isinstance(to, str) else list(to),
        reply_to=[practice.email] if practice.email else None,
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message


def send(**kwargs) -> EmailMultiAlternatives:
    """Render and send now. Raises what the mail backend raises (callers decide what is worth a retry)."""
    message = build(**kwargs)
    message.send(fail_silently=False)
    return message
