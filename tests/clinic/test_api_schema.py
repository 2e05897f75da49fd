"""The OpenAPI schema is valid, covers every API URL, and the docs work offline."""

import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def _api_routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _api_routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and prefix.startswith("api/v1/"):
            yield "/" + prefix + str(p.pattern)


def _shape(path: str) -> str:
    """Path with its parameters anonymised (drf-spectacular names a pk parameter "id")."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["info"]["title"] == "Medius API"


def test_every_api_url_is_in_the_schema(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(out))
    documented = {_shape(p) for p in yaml.safe_load(out.read_text())["paths"]}
    routes = {_shape(r) for r in _api_routes(get_resolver().url_patterns)}
    assert routes, "no API routes found"
    missing = {r for r in routes if r not in documented}
    assert not missing, f"API URLs missing from the OpenAPI schema: {sorted(missing)}"


def test_the_api_docs_load_their_assets_locally(persona_client):
    body = persona_client("front_desk").get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert assets
    assert all(a.startswith("/") for a in assets), assets


def test_seed_demo_is_idempotent():
    from clinic.models import User
    from patients.models import Patient

    call_command("seed_demo", "--password", "another-demo-pw")
    counts = (User.objects.count(), Patient.objects.count())
    call_command("seed_demo", "--password", "another-demo-pw")
    assert (User.objects.count(), Patient.objects.count()) == counts
    assert counts[1] >= 30
    admin = User.objects.get(email="admin@medius.example")
    assert admin.check_password("another-demo-pw")
    assert {u.role.value for u in User.objects.filter(email__endswith="@medius.example")} == {
        "Clinic admin",
        "Front desk",
        "Physiotherapist",
    }
    assert Patient.objects.filter(last_name="Müller").exists()
