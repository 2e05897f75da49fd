"""The one way API views call services: Django validation errors become 400s, conflicts 409s."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from clinic.api import Conflict

from .. import services


def _as_api_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


def _call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        raise _as_api_error(exc) from exc
    except services.ProgramConflict as exc:
        raise Conflict(str(exc)) from exc
