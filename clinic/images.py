"""Uploaded pictures (exercise pictures, practitioners' photos): checked to be real images, size-capped, resized, and
re-encoded without metadata.

Re-encoding from pixels drops EXIF (camera, GPS position, date) and anything hidden after the image data.
"""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SOURCE_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 1200  # px: sharp on a phone screen
PRINT_SIDE = 500  # px: 42 mm on the sheet at 300 dpi; a smaller copy keeps the PDF light and quick to render
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def process_upload(upload, *, field: str = "image") -> tuple[ContentFile, ContentFile]:
    """A clean JPEG or PNG (transparency kept) of an upload plus a smaller copy for print, or ValidationError on
    `field`."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {field: _("The picture is too large (%(mb).1f MB); the limit is 5 MB.") % {"mb": size / 1024 / 1024}}
        )
    data = upload.read()
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError({field: _("The picture is too large; the limit is 5 MB.")})
    try:
        with warnings.catch_warnings():
            # Pillow warns (and our tests turn warnings into errors) on huge images; we refuse them ourselves below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                probe.verify()
            if fmt not in ALLOWED_FORMATS:
                raise ValidationError({field: _("Upload a JPEG, PNG, WebP or GIF picture.")})
            if width * height > MAX_SOURCE_PIXELS:
                raise ValidationError({field: _("The picture has too many pixels; use one under 40 megapixels.")})
            image = Image.open(io.BytesIO(data))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            {field: _("This file is not a picture we can read (use JPEG, PNG, WebP or GIF).")}
        ) from None
    image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant before dropping EXIF
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    has_alpha = image.mode in ("RGBA", "LA", "P") and (image.mode != "P" or "transparency" in image.info)
    small = image.copy()
    small.thumbnail((PRINT_SIDE, PRINT_SIDE))
    return _encode(image, has_alpha, "picture"), _encode(small, has_alpha, "print")


def _encode(image: Image.Image, has_alpha: bool, stem: str) -> ContentFile:
    out = io.BytesIO()
    if has_alpha:
        image.convert("RGBA").save(out, format="PNG", optimize=True)
        ext = "png"
    else:
        image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
        ext = "jpg"
    return ContentFile(out.getvalue(), name=f"{stem}.{ext}")
