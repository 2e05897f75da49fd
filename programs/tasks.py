"""Celery tasks of the programs app. They take ids and are queued after commit (clinic.pending_tasks)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from . import notifications, selectors, services
from .printing import render_sheet

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def render_program_pdf(program_id: int) -> None:
    """Render and cache the sheet for a program version, unless the cache already shows it as it is now.

    Safe to run twice (a redelivery, or two requests): the second finds the cache up to date and does nothing.
    """
    program = selectors.programs_with_items().filter(pk=program_id).first()
    if program is None:
        return
    fingerprint = selectors.pdf_fingerprint(program)
    if selectors.cached_pdf(program, fingerprint) is not None:
        return
    try:
        with transaction.atomic():
            content, render_ms = render_sheet(program)
            services.store_pdf(program_id=program.pk, fingerprint=fingerprint, content=content, render_ms=render_ms)
    except Exception as exc:  # recorded, shown with a retry button; a blind Celery retry would fail the same way
        log.exception("rendering program %s failed", program.pk)
        services.record_pdf_failure(
            program_id=program.pk, fingerprint=fingerprint, reason=f"{exc.__class__.__name__}: {exc}"
        )
        return
    log.info("rendered program %s in %s ms (%s bytes)", program.pk, render_ms, len(content))


@shared_task(ignore_result=True)
def email_plan_link(program_id: int) -> None:
    """Kept only so that tasks queued by the previous release still deliver after an upgrade; nothing queues it any
    more. It schedules the program_ready notification (programs.notifications), claimed as before: a redelivered task
    schedules nothing twice, and clinic's dispatcher sends the email once."""
    notifications.schedule_plan_link(program_id)
