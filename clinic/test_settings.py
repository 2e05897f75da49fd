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
# The real Redis cache, as in production, on the run's own Redis db (REDIS_URL). A key prefix per run keeps a test
# run and its workers apart from other runs; tests/conftest.py deletes this prefix's keys (only) between tests.
os.environ.setdefault("MEDIUS_TEST_CACHE_PREFIX", f"medius-test-{os.getpid()}")
CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": os.environ["MEDIUS_TEST_CACHE_PREFIX"]}}  # noqa: F405
# Serve static files from the apps' folders (no collectstatic before tests), as in development.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Ordinary tests run tasks in-process as they are queued (after commit). Integration tests marked celery_worker switch
# this off and run a real worker process against Redis (tests/conftest.py: celery_worker_process).
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "true")  # noqa: F405
# A worker started by a test (tests/conftest.py) must use the test database the test process created.
if os.environ.get("MEDIUS_TEST_WORKER_DB"):
    DATABASES["default"]["NAME"] = os.environ["MEDIUS_TEST_WORKER_DB"]  # noqa: F405
    DATABASES["default"].pop("TEST", None)  # noqa: F405
# A worker started by a test consumes a private queue; what it queues itself must go there too.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("MEDIUS_TEST_CELERY_QUEUE", "celery")
# Tests send every task to their private queue; the routing test (tests/clinic/test_celery_routes.py) names private
# queues per kind through MEDIUS_TEST_QUEUES_BY_KIND ("kind=queue,...").
CELERY_QUEUES_BY_KIND = dict(
    item.split("=", 1) for item in os.environ.get("MEDIUS_TEST_QUEUES_BY_KIND", "").split(",") if "=" in item
)
# Most tests sign in with force_login (no second factor); tests of two-factor sign-in switch the practice setting on.
TWO_FACTOR_REQUIRED_DEFAULT = False
