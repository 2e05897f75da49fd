"""Settings for the test suite: the production settings on PostgreSQL and Redis, with test-only speed-ups."""

import os

os.environ.setdefault("MEDIUS_TESTING", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/medius")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")

from .settings import *  # noqa: F403

# A fast hash: the tests create many users; production keeps Django's default (PBKDF2).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Throttles would make tests depend on each other through the shared Redis cache; tests that check 429 set their own.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"public_write": "1000/minute", "token": "1000/minute"}}  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Serve static files from the apps' folders (no collectstatic before tests), as in development.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
