"""The progress report "for the patient" speaks plainly (text read back from the PDF with pypdf); the referrer's
copy keeps the numbers. Rendered in process by the same task function the worker runs."""

import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from assessments import services, tasks
from assessments.models import ProgressReport
from tests.factories import AssessmentFactory, PatientFactory, WeakHipAssessmentFactory

pytestmark = pytest.mark.django_db

JARGON = ("LSI", "Nm/kg", "MCID", "MDC", "Trendelenburg", "NPRS", "LEFS", "AKPS", "HOS", "symmetry", "abduction",
          "torque", "Ramskov", "eccentric", "activation", "involved", "%BW")  # fmt: skip


def rendered_text(patient, audience: str, physio) -> str:
    report = services.request_progress_report(patient=patient, audience=audience, actor=physio)
    tasks.render_progress_report(report.pk)
    report = ProgressReport.objects.get(pk=report.pk)
    assert report.status == ProgressReport.Status.READY, report.error
    with report.file.open("rb") as handle:
        content = handle.read()
    if os.environ.get("MEDIUS_SCREENSHOT_DIR"):  # for a human to look at; not needed for the test
        (Path(os.environ["MEDIUS_SCREENSHOT_DIR"]) / f"report-{audience}.pdf").write_bytes(content)
    pdf = PdfReader(io.BytesIO(content))
    assert len(pdf.pages) == 1
    return re.sub(r"\s+", " ", pdf.pages[0].extract_text())


@pytest.fixture
def two_visits():
    patient = PatientFactory(first_name="Zoë", last_name="Ångström", sex="female", date_of_birth=dt.date(1991, 5, 2))
    today = dt.date.today()
    # First visit: left 120 N vs 180 N (LSI 66.7 %), positive Trendelenburg, pain 6. Second: even (100 %), pain 2.
    WeakHipAssessmentFactory(patient=patient, signed=True, assessed_on=today - dt.timedelta(weeks=5), nprs_now=6)
    AssessmentFactory(patient=patient, signed=True, assessed_on=today, nprs_now=2)
    return patient


def test_the_patients_copy_says_what_the_results_mean_without_jargon(two_visits, physio, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    text = rendered_text(two_visits, "patient", physio)
    found = [word for word in JARGON if word.lower() in text.lower()]
    assert found == [], found
    # LSI 100 % now: "about as strong"; pain now 6 -> 2 (an important change) in plain words.
    assert "Your left hip is now about as strong as your right hip." in text
    assert "Pain now: from 6 to 2 since your last visit, a clear improvement." in text
    assert "How you are doing" in text and "Your physiotherapist" in text


def test_the_referrers_copy_keeps_the_numbers(two_visits, physio, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    text = rendered_text(two_visits, "doctor", physio)
    assert "LSI" in text and "Nm/kg" in text and "MCID" in text
    assert "important change" in text and "For the referring doctor" in text
