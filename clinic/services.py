from __future__ import annotations

from django.db import transaction

from . import audit
from .models import Practice


@transaction.atomic
def update_practice(*, practice: Practice, actor, request=None, **fields) -> Practice:
    for name, value in fields.items():
        setattr(practice, name, value)
    practice.full_clean()
    practice.save()
    audit.record(
        action=audit.Action.CHANGE,
        request=request,
        actor=actor,
        obj=practice,
        summary="Practice settings",
        detail={"fields": sorted(fields)},
    )
    return practice
