"""Helpers shared by the pages: messages from errors, PDF responses."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from clinic.files import no_store

from ..models import Program

RETRY_AFTER_SECONDS = 2


def _errors(request, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def pdf_response(content: bytes, *, filename: str, download: bool) -> HttpResponse:
    return no_store(HttpResponse(content, content_type="application/pdf"), filename=filename, download=download)


def pdf_pending(request) -> HttpResponse:
    response = render(request, "programs/pdf_pending.html", {"retry": RETRY_AFTER_SECONDS}, status=202)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def pdf_failed(request, *, reason: str, show_reason: bool) -> HttpResponse:
    """The last render failed: say so (the reason for staff only) and offer to try again (a POST to the same page)."""
    context = {"reason": reason if show_reason else ""}
    response = render(request, "programs/pdf_failed.html", context, status=503)
    response["Cache-Control"] = "no-store"
    return response


def pdf_filename(program: Program) -> str:
    return f"exercise-plan-{program.pk}-v{program.version}.pdf"
