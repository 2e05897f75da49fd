"""Uploaded pictures (exercise pictures, the practice logo): checked to be real images, size- and pixel-capped,
resized, and re-encoded without metadata.

Re-encoding from pixels drops EXIF (camera, GPS position, date) and anything hidden after the image data. The caps
matter beyond the upload itself: every PDF embeds the logo and exercise pictures, and a 150-megapixel PNG once made
each sheet take 10 s and 1.3 GB to render.
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
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def open_checked(upload, *, field: str = "image") -> Image.Image:
    """The decoded, upright image of an upload, or ValidationError({field: ...}) for anything else or too big."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {field: _("The picture is too large (%(mb).1f MB); the limit is 5 MB.") % {"mb": size / 1024 / 1024}}
        )
    if hasattr(upload, "seek"):
        upload.seek(0)  # a form field may have read it already to check it is an image
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
    return ImageOps.exif_transpose(image)  # keep the orientation the camera meant before dropping EXIF


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "P") and (image.mode != "P" or "transparency" in image.info)


def encode(image: Image.Image, alpha: bool, stem: str) -> ContentFile:
    """PNG when the picture has transparency, JPEG otherwise, from pixels only (no metadata)."""
    out = io.BytesIO()
    if alpha:
        image.convert("RGBA").save(out, format="PNG", optimize=True)
        ext = "png"
    else:
        image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
        ext = "jpg"
    return ContentFile(out.getvalue(), name=f"{stem}.{ext}")


def clean_picture(upload, *, max_side: int, stem: str, field: str = "image") -> ContentFile:
    """A checked upload, shrunk to fit max_side and re-encoded."""
    image = open_checked(upload, field=field)
    image.thumbnail((max_side, max_side))
    return encode(image, has_alpha(image), stem)


MAX_SIDE = 1200  # px: sharp on a phone screen
PRINT_SIDE = 500  # px: 42 mm on the sheet at 300 dpi; a smaller copy keeps the PDF light and quick to render


def process_upload(upload, *, field: str = "image") -> tuple[ContentFile, ContentFile]:
    """A clean JPEG or PNG (transparency kept) of an upload plus a smaller copy for print, or ValidationError on
    `field` (exercise pictures, practitioners' photos)."""
    image = open_checked(upload, field=field)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    alpha = has_alpha(image)
    small = image.copy()
    small.thumbnail((PRINT_SIDE, PRINT_SIDE))
    return encode(image, alpha, "picture"), encode(small, alpha, "print")
