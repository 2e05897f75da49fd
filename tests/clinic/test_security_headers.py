"""Content-Security-Policy, Permissions-Policy and who may read the API's description."""

import re

import pytest
from django.urls import reverse

from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_send_a_strict_content_security_policy(persona_client):
    response = persona_client("front_desk").get(reverse("patients:list"))
    directives = _directives(response)
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["style-src-elem"]


def test_a_nonce_in_the_policy_matches_the_scripts_that_carry_it(persona_client):
    response = persona_client("front_desk").get(reverse("patients:list"))
    body = response.content.decode()
    nonces = set(re.findall(r'\bnonce="([^"]+)"', body))
    policy_nonces = {v[len("'nonce-") : -1] for v in _directives(response)["script-src"] if v.startswith("'nonce-")}
    assert nonces <= policy_nonces


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("anonymous", "/accounts/login/"),
        ("anonymous", "/book/"),
        ("front_desk", "/"),
        ("front_desk", "/patients/"),
        ("front_desk", "/calendar/"),
        ("front_desk", "/calendar/waiting-list/"),
        ("front_desk", "/outbox/"),
        ("physio", "/programs/exercises/"),
        ("admin_user", "/audit/"),
        ("admin_user", "/settings/"),
    ],
)
def test_pages_have_no_inline_script_handler_or_style_element(persona, url, persona_client):
    PatientFactory()
    response = persona_client(persona).get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    assert not INLINE_SCRIPT.findall(body), url
    assert not HANDLER_ATTRIBUTE.findall(body), url
    assert "<style" not in body, url
    # htmx would otherwise add an inline <style> for its indicators, which the policy refuses.
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in body


def test_the_permissions_policy_switches_off_what_medius_does_not_use(client):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
    # Passkeys (security keys) must keep working for the sign-in.
    assert "publickey-credentials-get" not in policy


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/docs/?script=", "/api/redoc/"])
def test_the_api_description_is_for_signed_in_staff_only(url, client, persona_client):
    assert client.get(url).status_code in (401, 403)
    response = persona_client("front_desk").get(url)
    assert response.status_code == 200


def test_swagger_ui_starts_from_a_script_file_not_an_inline_script(persona_client):
    client = persona_client("front_desk")
    page = client.get("/api/docs/")
    assert not INLINE_SCRIPT.findall(page.content.decode())
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content
