"""The printed sheet: what goes on it and the WeasyPrint call (through clinic.pdf, which allows no outside files)."""

from __future__ import annotations

import datetime as dt
import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from clinic.pdf import PDF_STYLESHEET, render_pdf
from clinic.selectors import get_practice

from .models import AccessLink, Program

PROGRAM_STYLESHEET = "css/programs_print.css"
LOG_DAYS = 14


def plan_url(token: str) -> str:
    return settings.SITE_URL + reverse("plan:page", args=[token])


def qr_svg(url: str) -> str:
    """An inline SVG QR code (vector: sharp at any size, and nothing to fetch while rendering)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    # Safe: qrcode writes the markup itself; the URL is ours and is encoded into path data, not copied as text.
    return mark_safe(image.to_string(encoding="unicode"))


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
                "picture": pictures[0].image.name if pictures else "",
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
        "printed_on": timezone.localdate(),
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
