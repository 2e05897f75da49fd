"""The patient's plan page and printed sheet speak plainly: a program started from an assessment carries a note
for the patient, never the clinician's reasoning (which stays on staff pages). PDF text is read back with pypdf."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from programs import printing, services
from programs.library import EXERCISES
from programs.models import Program
from tests.factories import AssessmentFactory, WeakHipAssessmentFactory

JARGON = ("LSI", "Nm/kg", "MCID", "Trendelenburg", "symmetry", "Activation first", "Isometric", "Mirrors the",
          "EMG", "MVIC", "TFL", "tensor fasciae", "Distefano", "Selkowitz", "NPRS", "regression:")  # fmt: skip


@pytest.fixture
def physio_client(client, physio):
    client.force_login(physio)
    return client


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def program_from_assessment(physio_client, physio, library):
    # A weak left hip (positive Trendelenburg, squat pelvic drop and valgus, LSI 66.7 %) with a moderate step-down
    # (knee 2 + pelvis 1 = 3/6): clamshell, side-lying abduction, wall press, hip hitch, eccentric step-down.
    assessment = WeakHipAssessmentFactory(left__step_down_knee=2, left__step_down_pelvis=1, nprs_now=3)
    staff_page = physio_client.get(f"/programs/new/?assessment={assessment.pk}").content.decode()
    assert "Activation first: positive Trendelenburg (left)" in staff_page  # the reasoning, for staff
    physio_client.post(f"/programs/new/?assessment={assessment.pk}", {"title": "Hip plan", "start_date": "2030-01-07"})
    program = Program.objects.get(patient=assessment.patient)
    assert [i.exercise.key for i in program.items.all()] == [
        "clamshell", "sidelying_abduction", "wall_press", "hip_hitch", "eccentric_step_down"
    ]  # fmt: skip
    services.activate_program(program=program, actor=physio)
    return program


def test_the_plan_items_carry_a_plain_note_for_the_patient(program_from_assessment):
    notes = [item.note for item in program_from_assessment.items.all()]
    assert notes[0] == "A gentle start: wakes up the muscles on the side of your hip."
    assert "Hold a rail or a wall with one hand at first" in notes[-1]
    assert not [word for word in JARGON for note in notes if word.lower() in note.lower()]


def test_the_plan_page_has_no_jargon(client, program_from_assessment):
    token = services.issue_link(program=program_from_assessment, purpose="staff")
    page = client.get(f"/plan/{token}/").content.decode()
    text = plain(re.sub(r"<[^>]+>", " ", page))
    assert "Clamshell" in text and "A gentle start" in text
    assert [word for word in JARGON if word.lower() in text.lower()] == []


def test_the_printed_sheet_has_no_jargon(program_from_assessment):
    content, _ms = printing.render_sheet(program_from_assessment)
    if os.environ.get("MEDIUS_SCREENSHOT_DIR"):  # for a human to look at; not needed for the test
        (Path(os.environ["MEDIUS_SCREENSHOT_DIR"]) / "plan-sheet.pdf").write_bytes(content)
    text = plain("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))
    assert "Clamshell" in text and "Eccentric step-down" in text and "Hold a rail or a wall" in text
    assert [word for word in JARGON if word.lower() in text.lower()] == []


def test_a_program_from_an_unremarkable_assessment_has_no_items_to_explain(physio_client, library):
    assessment = AssessmentFactory()
    physio_client.post(f"/programs/new/?assessment={assessment.pk}", {"title": "Hip plan", "start_date": "2030-01-07"})
    assert Program.objects.get(patient=assessment.patient).items.count() == 0


def test_library_notes_follow_their_sources():
    by_key = {e["key"]: e for e in EXERCISES}
    assert "Bolgla & Uhl 2005" in by_key["hip_hitch"]["evidence"] and "EMG" in by_key["hip_hitch"]["evidence"]
    # The 64 % belongs to the free-standing single-leg squat (Distefano 2009), not the squat to a box.
    assert "free-standing single-leg squat (Distefano 2009)" in by_key["sl_squat_box"]["evidence"]
    assert "not measured" in by_key["sl_squat_box"]["evidence"]
    assert by_key["sl_squat_box"]["name"] == "Single-leg squat to box or chair"
    # The side plank's dose is holds, and its steps describe a hold (the leg lift is the progression).
    plank = by_key["side_plank_abduction"]
    assert plank["dose"].get("hold_seconds") and not plank["dose"].get("reps")
    assert not any("lift the top leg" in step for step in plank["steps"])
    assert "lift the top leg" in plank["progression_note"]
    assert "Hold a rail or a wall" in by_key["eccentric_step_down"]["regression_note"]


def test_the_band_walk_dose_says_steps(library):
    from programs.dose import describe_dose

    # 3 sets of 12 steps each way, once a day (each way = walking sideways: the repetitions are steps).
    assert describe_dose(sets=3, reps=12, hold_seconds=None, side="each_way", frequency="daily") == (
        "3 sets of 12 steps, each way, once a day"
    )
    band_walk = library["band_walk"]
    assert band_walk.default_dose == "3 sets of 12 steps with a band around the knees, each way, once a day"


def test_the_data_migration_corrects_unedited_seed_notes_and_leaves_a_practices_own_text(library):
    import importlib

    from django.apps import apps

    from programs.models import Exercise

    migration = importlib.import_module("programs.migrations.0005_update_seed_library_notes")
    old = {key: (field, before) for key, field, before, _after in migration.CHANGES if field != "steps"}
    Exercise.objects.filter(key="hip_hitch").update(evidence=old["hip_hitch"][1])  # as first seeded
    Exercise.objects.filter(key="sl_squat_box").update(evidence="Our own note.")  # edited by the practice
    migration.forwards(apps, None)
    assert "Bolgla & Uhl 2005" in Exercise.objects.get(key="hip_hitch").evidence
    assert Exercise.objects.get(key="sl_squat_box").evidence == "Our own note."
