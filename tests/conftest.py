"""Fixtures for every test: personas for access checks (healthchecks-style) and API clients.

Personas: admin, physio, front desk, a staff account with no role (the outsider: someone with a login who is not
part of this practice's staff), and anonymous.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from clinic.roles import Role

from .factories import UserFactory


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_user(db):
    return UserFactory(email="admin@clinic.test", first_name="Ada", role=Role.ADMIN)


@pytest.fixture
def physio(db):
    return UserFactory(email="physio@clinic.test", first_name="Phil", role=Role.PHYSIO)


@pytest.fixture
def other_physio(db):
    return UserFactory(email="physio2@clinic.test", first_name="Paula", role=Role.PHYSIO)


@pytest.fixture
def front_desk(db):
    return UserFactory(email="desk@clinic.test", first_name="Fran", role=Role.FRONT_DESK)


@pytest.fixture
def outsider(db):
    """Signed in, but holds no role in this practice."""
    return UserFactory(email="outsider@elsewhere.test", first_name="Otto")


PERSONAS = ("anonymous", "outsider", "front_desk", "physio", "admin_user")


@pytest.fixture
def persona_client(request, db):
    """A function persona -> logged-in django.test.Client."""

    def make(name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return make


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    return _api()


@pytest.fixture
def physio_api(physio):
    return _api(physio)


@pytest.fixture
def front_desk_api(front_desk):
    return _api(front_desk)


@pytest.fixture
def admin_api(admin_user):
    return _api(admin_user)
