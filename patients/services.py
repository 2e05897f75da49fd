"""Every write to a patient record, with its audit entry, in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic import audit

from .models import Patient

EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "email",
    "phone",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "referrer",
    "notes",
    "consent_email",
    "consent_sms",
    "data_consent_at",
)


def _validate(patient: Patient) -> None:
    if patient.date_of_birth and patient.date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": "The date of birth cannot be in the future."})
    patient.email = (patient.email or "").strip().lower()
    patient.full_clean(exclude=["created_by"])


@transaction.atomic
def create_patient(*, actor=None, request=None, **fields: Any) -> Patient:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown patient fields: {sorted(unknown)}")
    patient = Patient(created_by=actor if getattr(actor, "is_authenticated", False) else None, **fields)
    _validate(patient)
    patient.save()
    audit.record(
        action=audit.Action.CREATE,
        request=request,
        actor=actor,
        obj=patient,
        patient_id=patient.pk,
        summary=f"Patient {patient.full_name}",
    )
    return patient


@transaction.atomic
def update_patient(*, patient: Patient, actor=None, request=None, **fields: Any) -> Patient:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown patient fields: {sorted(unknown)}")
    before = {name: getattr(patient, name) for name in fields}
    for name, value in fields.items():
        setattr(patient, name, value)
    _validate(patient)
    changed = sorted(name for name in fields if before[name] != getattr(patient, name))
    patient.save()
    if changed:
        # Field names only: the audit trail must not become a second copy of the record.
        audit.record(
            action=audit.Action.CHANGE,
            request=request,
            actor=actor,
            obj=patient,
            patient_id=patient.pk,
            summary=f"Changed {', '.join(changed)}",
            detail={"fields": changed},
        )
    return patient


@transaction.atomic
def set_archived(*, patient: Patient, archived: bool, actor=None, request=None) -> Patient:
    if patient.is_archived != archived:
        patient.is_archived = archived
        patient.save(update_fields=["is_archived", "updated_at"])
        audit.record(
            action=audit.Action.CHANGE,
            request=request,
            actor=actor,
            obj=patient,
            patient_id=patient.pk,
            summary="Archived" if archived else "Restored from archive",
            detail={"fields": ["is_archived"]},
        )
    return patient


def record_view(*, patient: Patient, request, what: str = "record") -> None:
    audit.record(
        action=audit.Action.VIEW, request=request, obj=patient, patient_id=patient.pk, summary=f"Viewed {what}"
    )
