"""API plumbing shared by every app: one error shape.

Every error body is {"code": "...", "detail": "...human sentence..."}; validation errors add
"errors": {"field": ["message", ...]} (nested for nested objects, "non_field_errors" for the whole object).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import unavailable, validation


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


# --- the one error body, as the schema shows it (clinic.schema documents it on every operation) --------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text='A stable machine-readable code, e.g. "invalid", "not_found", "conflict".')
    detail = serializers.CharField(help_text="A sentence for people.")
    errors = serializers.DictField(
        required=False,
        help_text='Field errors for a 400: {"field": ["message", ...]}, nested like the request body.',
    )


# --- query parameters: parsed strictly, refused with a 400 that names the parameter --------------------------------


def _refuse(name: str, message) -> exceptions.ValidationError:
    return exceptions.ValidationError({name: [str(message)]})


def _present_but_empty(request, name: str) -> bool:
    # `?status=` is not "no filter": the schema gives the parameter a type or an enum the empty string breaks, and a
    # client that sends it has a bug worth a 400 rather than a silently unfiltered list.
    return name in request.query_params and request.query_params.get(name) == ""


def query_id(request, name: str) -> int | None:
    """An id from the query string (None when absent); "", "²", "-1", "1e3" and ids beyond bigint answer 400."""
    if _present_but_empty(request, name):
        raise _refuse(name, _("A number is required."))
    try:
        return validation.parse_id(request.query_params.get(name, ""))
    except DjangoValidationError as exc:
        raise _refuse(name, exc.messages[0]) from exc


def query_bool(request, name: str) -> bool:
    """true/false/1/0 (absent = false); anything else answers 400 rather than being silently ignored."""
    if _present_but_empty(request, name):
        raise _refuse(name, _('Use "true" or "false".'))
    value = request.query_params.get(name, "")
    if value in ("", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise _refuse(name, _('Use "true" or "false".'))


def query_choice(request, name: str, choices) -> str:
    """One of the given values, or "" when absent; an unknown value answers 400 (it is never echoed)."""
    if _present_but_empty(request, name):
        raise _refuse(name, _("Not one of the allowed values."))
    value = request.query_params.get(name, "")
    if value and value not in choices:
        raise _refuse(name, _("Not one of the allowed values."))
    return value


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages are numbered from 1: page 0, "abc" or "²" answer 400; a page past the end answers 404."""

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "")
        if raw == "":
            return 1
        try:
            return validation.parse_id(raw)
        except DjangoValidationError as exc:
            raise _refuse(self.page_query_param, _("A page number is a whole number from 1.")) from exc

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": validation.MAX_ID}
        return parameters


# --- JSON bodies keep their types ----------------------------------------------------------------------------------
# DRF's fields are lenient so that form and query strings ("5", "true") parse; a JSON body has real types, and the
# schema promises them: {"sets": "5"}, {"first_name": 0} or {"consent_sms": "yes"} is a 400, as the schema says.
# Query-string serializers (data is a QueryDict) keep parsing text.

_JSON_TYPES = (
    (serializers.BooleanField, (bool,), ()),
    (serializers.IntegerField, (int,), (bool,)),
    (serializers.FloatField, (int, float), (bool,)),
    (serializers.CharField, (str,), ()),
    (serializers.PrimaryKeyRelatedField, (int,), (bool,)),
    (serializers.SlugRelatedField, (str,), ()),
    (serializers.ManyRelatedField, (list,), ()),  # DRF takes any iterable, a {} too
)


def _from_json_body(field) -> bool:
    data = getattr(field.root, "initial_data", None)
    return data is not None and not isinstance(data, QueryDict)


def _strict(original, accepted: tuple, refused: tuple):
    def to_internal_value(self, data):
        if _from_json_body(self) and (not isinstance(data, accepted) or isinstance(data, refused)):
            key = next(k for k in ("incorrect_type", "not_a_list", "invalid") if k in self.error_messages)
            self.fail(key, data_type=type(data).__name__, input_type=type(data).__name__)
        return original(self, data)

    to_internal_value.medius_strict = True
    return to_internal_value


def install_strict_json_types() -> None:
    """Called once at start-up (clinic.apps)."""
    for field_class, accepted, refused in _JSON_TYPES:
        if not getattr(field_class.to_internal_value, "medius_strict", False):
            field_class.to_internal_value = _strict(field_class.to_internal_value, accepted, refused)


class StrictFilterForm(forms.Form):
    """The form behind a FilterSet (Meta.form): a filter given with an empty value ("?date_to=") is an error, not a
    filter silently ignored. DjangoFilterBackend answers an invalid form with a 400 naming the parameter."""

    def clean(self):
        data = super().clean()
        for name in self.fields:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
            if name in self.data and any(value in ("", None) for value in values):
                self.add_error(name, _("Give a value, or leave the parameter out."))
        return data
