"""A physio builds a home-exercise program and the patient opens it from the email and downloads the sheet."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect
from pypdf import PdfReader

from clinic.models import Notification
from clinic.roles import STAFF_ROLES, Role
from programs.library import seed_library, seed_templates
from programs.models import Equipment, Exercise, Muscle, Program, ProgramTemplate, TemplateItem
from tests.factories import PatientFactory, UserFactory


@pytest.fixture
def physio(transactional_db):
    # Earlier transactional tests flush the role groups the migration made.
    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role.value)
    return UserFactory(email="physio@clinic.test", first_name="Phil", last_name="Okoro", role=Role.PHYSIO)


def test_a_physio_builds_a_program_and_the_patient_downloads_it_from_the_emailed_link(page, login, physio, mailoutbox):
    seed_library(Exercise=Exercise, Muscle=Muscle, Equipment=Equipment)
    seed_templates(ProgramTemplate=ProgramTemplate, TemplateItem=TemplateItem, Exercise=Exercise)
    patient = PatientFactory(first_name="Amélie", last_name="Durand", email="amelie@mail.test", consent_email=True)

    login(physio)
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="New exercise program").click()
    page.get_by_label("Title").fill("Hip stability, phase 1")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hip stability, phase 1")

    # One item from a template...
    page.locator("summary", has_text="Hip stability, phase 1 to 3").click()
    page.get_by_role("button", name="Add Clamshell from Hip stability, phase 1 to 3").click()
    expect(page.locator(".item-name")).to_have_text(["Clamshell"])
    # ...one from the library, then swapped for its progression in one click.
    page.get_by_role("button", name="Add Standing wall press to the program").click()
    page.get_by_role("button", name="Progress Standing wall press to Hip hitch (pelvic drop)").click()
    expect(page.locator(".item-name")).to_have_text(["Clamshell", "Hip hitch (pelvic drop)"])

    page.get_by_role("button", name="Make active").click()
    expect(page.get_by_text("The program is active")).to_be_visible()
    program = Program.objects.get(patient=patient)
    assert program.status == Program.Status.ACTIVE

    # The patient, with no account, follows the link in the email they received.
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["amelie@mail.test"]
    record = Notification.objects.get(kind="program_ready", subject_id=str(program.pk))
    assert (record.status, mailoutbox[0].extra_headers["X-Medius-Notification"]) == ("sent", str(record.pk))
    url = next(word for word in mailoutbox[0].body.split() if "/plan/" in word)
    patient_page = page.context.browser.new_context(base_url=page.url.split("/programs/")[0]).new_page()
    patient_page.goto(urlsplit(url).path)
    expect(patient_page.get_by_role("heading", level=1)).to_have_text("Hip stability, phase 1")
    expect(patient_page.get_by_text("For Amélie Durand")).to_be_visible()

    with patient_page.expect_download() as download_info:
        patient_page.get_by_role("link", name="Download the printable sheet (PDF)").click()
    content = Path(download_info.value.path()).read_bytes()
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert "Amélie Durand" in text
    items = list(program.items.select_related("exercise"))
    assert [i.exercise.key for i in items] == ["clamshell", "hip_hitch"]
    for item in items:
        assert item.exercise.name in text
        assert item.dose in text
    assert "3 sets of 15, each side, once a day" in text
    assert "3 sets of 12 with a 2-second hold, each side, once a day" in text
    patient_page.context.close()


def test_a_physio_filters_the_library_adds_a_picture_and_adds_an_exercise(page, login, physio, tmp_path):
    from PIL import Image

    seed_library(Exercise=Exercise, Muscle=Muscle, Equipment=Equipment)
    login(physio)
    page.get_by_role("link", name="Exercises").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exercise library")
    page.get_by_label("Equipment").select_option(label="Step")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".exercise-card strong")).to_have_text(
        ["Eccentric step-down", "Hip hitch (pelvic drop)", "Lateral step-up"]
    )
    page.get_by_role("link", name="Lateral step-up").click()

    not_a_picture = tmp_path / "notes.jpg"
    not_a_picture.write_text("just text")
    page.get_by_label("Picture").set_input_files(str(not_a_picture))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("not a picture we can read")).to_be_visible()
    photo = tmp_path / "step.jpg"
    Image.new("RGB", (1600, 1200), (40, 120, 130)).save(photo, "JPEG")
    page.get_by_label("Picture").set_input_files(str(photo))
    page.get_by_label("Caption").fill("Start on the step")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Picture added.")).to_be_visible()
    expect(page.get_by_role("img", name="Start on the step")).to_be_visible()

    page.get_by_role("link", name="Exercises").first.click()
    page.get_by_role("link", name="Add exercise").click()
    page.get_by_label("Name", exact=True).fill("Monster walk")
    page.get_by_label("Key", exact=True).fill("monster_walk")
    page.get_by_label("Category").select_option(label="Dynamic")
    page.get_by_label("Position", exact=True).select_option(label="Standing")
    page.get_by_label("Starting position").fill("Band around the ankles, half squat.")
    page.get_by_label("Steps (one per line, in order)").fill("Step forwards and out.\nRepeat with the other leg.")
    page.get_by_label("Sets", exact=True).fill("0")
    page.get_by_label("Reps", exact=True).fill("10")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Ensure this value is greater than or equal to 1.", exact=True)).to_be_visible()
    page.get_by_label("Sets", exact=True).fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monster walk")
    expect(page.get_by_text("3 sets of 10, each side, once a day")).to_be_visible()


PLAN_JARGON = ("LSI", "Nm/kg", "MCID", "Trendelenburg", "symmetry", "Activation first", "Isometric", "EMG", "TFL",
               "NPRS", "regression")  # fmt: skip


def _keep(page_or_path, name: str) -> None:
    """Keep a screenshot for a human to look at when MEDIUS_SCREENSHOT_DIR is set (not needed for the test)."""
    import os

    folder = os.environ.get("MEDIUS_SCREENSHOT_DIR")
    if folder:
        page_or_path.screenshot(path=str(Path(folder) / name), full_page=True)


@pytest.mark.parametrize(("width", "height"), [(375, 740), (1280, 900)])
def test_a_plan_started_from_an_assessment_reads_plainly_on_a_phone_and_a_desktop(page, login, physio, width, height):
    from programs import services
    from tests.factories import WeakHipAssessmentFactory

    seed_library(Exercise=Exercise, Muscle=Muscle, Equipment=Equipment)
    patient = PatientFactory(first_name="Amélie", last_name="Durand", consent_email=False)
    # Weak left hip with a 3/6 step-down (knee 2 + pelvis 1): activation rows, hip hitch and the eccentric step-down.
    assessment = WeakHipAssessmentFactory(patient=patient, assessor=physio, signed=True, nprs_now=3,
                                          left__step_down_knee=2, left__step_down_pelvis=1)  # fmt: skip

    login(physio)
    page.goto(f"/assessments/{assessment.pk}/")
    expect(page.locator(".suggestions")).to_contain_text("Activation first: positive Trendelenburg (left)")
    page.get_by_role("link", name="Start a program from these").click()
    page.get_by_role("button", name="Create draft").click()
    page.get_by_role("button", name="Make active").click()
    expect(page.get_by_text("The program is active")).to_be_visible()
    program = Program.objects.get(patient=patient)
    token = services.issue_link(program=program, purpose="staff")

    context = page.context.browser.new_context(base_url=page.url.split("/programs/")[0],
                                               viewport={"width": width, "height": height})  # fmt: skip
    plan = context.new_page()
    plan.goto(f"/plan/{token}/")
    text = " ".join(plan.locator("main").inner_text().split())
    assert "A gentle start: wakes up the muscles on the side of your hip." in text
    assert "Hold a rail or a wall with one hand at first" in text
    assert [word for word in PLAN_JARGON if word.lower() in text.lower()] == []
    # Nothing wider than the screen, and the drawings fit it.
    assert plan.evaluate("document.documentElement.scrollWidth") <= width
    assert plan.evaluate("Math.max(...[...document.images].map(i => i.getBoundingClientRect().width))") <= width
    _keep(plan, f"plan-{width}.png")

    with plan.expect_download() as download_info:
        plan.get_by_role("link", name="Download the printable sheet (PDF)").click()
    content = Path(download_info.value.path()).read_bytes()
    sheet = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert "Eccentric step-down" in sheet and "A gentle start" in sheet
    assert [word for word in PLAN_JARGON if word.lower() in sheet.lower()] == []
    context.close()
