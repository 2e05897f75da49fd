"""A boundary sweep over every parameter the OpenAPI schema lists: NUL characters, lone surrogates, huge and
non-ASCII numbers and extreme dates never cause a 500; text the input policy refuses answers a 400 naming the field;
every answer is JSON in the one error shape.

Operations and parameters are read from the schema itself, so a new endpoint is swept without editing this file
(its path ids come from RECORD_IDS below: add the new resource there).
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from bookings import links
from clinic.roles import Role
from programs.models import Exercise, ProgramTemplate
from tests.factories import UserFactory

from .api_contract import api_token, make_practice, openapi_document

pytestmark = pytest.mark.django_db

SCHEMA = openapi_document()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, item in sorted(SCHEMA["paths"].items())
    for method, operation in item.items()
    if method in ("get", "post", "put", "patch", "delete")
]

NUL = "bad\x00text"
SURROGATE = "bad\ud800text"
TEXT_POLICY = (NUL, SURROGATE)
# One value of each kind that has broken an API before; kept short, since every value meets every parameter.
QUERY_VALUES = (NUL, "99999999999999999999", "²", "0", "9999-12-31", "0001-01-01")  # no surrogate in a URL
BODY_VALUES = (*TEXT_POLICY, 99999999999999999999, "²", "9999-12-31", "0001-01-01T00:00:00Z", ["bad\x00"])


def _record_ids(practice) -> dict[str, str]:
    """A real id for each resource, so a sweep of a detail operation's query and body gets past its 404."""
    appointment = practice["appointment"]
    return {
        "patients": str(practice["patients"][0].pk),
        "appointments": str(appointment.pk),
        "assessments": str(practice["assessments"][0].pk),
        "exercises": str(Exercise.objects.order_by("id").values_list("id", flat=True).first()),
        "program-templates": str(ProgramTemplate.objects.values_list("id", flat=True).first()),
        "programs": str(practice["program"].pk),
        "bookings": links.token_for(appointment.manage_nonce),
    }


def _fill(path: str, ids: dict[str, str], override: str | None = None) -> str:
    def one(match: re.Match) -> str:
        if override is not None:
            return override
        resource = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        return ids[resource]

    return re.sub(r"\{[^}]+\}", one, path)


def _resolve(schema: dict) -> dict:
    ref = schema.get("$ref")
    return SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def _body_fields(operation: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return []
    return sorted(_resolve(content["application/json"]["schema"]).get("properties", {}))


def _assert_json_answer(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.content[:300]!r}"
    if response.status_code == 204 or response["Content-Type"].startswith("application/pdf"):
        return
    assert response["Content-Type"].startswith("application/json"), f"{what}: {response['Content-Type']}"
    body = response.json()
    if response.status_code >= 400:
        assert {"code", "detail"} <= set(body), f"{what}: {body}"


@pytest.fixture
def sweep():
    practice = make_practice()
    admin = UserFactory(email="sweep-admin@contract.test", role=Role.ADMIN)
    client = Client(headers={"Authorization": f"Token {api_token(admin)}"})
    return client, _record_ids(practice)


def _send(client: Client, method: str, url: str, body=None):
    payload = json.dumps(body) if body is not None else None
    return client.generic(method, url, payload or "", content_type="application/json")


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_no_boundary_value_breaks_the_operation(sweep, method, path, operation):
    client, ids = sweep
    url = _fill(path, ids)
    swept = 0
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            for value in ("%00", "99999999999999999999", "%C2%B2", "0"):
                response = _send(client, method, _fill(path, ids, override=value))
                _assert_json_answer(response, f"{method} {path} with path {parameter['name']}={value!r}")
                swept += 1
        elif parameter["in"] == "query":
            for value in QUERY_VALUES:
                response = _send(client, method, f"{url}?{parameter['name']}={_quote(value)}")
                what = f"{method} {path} with ?{parameter['name']}={value!r}"
                _assert_json_answer(response, what)
                if value in TEXT_POLICY:
                    assert response.status_code == 400, what
                    assert parameter["name"] in response.json()["errors"], what
                swept += 1
    for field in _body_fields(operation):
        for value in BODY_VALUES:
            response = _send(client, method, url, {field: value})
            what = f"{method} {path} with {field}={value!r}"
            _assert_json_answer(response, what)
            if value in TEXT_POLICY:
                assert response.status_code == 400, what
                assert field in response.json()["errors"], what
            swept += 1
    if not swept:  # an operation with nothing to sweep is still called once, plainly
        _assert_json_answer(_send(client, method, url), f"{method} {path}")


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")
