"""The printed sheet: what goes on it and the WeasyPrint call (through clinic.pdf, which allows no outside files)."""

from __future__ import annotations

import datetime as dt
import time

import qrcode
import qrcode.constants
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from clinic.pdf import PDF_STYLESHEET, render_pdf
from clinic.selectors import get_practice, practice_zone

from .models import AccessLink, Program

PROGRAM_STYLESHEET = "css/programs_print.css"
LOG_DAYS = 14


def plan_url(token: str) -> str:
    return settings.SITE_URL + reverse("plan:page", args=[token])


def qr_svg(url: str) -> str:
    """An inline SVG QR code: vector (sharp at any size) and nothing to fetch while rendering.

    Each row's dark modules are drawn as runs (one rectangle per run, not per module): the path is several times
    shorter, which WeasyPrint parses much faster than qrcode's own SVG.
    """
    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(url)
    qr.make(fit=True)
    size = qr.modules_count + 2 * qr.border
    parts = []
    for y, row in enumerate(qr.modules):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start + qr.border},{y + qr.border}h{x - start}v1h{start - x}z")
            else:
                x += 1
    path = "".join(parts)
    # Safe: the markup is built here from numbers only; the URL never appears in it as text.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" aria-label="QR code">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


def sheet_context(program: Program, *, token: str) -> dict:
    practice = get_practice()
    items = []
    for item in program.items.all():
        exercise = item.exercise
        pictures = list(exercise.pictures.all())
        items.append(
            {
                "item": item,
                "exercise": exercise,
                "picture": (pictures[0].print_image or pictures[0].image).name if pictures else "",
                "illustration": exercise.illustration,
            }
        )
    start = program.start_date
    url = plan_url(token)
    return {
        "practice": practice,
        "logo": practice.logo.name if practice.logo else "",
        "program": program,
        "patient": program.patient,
        "physio": program.physio,
        "items": items,
        "printed_on": timezone.localdate(timezone=practice_zone()),  # the worker has no request time zone
        "log_days": [start + dt.timedelta(days=n) for n in range(LOG_DAYS)],
        "page_size": "letter" if practice.paper_size == practice.PaperSize.LETTER else "A4",
        "plan_url": url,
        "qr_svg": qr_svg(url),
    }


def render_sheet(program: Program) -> tuple[bytes, int]:
    """Render the sheet with a fresh QR-code link of its own. Returns (pdf bytes, milliseconds)."""
    from . import services

    token = services.issue_link(program=program, purpose=AccessLink.Purpose.SHEET)
    started = time.perf_counter()
    content = render_pdf(
        "programs/pdf/program.html",
        sheet_context(program, token=token),
        stylesheets=(PDF_STYLESHEET, PROGRAM_STYLESHEET),
    )
    return content, round((time.perf_counter() - started) * 1000)
