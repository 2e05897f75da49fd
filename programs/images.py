"""Uploaded exercise pictures: the checks and re-encoding are clinic.images (shared with the practice logo)."""

from __future__ import annotations

from django.core.files.base import ContentFile

from clinic.images import ALLOWED_FORMATS, MAX_SOURCE_PIXELS, MAX_UPLOAD_BYTES, encode, has_alpha, open_checked

__all__ = ["ALLOWED_FORMATS", "MAX_SIDE", "MAX_SOURCE_PIXELS", "MAX_UPLOAD_BYTES", "PRINT_SIDE", "process_upload"]

MAX_SIDE = 1200  # px: sharp on a phone screen
PRINT_SIDE = 500  # px: 42 mm on the sheet at 300 dpi; a smaller copy keeps the PDF light and quick to render


def process_upload(upload) -> tuple[ContentFile, ContentFile]:
    """A clean JPEG or PNG (transparency kept) of an upload plus a smaller copy for print, or ValidationError."""
    image = open_checked(upload, field="image")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    alpha = has_alpha(image)
    small = image.copy()
    small.thumbnail((PRINT_SIDE, PRINT_SIDE))
    return encode(image, alpha, "picture"), encode(small, alpha, "print")
