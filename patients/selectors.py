from __future__ import annotations

import contextlib
import datetime as dt

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from .models import Patient


def search_patients(*, q: str = "", include_archived: bool = False) -> QuerySet[Patient]:
    """Patients matching every word of q in a name, email or phone (or a date of birth as YYYY-MM-DD)."""
    patients = Patient.objects.all()
    if not include_archived:
        patients = patients.filter(is_archived=False)
    for word in q.split():
        cond = (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word.lstrip("0"))
        )
        with contextlib.suppress(ValueError):
            cond |= Q(date_of_birth=dt.date.fromisoformat(word))
        patients = patients.filter(cond)
    return patients.order_by(Lower("last_name"), Lower("first_name"), "id")


def likely_duplicates(
    *, first_name: str, last_name: str, date_of_birth: dt.date | None, email: str = "", exclude_id: int | None = None
) -> QuerySet[Patient]:
    """Existing records that are probably the same person: same email, or same name and date of birth."""
    cond = Q(pk__in=[])
    if email:
        cond |= Q(email__iexact=email.strip())
    if date_of_birth and first_name and last_name:
        cond |= Q(
            first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), date_of_birth=date_of_birth
        )
    found = Patient.objects.filter(cond)
    if exclude_id:
        found = found.exclude(pk=exclude_id)
    return found.order_by("id")


def get_patient(patient_id: int) -> Patient:
    return Patient.objects.get(pk=patient_id)


def find_patient_by_email_and_dob(*, email: str, date_of_birth: dt.date) -> Patient | None:
    """Used by online booking: a returning patient is recognised by email and date of birth together."""
    return (
        Patient.objects.filter(email__iexact=email.strip(), date_of_birth=date_of_birth, is_archived=False)
        .order_by("id")
        .first()
    )
