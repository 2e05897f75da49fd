"""A physio records a full battery, signs it and sees the LSI flag; a second assessment weeks later shows both on the
progress charts with important changes marked; the progress report PDF holds the figures (text read back with pypdf),
and the patient's copy speaks plainly."""

import datetime as dt
import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments.models import Assessment
from clinic.models import AuditEvent
from tests.factories import PatientFactory

SIDES = ("Left", "Right")


@pytest.fixture
def roles(transactional_db):
    """Earlier transactional tests flush the role groups (made by a data migration); put them back."""
    from django.contrib.auth.models import Group

    from clinic.roles import STAFF_ROLES

    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role.value)


def record_battery(page, *, day, nprs, lefs_each, left_force, right_force, left_trendelenburg):
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Body mass (kg)").fill("62.0")
    page.get_by_label("Height (cm)", exact=True).fill("168")
    page.get_by_label("Pain now (0-10)").fill(str(nprs[0]))
    page.get_by_label("Worst pain in 24 h (0-10)").fill(str(nprs[1]))
    page.get_by_label("Pain during running (0-10)").fill(str(nprs[2]))
    for side in SIDES:
        positive = side == "Left" and left_trendelenburg
        page.get_by_label(f"{side} Trendelenburg result").select_option("positive" if positive else "negative")
        page.get_by_label(f"{side} Trendelenburg hold (s)").fill("15" if positive else "30")
        page.get_by_label(f"{side} Single-leg squat rating").select_option("poor" if positive else "good")
        if positive:
            page.get_by_label(f"{side} Single-leg squat contralateral pelvic drop").check()
            page.get_by_label(f"{side} Single-leg squat knee medial to foot").check()
        for item in ("arm strategy", "trunk lean", "pelvis out of level", "knee position", "unsteady or steps down"):
            page.get_by_label(f"{side} Lateral step-down {item}").select_option("1" if positive else "0")
        page.get_by_label(f"{side} Manual muscle test grade").fill("4" if positive else "5")
        force = left_force if side == "Left" else right_force
        page.get_by_label(f"{side} Dynamometry trial 1 (N)").fill(str(force - 6))
        page.get_by_label(f"{side} Dynamometry trial 2 (N)").fill(str(force))
        page.get_by_label(f"{side} Dynamometry trial 3 (N)").fill(str(force - 3))
        page.get_by_label(f"{side} Dynamometry lever arm (m)").fill("0.8")
        page.get_by_label(f"{side} Endurance hold (s)").fill("45" if positive else "80")
        page.get_by_label(f"{side} Endurance stop reason").select_option("leg_drops")
    page.get_by_text("LEFS", exact=True).click()  # opens the questionnaire
    for n in range(1, 21):
        page.get_by_label(f"LEFS item {n}", exact=True).fill(str(lefs_each))
    page.get_by_label("Findings").fill("Left hip abductors weaker; pelvis drops on the left.")


def start_assessment(page, patient):
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_label("Involved side").select_option("left")
    page.get_by_role("button", name="New assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assessment")


def test_physio_records_signs_compares_and_prints_progress(roles, page, login, physio):
    patient = PatientFactory(first_name="Maëlle", last_name="Rønning", sex="female", date_of_birth=dt.date(1994, 6, 1))
    today = dt.date.today()
    login(physio)

    # First visit, four weeks ago: a weak left hip.
    start_assessment(page, patient)
    record_battery(page, day=today - dt.timedelta(weeks=4), nprs=(6, 7, 8), lefs_each=2, left_force=120,
                   right_force=180, left_trendelenburg=True)  # fmt: skip
    # Keyboard flow: Tab goes from the left value to the right one; reason boxes stay out of the way until needed.
    page.get_by_label("Left Dynamometry trial 1 (N)").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Right Dynamometry trial 1 (N)")).to_be_focused()
    expect(page.get_by_label("Left Endurance reason")).to_be_hidden()
    page.get_by_label("Left Endurance status").select_option("unable")
    expect(page.get_by_label("Left Endurance reason")).to_be_visible()
    page.get_by_label("Left Endurance status").select_option("tested")
    # Typing a value out of range is flagged as you type and by the autosave, and nothing else is lost.
    page.get_by_label("Right Dynamometry lever arm (m)").fill("2.5")
    expect(page.locator("#id_right-hhd_lever_arm_m_live")).to_have_text("Enter a value from 0.2 to 1.2.")
    expect(page.locator("#autosave-status")).to_contain_text("Enter a value from 0.2 to 1.2.")
    page.get_by_label("Right Dynamometry lever arm (m)").fill("0.8")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at")
    # Left 120 N x 0.8 m / (180 N x 0.8 m) = 66.7 %: flagged under 90 %.
    expect(page.locator("#derived-preview")).to_contain_text("66.7 %")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Assessment signed and locked.")).to_be_visible()
    expect(page.locator(".lsi")).to_contain_text("66.7 %")
    expect(page.locator(".lsi")).to_contain_text("LSI below 90 %")
    expect(page.get_by_role("link", name="Start a program from these")).to_have_attribute(
        "href", f"/programs/new/?assessment={Assessment.objects.get(patient=patient).pk}"
    )
    expect(page.locator(".suggestions")).to_contain_text("Clamshell")

    # Second visit, today: stronger, less pain, better function.
    start_assessment(page, patient)
    record_battery(page, day=today, nprs=(2, 3, 2), lefs_each=3, left_force=170, right_force=180,
                   left_trendelenburg=False)  # fmt: skip
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Assessment signed and locked.")).to_be_visible()
    # 170 x 0.8 / (180 x 0.8) = 94.4 %: no flag.
    expect(page.locator(".lsi")).to_contain_text("94.4 %")
    expect(page.locator(".lsi")).not_to_contain_text("below")

    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Progress")
    expect(page.locator("svg.chart")).to_have_count(4)
    lsi_chart = page.locator("svg.chart").first
    expect(lsi_chart.locator("circle:not(.important-change)")).to_have_count(3)  # two visits and the legend marker
    comparison = page.locator("table.comparison")
    # Pain now 6 -> 2 (at least 2 points) and LEFS 40 -> 60 (at least 9): important changes, both better.
    expect(comparison.locator("tr", has_text="Pain now")).to_contain_text("important change, better")
    expect(comparison.locator("tr", has_text="LEFS")).to_contain_text("important change, better")
    expect(comparison.locator("tr", has_text="symmetry")).to_contain_text("66.7")
    expect(page.locator(".important-change").first).to_be_attached()
    expect(page.locator(".summary")).to_contain_text("94.4 % of the other side")

    # The progress report: queued, rendered (eagerly in browser tests; tests/assessments/test_report_worker.py uses a
    # real worker), downloaded, and its text holds the figures.
    page.get_by_label("Report for").select_option("doctor")
    page.get_by_role("button", name="Prepare progress report").click()
    download_link = page.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible()
    response = page.request.get(download_link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.body()))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "Maëlle Rønning" in text
    assert "66.7" in text and "94.4" in text
    assert "60" in text and "important change" in text
    assert AuditEvent.objects.filter(action="export", patient_id=patient.pk).count() >= 2  # requested + downloaded


REPORT_JARGON = ("LSI", "Nm/kg", "MCID", "MDC", "Trendelenburg", "NPRS", "LEFS", "AKPS", "symmetry", "abduction",
                 "torque", "Ramskov", "eccentric", "involved")  # fmt: skip


def test_the_patients_progress_report_speaks_plainly(page, login, roles):
    import os
    from pathlib import Path

    from clinic.roles import Role
    from tests.factories import AssessmentFactory, UserFactory, WeakHipAssessmentFactory

    physio = UserFactory(email="physio@clinic.test", first_name="Phil", last_name="Okoro", role=Role.PHYSIO)
    patient = PatientFactory(first_name="Maëlle", last_name="Rønning", sex="female", date_of_birth=dt.date(1990, 1, 1))
    today = dt.date.today()
    # Visit 1: left 120 N vs 180 N (LSI 66.7 %), pain 6; visit 2: even (100 %), pain 2 (an important change).
    WeakHipAssessmentFactory(patient=patient, assessor=physio, signed=True, nprs_now=6,
                             assessed_on=today - dt.timedelta(weeks=5))  # fmt: skip
    AssessmentFactory(patient=patient, assessor=physio, signed=True, nprs_now=2, assessed_on=today)

    login(physio)
    page.goto(f"/assessments/patient/{patient.pk}/progress/")
    page.get_by_label("Report for").select_option("patient")
    page.get_by_role("button", name="Prepare progress report").click()
    download_link = page.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible()
    response = page.request.get(download_link.get_attribute("href"))
    body = response.body()
    text = " ".join(PdfReader(io.BytesIO(body)).pages[0].extract_text().split())
    assert "How you are doing" in text
    assert "Your left hip is now about as strong as your right hip." in text
    assert "Pain now: from 6 to 2 since your last visit, a clear improvement." in text
    assert [word for word in REPORT_JARGON if word.lower() in text.lower()] == []
    if os.environ.get("MEDIUS_SCREENSHOT_DIR"):
        (Path(os.environ["MEDIUS_SCREENSHOT_DIR"]) / "patient-report.pdf").write_bytes(body)
