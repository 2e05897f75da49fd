"""Generated from the URL configuration: every endpoint has a rule, and the rule holds for every persona.

A new URL whose view declares no capability fails test_every_endpoint_declares_a_capability. The behaviour tests
request every URL (with placeholder ids, so the permission check must come before the object lookup) as each persona
and compare with clinic.permissions.MATRIX.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from clinic.permissions import MATRIX, PUBLIC, capability_for_api_view
from clinic.roles import Role

ADMIN_PREFIX = "admin/"


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _capabilities(callback) -> set[str]:
    """Every capability a view may require (DRF views may declare one per action)."""
    if hasattr(callback, "medius_capability"):
        return {callback.medius_capability}
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    cap = getattr(view_class, "capability", None)
    if isinstance(cap, dict):
        return set(cap.values())
    return {cap} if cap else set()


def _get_capability(callback) -> str | None:
    """The capability a GET request needs."""
    if hasattr(callback, "medius_capability"):
        return callback.medius_capability
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    cap = getattr(view_class, "capability", None)
    if isinstance(cap, dict):
        actions = getattr(callback, "actions", None) or {}
        fake = type("V", (), {"capability": cap, "action": actions.get("get")})()
        request = type("R", (), {"method": "GET"})()
        return capability_for_api_view(fake, request)
    return cap


def _fill(route: str) -> str:
    def sub(match):
        conv, _name = (match.group(1) or "str"), match.group(2)
        return {"int": "999999", "uuid": str(uuid.uuid4()), "path": "x/y", "slug": "no-such-thing"}.get(conv, "nothing")

    url = re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)
    # Regex routes from DRF's format suffixes and the admin site: keep only plain ones.
    return "/" + url


def _endpoints():
    seen = []
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith(ADMIN_PREFIX):
            continue
        seen.append((route, callback))
    return seen


ENDPOINTS = _endpoints()


def test_the_walk_finds_the_endpoints():
    routes = [r for r, _ in ENDPOINTS]
    assert "accounts/login/" in routes
    assert "patients/<int:pk>/" in routes
    assert len(routes) > 15


@pytest.mark.parametrize(("route", "callback"), ENDPOINTS, ids=[r for r, _ in ENDPOINTS])
def test_every_endpoint_declares_a_capability(route, callback):
    caps = _capabilities(callback)
    assert caps, f"{route} has no capability: decorate it with clinic.permissions.require or set `capability`"
    assert caps <= set(MATRIX), f"{route} names an unknown capability {caps - set(MATRIX)}"


PERSONA_ROLE = {
    "anonymous": Role.ANONYMOUS,
    "outsider": Role.ANONYMOUS,  # signed in but no role: the same rights as nobody
    "front_desk": Role.FRONT_DESK,
    "physio": Role.PHYSIO,
    "admin_user": Role.ADMIN,
}


@pytest.mark.parametrize("persona", list(PERSONA_ROLE))
def test_each_persona_gets_exactly_what_the_matrix_allows(persona, persona_client):
    client = persona_client(persona)
    wrong = []
    for route, callback in ENDPOINTS:
        cap = _get_capability(callback)
        if cap is None or cap == PUBLIC or "^" in route:  # regex routes cannot be filled; none are expected
            continue
        url = _fill(route)
        response = client.get(url, HTTP_ACCEPT="text/html")
        allowed = PERSONA_ROLE[persona] in MATRIX[cap]
        if allowed:
            if response.status_code in (401, 403) or (
                response.status_code == 302 and "/accounts/login/" in response.get("Location", "")
            ):
                wrong.append(f"{url}: {persona} refused ({response.status_code}) but {cap} allows it")
        elif persona == "anonymous":
            refused = response.status_code in (401, 403) or (
                response.status_code == 302 and "/accounts/login/" in response["Location"]
            )
            if not refused:
                wrong.append(f"{url}: anonymous got {response.status_code}")
        elif response.status_code != 403:
            wrong.append(f"{url}: {persona} got {response.status_code}, expected 403 for {cap}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("persona", "allowed"), [("anonymous", False), ("front_desk", False), ("physio", False), ("admin_user", False)]
)
def test_only_superusers_reach_the_admin_site(persona, allowed, persona_client):
    # Clinic admins run the practice from the app's Setup pages (audited, role-checked); /admin/ is the operator's.
    response = persona_client(persona).get("/admin/")
    assert (response.status_code == 200) is allowed


def test_a_superuser_reaches_the_admin_site(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="ops@clinic.test", is_superuser=True, is_staff=True))
    assert client.get("/admin/").status_code == 200
