"""API plumbing shared by every app: one error shape.

Every error body is {"code": "...", "detail": "...human sentence..."}; validation errors add
"errors": {"field": ["message", ...]} (nested for nested objects, "non_field_errors" for the whole object).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import unavailable


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if unavailable.is_database_outage(exc):
        request = context.get("request")
        return unavailable.response(request) if request is not None else None
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"code": "invalid", "detail": "Some fields are not valid.", "errors": errors}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        if isinstance(detail, dict):
            body = {"code": str(detail.get("code", code)), "detail": str(detail.get("detail", ""))}
            body.update({k: v for k, v in detail.items() if k not in body})
        else:
            body = {"code": str(code), "detail": str(detail)}
        response.data = body
    return response


def error_response(code: str, detail: str, http_status: int, **extra) -> Response:
    return Response({"code": code, "detail": detail, **extra}, status=http_status)
