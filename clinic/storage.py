"""Where files holding patient data live: the "private" storage, never a public URL.

Progress reports (and any future export) are written to STORAGES["private"] (by default a folder outside MEDIA_ROOT,
var/private). Only a view that checks the role, writes an audit entry and forbids caching hands them out
(clinic.files.private_file_response). Exercise pictures, practitioners' photos and the practice logo stay in the
public media storage. STORAGES["private"] is an ordinary Django storage, so an S3-compatible backend with private
objects can be configured instead of the folder.
"""

from __future__ import annotations

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

from .files import AtomicFileSystemStorage


class PrivateFileSystemStorage(AtomicFileSystemStorage):
    """A folder with no URL (asking for one is a programming error, not a link to hand out), written atomically."""

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view (clinic.files).")


class _PrivateStorage(LazyObject):
    # Looked up on first use, not at import, so that tests and deployments can point STORAGES["private"] elsewhere.
    def _setup(self):
        self._wrapped = storages["private"]


private_storage = _PrivateStorage()


def get_private_storage():
    """The callable FileFields name (storage=get_private_storage): migrations store the reference, not a path."""
    return private_storage


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        private_storage._wrapped = empty
