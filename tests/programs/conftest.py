from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from clinic.roles import STAFF_ROLES
from programs.library import seed_library, seed_templates
from programs.models import Equipment, Exercise, Muscle, ProgramTemplate, TemplateItem


@pytest.fixture(autouse=True)
def _staff_roles(request):
    """Transactional tests (real worker, races) flush the role groups the migration made; bring them back first."""
    for name in ("transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            for role in STAFF_ROLES:
                Group.objects.get_or_create(name=role.value)
            return


@pytest.fixture
def library(db):
    """The twelve seed exercises and the starter templates, keyed by exercise key."""
    seed_library(Exercise=Exercise, Muscle=Muscle, Equipment=Equipment)
    seed_templates(ProgramTemplate=ProgramTemplate, TemplateItem=TemplateItem, Exercise=Exercise)
    return {e.key: e for e in Exercise.objects.all()}


@pytest.fixture
def hip_template(library):
    return ProgramTemplate.objects.get(name="Hip stability, phase 1 to 3")
