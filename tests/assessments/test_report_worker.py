"""The progress report PDF is rendered by a real Celery worker and holds the figures (read back with pypdf)."""

import datetime as dt
import io
import time

import pytest
from pypdf import PdfReader

from assessments import services
from assessments.models import ProgressReport
from clinic.models import AuditEvent
from tests.factories import AssessmentFactory, PatientFactory, WeakHipAssessmentFactory


@pytest.fixture
def shared_media(monkeypatch, settings):
    """The worker process must write where this test reads: hand it the test's MEDIA_ROOT."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    return settings.MEDIA_ROOT


def wait_for(report_id: int, seconds: float = 60) -> ProgressReport:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report = ProgressReport.objects.get(pk=report_id)
        if report.status != ProgressReport.Status.PENDING:
            return report
        time.sleep(0.25)
    raise AssertionError(f"report {report_id} still pending after {seconds} s")


@pytest.mark.celery_worker
def test_a_worker_renders_a_one_page_report_with_the_figures(
    shared_media, celery_worker_process, staff_roles, physio, client
):
    patient = PatientFactory(first_name="Zoë", last_name="Ångström", sex="female", date_of_birth=dt.date(1991, 5, 2))
    today = dt.date.today()
    WeakHipAssessmentFactory(patient=patient, signed=True, assessed_on=today - dt.timedelta(weeks=5), nprs_now=6)
    AssessmentFactory(patient=patient, signed=True, assessed_on=today, nprs_now=2)

    report = services.request_progress_report(patient=patient, audience="doctor", actor=physio)
    report = wait_for(report.pk)
    assert report.status == ProgressReport.Status.READY, report.error

    client.force_login(physio)
    response = client.get(f"/assessments/reports/{report.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "Zoë Ångström" in text
    # LSI first visit: 120 N x 0.8 / (180 N x 0.8) = 66.7 %; second visit even: 100.0 %
    assert "66.7" in text and "100.0" in text
    # Pain now 6 -> 2: -4 points, at least the MCID of 2
    assert "important change" in text
    assert "For the referring doctor" in text
    assert AuditEvent.objects.filter(
        action="export", patient_id=patient.pk, summary="Progress report downloaded"
    ).exists()


@pytest.mark.celery_worker
def test_a_report_needs_a_signed_assessment(physio):
    patient = PatientFactory()
    AssessmentFactory(patient=patient)
    with pytest.raises(services.ValidationError):
        services.request_progress_report(patient=patient, audience="patient", actor=physio)
