"""Celery tasks of the assessments app: they take ids and run after the request's transaction commits."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from clinic.pdf import render_pdf
from clinic.selectors import get_practice

from . import selectors, services
from .models import ProgressReport

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def render_progress_report(report_id: int) -> None:
    """Render the one-page progress report PDF and store it on the report.

    No automatic retry: a failure (rendering, or saving on a full or read-only disk) is recorded on the report with
    its reason, the page shows it with a retry button, and no partial file is left (clinic.files). Running twice is
    harmless: the second render replaces the first file (services.store_rendered_report).
    """
    report = ProgressReport.objects.select_related("patient").filter(pk=report_id).first()
    if report is None:
        logger.warning("progress report %s vanished before rendering", report_id)
        return
    try:
        progress = selectors.progress(patient_id=report.patient_id)
        practice = get_practice()
        pdf = render_pdf(
            "assessments/report_pdf.html",
            {
                "patient": report.patient,
                "progress": progress,
                # The patient's copy speaks plainly: no indices, torque units or test names (those stay with staff).
                "charts": selectors.progress_charts(progress, audience=report.audience),
                "practice": practice,
                "paper_size": practice.paper_size,
                "audience": report.audience,
                "today": timezone.localdate(),
            },
        )
        services.store_rendered_report(report_id=report_id, pdf=pdf)
    except Exception as exc:
        logger.exception("progress report %s failed", report_id)
        services.mark_report_failed(report_id=report_id, error=failure_reason(exc))
        raise


def failure_reason(exc: Exception) -> str:
    """A sentence for the page: what went wrong, without a traceback."""
    if isinstance(exc, OSError):
        return f"The PDF could not be saved: {exc.strerror or exc.__class__.__name__}."
    return f"{type(exc).__name__}: {exc}"
