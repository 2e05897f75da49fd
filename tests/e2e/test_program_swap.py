"""A physio presses "progress" on an exercise whose progression is already in the program: a clear message, and
still one copy of each exercise."""

from __future__ import annotations

from playwright.sync_api import expect

from programs import services
from programs.library import seed_library
from programs.models import Equipment, Exercise, Muscle, ProgramItem
from tests.factories import ProgramFactory

from .test_programs import physio  # noqa: F401 (the fixture)


def test_progressing_to_an_exercise_already_in_the_program_is_explained(page, login, physio):  # noqa: F811
    seed_library(Exercise=Exercise, Muscle=Muscle, Equipment=Equipment)
    program = ProgramFactory(physio=physio)
    services.add_item(program=program, exercise=Exercise.objects.get(key="clamshell"), actor=physio)
    services.add_item(program=program, exercise=Exercise.objects.get(key="sidelying_abduction"), actor=physio)
    login(physio)
    page.goto(f"/programs/{program.pk}/")
    page.get_by_role("button", name="Progress Clamshell to Side-lying hip abduction").click()
    expect(page.get_by_text("Side-lying hip abduction is already in this program")).to_be_visible()
    keys = sorted(ProgramItem.objects.filter(program=program).values_list("exercise__key", flat=True))
    assert keys == ["clamshell", "sidelying_abduction"]
