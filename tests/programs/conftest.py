from __future__ import annotations

import pytest

from programs.library import seed_library, seed_templates
from programs.models import Equipment, Exercise, Muscle, ProgramTemplate, TemplateItem


@pytest.fixture
def library(db):
    """The twelve seed exercises and the starter templates, keyed by exercise key."""
    seed_library(Exercise=Exercise, Muscle=Muscle, Equipment=Equipment)
    seed_templates(ProgramTemplate=ProgramTemplate, TemplateItem=TemplateItem, Exercise=Exercise)
    return {e.key: e for e in Exercise.objects.all()}


@pytest.fixture
def hip_template(library):
    return ProgramTemplate.objects.get(name="Hip stability, phase 1 to 3")
