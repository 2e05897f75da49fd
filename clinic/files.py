"""Files: written so that a crash or a full disk never leaves half a file behind, and handed out (when they hold
patient data) only through a view, never cached, never sniffed.

Writing:

A file is written under a temporary name in the same folder, flushed to disk (fsync), then renamed over its final
name (os.replace, atomic on one filesystem), and the folder is fsynced so the rename survives a power cut. Readers
see the old file or the whole new one, never a truncated or empty one. If anything fails, the temporary file is
removed and the error is raised for the caller to record.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse
from django.utils._os import safe_makedirs
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header

TEMP_PREFIX = ".partial-"


def _fsync_directory(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temporary(directory: str, chunks: Iterable[bytes | str]) -> str:
    """Write chunks to a new temporary file in `directory`, fsynced; return its path. Removed again on failure."""
    fd, temp_path = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk.encode() if isinstance(chunk, str) else chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(temp_path).unlink(missing_ok=True)
        raise
    return temp_path


def atomic_write(path: str | os.PathLike, data: bytes | Iterable[bytes], *, mode: int = 0o644) -> None:
    """Replace the file at `path` with `data` in one step (see the module docstring)."""
    path = os.fspath(path)
    directory = os.path.dirname(path) or "."
    temp_path = write_temporary(directory, [data] if isinstance(data, bytes | str) else data)
    try:
        os.chmod(temp_path, mode)  # mkstemp creates 0600
        os.replace(temp_path, path)
    except BaseException:
        Path(temp_path).unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


@deconstructible(path="clinic.files.AtomicFileSystemStorage")
class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose saves are atomic: an upload or a rendered PDF is either all there or not there."""

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        temp_path = write_temporary(directory, content.chunks())
        try:
            # Storage.save() chose a free name; one taken since then (a rare race) gets another one.
            while os.path.exists(full_path) and not self._allow_overwrite:
                name = self.get_available_name(name)
                full_path = self.path(name)
            os.replace(temp_path, full_path)
        except BaseException:
            Path(temp_path).unlink(missing_ok=True)
            raise
        _fsync_directory(directory)
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        return str(name).replace("\\", "/")


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
