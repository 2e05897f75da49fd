"""Sharing a program: the patient's private links and the cached PDF sheet."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import audit, pending_tasks

from .. import selectors
from ..models import (
    AccessLink,
    Program,
    ProgramPdf,
)
from ._common import ProgramConflict, _audit_program, _lock, link_lifetime

# A render older than this is assumed lost (worker restarted) and is queued again.
RENDER_REQUEST_TTL_SECONDS = 120


def issue_link(*, program: Program, purpose: str, actor=None) -> str:
    """A new private link; returns the token (only its hash is stored, so it cannot be shown again)."""
    token = secrets.token_urlsafe(32)
    AccessLink.objects.create(
        program=program,
        lineage=program.lineage,
        token_hash=selectors.hash_token(token),
        purpose=purpose,
        expires_at=timezone.now() + link_lifetime(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return token


@transaction.atomic
def revoke_links(*, program: Program, actor, request=None) -> int:
    count = AccessLink.objects.filter(lineage=program.lineage, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _audit_program(program, action=audit.Action.CHANGE, request=request, actor=actor, summary=f"Revoked {count} links")
    return count


@transaction.atomic
def resend_link(*, program: Program, actor, request=None) -> None:
    current = _lock(program)
    if current.status != Program.Status.ACTIVE:
        raise ProgramConflict(_("Only the active version can be sent to the patient."))
    if not (current.patient.email and current.patient.consent_email):
        raise ValidationError({"patient": [_("The patient has no email address or has not agreed to email.")]})
    Program.objects.filter(pk=current.pk).update(link_emailed_at=None)
    _audit_program(current, action=audit.Action.CHANGE, request=request, actor=actor, summary="New link emailed")
    from .. import notifications  # it imports these services

    notifications.schedule_plan_link(current.pk)


def record_link_use(*, link: AccessLink, program: Program, request, what: str) -> None:
    AccessLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    audit.record(
        action=audit.Action.EXPORT if what == "pdf" else audit.Action.VIEW,
        request=request,
        obj=program,
        patient_id=program.patient_id,
        summary=f"Patient opened the {'PDF' if what == 'pdf' else 'plan'} through a private link",
        detail={"link": link.pk},
    )


# --- the PDF ------------------------------------------------------------------------------------------------------


def _queue_render(program: Program) -> None:
    from ..tasks import render_program_pdf

    pending_tasks.enqueue(render_program_pdf, program.pk)


class PdfFailed(Exception):
    """The last render of this version failed; `reason` says why. Nothing is queued until someone asks to retry."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def request_pdf(*, program: Program, retry: bool = False) -> bytes | None:
    """The cached sheet if it shows the program as it is now; otherwise queue one render and return None.

    A failed render of this version raises PdfFailed, unless `retry` (a person pressed "Try again"), which clears the
    failure and queues a new render. With eager Celery (tests, development) the render runs at commit, so the second
    look can find it at once (or the failure).
    """
    fingerprint = selectors.pdf_fingerprint(program)
    content = selectors.cached_pdf(program, fingerprint)
    if content is not None:
        return content
    with transaction.atomic():
        state, _created = ProgramPdf.objects.select_for_update().get_or_create(program=program)
        if state.failed_fingerprint == fingerprint and not retry:
            raise PdfFailed(state.error)
        fresh = state.requested_at and timezone.now() - state.requested_at < dt.timedelta(
            seconds=RENDER_REQUEST_TTL_SECONDS
        )
        if retry or not (state.requested_fingerprint == fingerprint and fresh):
            state.requested_fingerprint = fingerprint
            state.requested_at = timezone.now()
            state.failed_fingerprint = state.error = ""
            state.save(update_fields=["requested_fingerprint", "requested_at", "failed_fingerprint", "error"])
            _queue_render(program)
    content = selectors.cached_pdf(program, fingerprint)
    if content is None and retry is False:
        failure = ProgramPdf.objects.filter(program=program, failed_fingerprint=fingerprint).values_list("error")
        if failure:
            raise PdfFailed(failure[0][0])
    return content


def record_pdf_failure(*, program_id: int, fingerprint: str, reason: str) -> None:
    ProgramPdf.objects.update_or_create(
        program_id=program_id, defaults={"failed_fingerprint": fingerprint, "error": reason[:255]}
    )


def store_pdf(*, program_id: int, fingerprint: str, content: bytes, render_ms: int) -> None:
    ProgramPdf.objects.update_or_create(
        program_id=program_id,
        defaults={
            "fingerprint": fingerprint,
            "content": content,
            "rendered_at": timezone.now(),
            "render_ms": render_ms,
            "failed_fingerprint": "",
            "error": "",
        },
    )
