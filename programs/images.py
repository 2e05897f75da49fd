"""Uploaded exercise pictures: the checks and re-encoding live in clinic.images (shared with the practice logo and
practitioners' photos)."""

from clinic.images import ALLOWED_FORMATS, MAX_SIDE, MAX_SOURCE_PIXELS, MAX_UPLOAD_BYTES, PRINT_SIDE, process_upload

__all__ = ["ALLOWED_FORMATS", "MAX_SIDE", "MAX_SOURCE_PIXELS", "MAX_UPLOAD_BYTES", "PRINT_SIDE", "process_upload"]
