"""What the API contract tests share: a small practice's data, and a way in for each persona.

The fuzz run (test_api_fuzz.py) and the boundary sweep (test_api_boundaries.py) both call the real WSGI application
in the test's own database transaction, so every request sees these rows and nothing a request writes outlives it.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from clinic.roles import Role
from tests.factories import (
    DEFAULT_PASSWORD,
    AppointmentFactory,
    AppointmentTypeFactory,
    AssessmentFactory,
    PatientFactory,
    PractitionerFactory,
    ProgramFactory,
    ProgramItemFactory,
    UserFactory,
)

PERSONAS = ("anonymous", "front_desk", "physio", "admin")
ROLES = {"front_desk": Role.FRONT_DESK, "physio": Role.PHYSIO, "admin": Role.ADMIN}


def make_practice() -> dict:
    """A few rows of everything the API shows, in the states whose fields differ (draft/signed, first version)."""
    from programs.models import Exercise

    kind = AppointmentTypeFactory(name="Assessment", duration_minutes=45)
    practitioner = PractitionerFactory(types=[kind], hours=True)
    patients = PatientFactory.create_batch(3)
    appointment = AppointmentFactory(patient=patients[0], practitioner=practitioner, appointment_type=kind)
    draft = AssessmentFactory(patient=patients[0], assessor=practitioner.user)
    signed = AssessmentFactory(patient=patients[1], assessor=practitioner.user, signed=True)
    program = ProgramFactory(patient=patients[0], physio=practitioner.user, start_date=dt.date(2030, 1, 7))
    exercise = Exercise.objects.order_by("id").first()
    if exercise is not None:
        ProgramItemFactory(program=program, exercise=exercise)
    return {
        "patients": patients,
        "appointment": appointment,
        "assessments": (draft, signed),
        "program": program,
        "appointment_type": kind,
        "practitioner": practitioner,
    }


def openapi_document() -> dict:
    """The schema as drf-spectacular generates it (what /api/schema/ serves), as plain JSON data."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def api_token(user) -> str:
    """Sign in through the API's own token endpoint, as a client would (whatever kind of token it hands out)."""
    response = Client().post(
        "/api/v1/auth/token/", {"username": user.email, "password": DEFAULT_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def persona_headers() -> dict[str, dict[str, str]]:
    """Request headers for each persona: anonymous sends none, staff send their API token."""
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, role in ROLES.items():
        user = UserFactory(email=f"{name.replace('_', '-')}@contract.test", role=role)
        headers[name] = {"Authorization": f"Token {api_token(user)}"}
    return headers


@contextmanager
def requests_in_this_transaction():
    """Let WSGI requests run inside the test's transaction, as Django's test client does.

    Django closes "old" connections at the start and end of every request; inside a test's atomic block that would
    close the very connection holding the test data.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
