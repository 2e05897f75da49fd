"""Demo data: the exercise library, the starter templates and an active program for a demo patient."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clinic.demo import demo_email
from clinic.models import User
from patients.models import Patient

from . import services
from .library import seed_library, seed_templates
from .models import Equipment, Exercise, Muscle, Program, ProgramTemplate, TemplateItem

DEMO_TITLE = "Hip stability, phase 1"


def seed(*, password: str, stdout=None) -> None:
    added = seed_library(Exercise=Exercise, Muscle=Muscle, Equipment=Equipment)
    seed_templates(ProgramTemplate=ProgramTemplate, TemplateItem=TemplateItem, Exercise=Exercise)
    if stdout:
        templates = ProgramTemplate.objects.count()
        stdout.write(f"  {Exercise.objects.count()} exercises ({added} new), {templates} templates")
    physio = User.objects.filter(email=demo_email("physio")).first()
    patient = Patient.objects.filter(first_name="Amélie", last_name="Durand").first()
    if physio is None or patient is None:
        return
    if Program.objects.filter(patient=patient, title=DEMO_TITLE).exists():
        return
    template = ProgramTemplate.objects.get(name="Hip stability, phase 1 to 3")
    program = services.create_program(
        patient=patient,
        physio=physio,
        actor=physio,
        title=DEMO_TITLE,
        review_date=timezone.localdate() + dt.timedelta(weeks=4),
        notes="Do these on most days. Mild effort in the side of the hip is expected; sharp pain is not.",
        template=template,
    )
    services.activate_program(program=program, actor=physio)
    if stdout:
        stdout.write(f"  active program for {patient.full_name}")
