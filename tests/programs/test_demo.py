from __future__ import annotations

from clinic import demo as clinic_demo
from patients import demo as patients_demo
from programs import demo
from programs.models import Exercise, Program, ProgramTemplate


def test_seed_demo_gives_the_library_templates_and_an_active_program_and_is_idempotent(db):
    clinic_demo.seed(password="demo-password-123")
    patients_demo.seed(password="demo-password-123")
    demo.seed(password="demo-password-123")
    demo.seed(password="demo-password-123")
    assert Exercise.objects.count() == 12
    assert ProgramTemplate.objects.filter(name="Hip stability, phase 1 to 3").exists()
    program = Program.objects.get()
    assert program.status == Program.Status.ACTIVE
    assert program.patient.first_name == "Amélie"
    assert program.items.count() == 6
