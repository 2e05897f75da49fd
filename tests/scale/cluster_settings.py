"""The production settings (clinic.settings, read from the environment) for the scale-out cluster on one machine.

One difference only: static files are collected with hashed names but not pre-compressed. Compressing every file
(gzip and brotli) takes minutes on a shared test machine and changes nothing the scale-out test looks at.
"""

from clinic.settings import *  # noqa: F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}  # noqa: F405
