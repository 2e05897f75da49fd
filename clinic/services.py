from __future__ import annotations

from django.db import transaction

from . import audit
from .models import Practice


@transaction.atomic
def update_practice(*, practice: Practice, actor, request=None, **fields) -> Practice:
    old_logo = practice.logo.name
    if fields.get("logo") is False:  # the form's "clear" box
        fields["logo"] = ""
    for name, value in fields.items():
        setattr(practice, name, value)
    practice.full_clean()
    practice.save()
    if "logo" in fields and old_logo and old_logo != practice.logo.name:
        # A replaced or cleared logo leaves the public media folder too (after commit: a rollback keeps it).
        storage = practice.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    audit.record(
        action=audit.Action.CHANGE,
        request=request,
        actor=actor,
        obj=practice,
        summary="Practice settings",
        detail={"fields": sorted(fields)},
    )
    return practice
