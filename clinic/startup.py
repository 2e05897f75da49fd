"""Checks that a serving process (gunicorn/runserver, Celery worker and beat) makes before it starts."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django itself refuses to hand out an empty key
        key = ""
    if not key:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or set DEBUG=true for development).")
