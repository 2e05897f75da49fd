"""Celery tasks of the programs app. They take ids and are queued after commit (delay_on_commit)."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from clinic import emails
from clinic.selectors import practice_zone

from . import selectors, services
from .models import AccessLink, Program
from .printing import plan_url, render_sheet

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
    with transaction.atomic():
        content, render_ms = render_sheet(program)
        services.store_pdf(program_id=program.pk, fingerprint=fingerprint, content=content, render_ms=render_ms)
    log.info("rendered program %s in %s ms (%s bytes)", program.pk, render_ms, len(content))


@shared_task(
    bind=True,
    ignore_result=True,
    autoretry_for=(smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=4,
)
def email_plan_link(self, program_id: int) -> None:
    """Email the patient a new private link to their plan.

    The send is claimed with a conditional UPDATE, so a redelivered task sends nothing twice. A retry happens only
    for connection errors, where nothing was sent: the claim is released first, and the retry issues a new link (the
    unsent one is revoked).
    """
    claimed = Program.objects.filter(pk=program_id, status=Program.Status.ACTIVE, link_emailed_at__isnull=True).update(
        link_emailed_at=timezone.now()
    )
    if not claimed:
        return
    program = Program.objects.select_related("patient", "physio").get(pk=program_id)
    patient = program.patient
    if not (patient.email and patient.consent_email):
        return
    token = services.issue_link(program=program, purpose=AccessLink.Purpose.EMAIL)
    try:
        emails.send(
            to=patient.email,
            template="programs/emails/plan_link",
            context={
                "patient": patient,
                "program": program,
                "physio": program.physio,
                "plan_url": plan_url(token),
                "expires_on": timezone.localdate(timezone=practice_zone()) + services.link_lifetime(),
            },
        )
    except Exception:
        AccessLink.objects.filter(token_hash=selectors.hash_token(token)).update(revoked_at=timezone.now())
        Program.objects.filter(pk=program_id).update(link_emailed_at=None)
        raise
