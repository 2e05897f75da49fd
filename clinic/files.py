"""Handing out files that hold patient data: only through a view, never cached, never sniffed."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def no_store(response: HttpResponse, *, filename: str, download: bool = True) -> HttpResponse:
    """Headers for every response that carries a patient's file (a PDF report, a program sheet, an export).

    private, no-store: no shared proxy or browser cache keeps a copy after the page is closed (a shared reception
    computer). nosniff: the browser opens it as what it is, never as a page that could run script.
    """
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = content_disposition_header(download, filename)
    return response


def private_file_response(field_file, *, filename: str, content_type: str, download: bool = True) -> FileResponse:
    """Stream a file from the private storage. The caller has checked the role and written the audit entry."""
    response = FileResponse(field_file.open("rb"), content_type=content_type)
    return no_store(response, filename=filename, download=download)
