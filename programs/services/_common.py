"""What the services share: dose and program field names, the conflict error, dose checks, audit, row lock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clinic import audit

from ..models import (
    Program,
)

DOSE_FIELDS = ("sets", "reps", "hold_seconds", "side", "frequency", "load", "note")
PROGRAM_FIELDS = ("title", "start_date", "review_date", "notes")


class ProgramConflict(Exception):
    """The program is not in a state that allows this (e.g. a superseded version): HTTP 409."""


def link_lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.PROGRAM_LINK_DAYS)


def _check_dose(fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    sets, reps, hold = fields.get("sets"), fields.get("reps"), fields.get("hold_seconds")
    if sets is None or sets < 1:
        errors["sets"] = [_("Enter at least 1 set.")]
    if reps is not None and reps < 1:
        errors["reps"] = [_("Repetitions must be 1 or more.")]
    if hold is not None and hold < 1:
        errors["hold_seconds"] = [_("A hold must last at least 1 second.")]
    if reps is None and hold is None:
        errors.setdefault("reps", []).append(_("Give repetitions, a hold time, or both."))
    if errors:
        raise ValidationError(errors)


def _audit_program(program: Program, *, action: str, request, actor, summary: str) -> None:
    audit.record(
        action=action, request=request, actor=actor, obj=program, patient_id=program.patient_id, summary=summary
    )


def _lock(program: Program) -> Program:
    return Program.objects.select_for_update().select_related("patient", "physio").get(pk=program.pk)
