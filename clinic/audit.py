"""The audit trail: one function writes an entry, every app calls it.

Entries record who (id and a readable label, kept even if the account is later removed), what, which patient, when
(UTC) and from where. Nothing here updates or deletes an entry.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .models import AuditEvent

Action = AuditEvent.Action


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. X-Forwarded-For is believed only for the NUM_PROXIES proxies we run ourselves (the
    right-most entries); anything further left could be typed by the client to hide behind someone else's address."""
    if request is None:
        return None
    proxies = settings.NUM_PROXIES
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and forwarded:
        return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    request: HttpRequest | None = None,
    actor=None,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    patient_id: int | None = None,
    summary: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    return AuditEvent.objects.create(
        actor_id=actor.pk if actor else None,
        actor_label=actor.email if actor else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        patient_id=patient_id,
        summary=summary[:255],
        ip=client_ip(request),
        detail=detail or {},
    )
