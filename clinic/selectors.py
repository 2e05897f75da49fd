from __future__ import annotations

from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from .models import AuditEvent, Practice, User
from .roles import Role


def get_practice() -> Practice:
    """The practice settings row, created with defaults the first time it is needed."""
    practice, _ = Practice.objects.get_or_create(pk=1)
    return practice


def practice_zone() -> ZoneInfo:
    return ZoneInfo(get_practice().time_zone)


def staff_with_role(role: Role) -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=role.value)


def search_audit(
    *,
    q: str = "",
    action: str = "",
    patient_id: int | None = None,
    actor_id: int | None = None,
    date_from=None,
    date_to=None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if q:
        events = events.filter(
            Q(actor_label__icontains=q) | Q(summary__icontains=q) | Q(object_type__icontains=q) | Q(object_id=q)
        )
    if action:
        events = events.filter(action=action)
    if patient_id:
        events = events.filter(patient_id=patient_id)
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events
