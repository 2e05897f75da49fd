"""The OpenAPI schema tells the truth about every operation without each view repeating it.

- Every operation lists the errors it can answer, all in the one error shape (clinic.api.ErrorSerializer): 400 always
  (any query string or body may hold refused input), 401 and 403 unless public, 404 for a path with an id or a paged
  list, 409 for staff writes, 415 for a body, 429 where a throttle applies. A view's own description of a status wins.
- A body that nests objects is offered as JSON only: form encodings cannot carry it.
- Lists declare their item counts (a ListField(allow_empty=False) has minItems 1).
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from .api import ErrorSerializer
from .permissions import PUBLIC, capability_for_api_view

JSON = "application/json"


class _Request:
    """Enough of a request for capability_for_api_view while the schema is generated."""

    def __init__(self, method: str):
        self.method = method


def _nests_objects(serializer) -> bool:
    serializer = serializer() if isinstance(serializer, type) else serializer
    if isinstance(serializer, serializers.ListSerializer):
        return True
    fields = getattr(serializer, "fields", None)
    if fields is None:
        return False
    for field in fields.values():
        if field.read_only:
            continue
        if isinstance(field, serializers.BaseSerializer | serializers.DictField | serializers.JSONField):
            return True
        if isinstance(field, serializers.ListField) and isinstance(
            field.child, serializers.BaseSerializer | serializers.DictField | serializers.ListField
        ):
            return True
    return False


class AutoSchema(openapi.AutoSchema):
    def _error_responses(self) -> dict[int, str]:
        capability = capability_for_api_view(self.view, _Request(self.method))
        public = capability == PUBLIC
        has_body = self.method in ("POST", "PUT", "PATCH")
        errors = {400: "Bad input: field errors in `errors`, each naming its field."}
        if not public:
            errors[401] = "Not signed in: send a session cookie or `Authorization: Token <key>`."
            errors[403] = "Signed in, but this role may not do this."
        paged_list = self._is_list_view() and self._get_paginator() is not None
        if "{" in self.path or paged_list:
            errors[404] = "No such record" + (", or a page past the end of the list." if paged_list else ".")
        if has_body and not public:
            errors[409] = "The record's state does not allow this (e.g. signed, archived, superseded) or it clashes."
        if has_body:
            errors[415] = "Unsupported media type: send the body as documented (JSON unless stated)."
        if getattr(self.view, "throttle_classes", None):
            errors[429] = "Too many requests: wait the seconds in Retry-After."
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, description in self._error_responses().items():
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), str(status), [JSON], direction
                )
        return responses

    def map_parsers(self):
        media_types = super().map_parsers()
        serializer = self.get_request_serializer()
        nested = serializer is not None and not isinstance(serializer, dict) and _nests_objects(serializer)
        return [JSON] if nested and JSON in media_types else media_types

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ListField) and schema.get("type") == "array" and not field.allow_empty:
            schema.setdefault("minItems", max(1, field.min_length or 0))
        return schema
