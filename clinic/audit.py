"""The audit trail: one function writes an entry, every app calls it.

Entries record who (id and a readable label, kept even if the account is later removed), what, which patient, when
(UTC) and from where. Nothing here updates or deletes an entry.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def _actor(request: HttpRequest | None, actor):
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        return None
    return actor


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
    actor = _actor(request, actor)
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


def record_shown(
    *,
    request: HttpRequest | None,
    patient_ids: Iterable[int | None],
    object_type: str,
    summary: str,
    action: str = Action.VIEW,
    actor=None,
    detail: dict | None = None,
) -> list[AuditEvent]:
    """One entry per patient shown on a page or in an API response, written in a single INSERT.

    A list of 50 patients is 50 entries: the audit must answer "who saw this patient" for every patient, and one row
    saying "listed patients" answers it for none. Repeats (a patient with three appointments on a day) count once.
    """
    actor = _actor(request, actor)
    ip = client_ip(request)
    unique = list(dict.fromkeys(pid for pid in patient_ids if pid is not None))
    if not unique:
        return []
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            actor_id=actor.pk if actor else None,
            actor_label=actor.email if actor else "",
            action=action,
            object_type=object_type,
            object_id=str(pid) if object_type == "patients.patient" else "",
            patient_id=pid,
            summary=summary[:255],
            ip=ip,
            detail=detail or {},
        )
        for pid in unique
    )


class AuditShownMixin:
    """For DRF list views: one audit entry per patient on the page the response returns (audit.record_shown).

    `audit_patient_attr` names the attribute that holds an object's patient id ("pk" for patients themselves).
    """

    audit_patient_attr = "patient_id"
    audit_object_type = ""
    audit_summary = "Listed (API)"

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._audit_shown = page if page is not None else queryset
        return page

    def list(self, request, *args, **kwargs):
        self._audit_shown = []
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            record_shown(
                request=request,
                patient_ids=[getattr(obj, self.audit_patient_attr) for obj in self._audit_shown],
                object_type=self.audit_object_type,
                summary=self.audit_summary,
            )
        return response
