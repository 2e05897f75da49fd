"""Capability tokens never reach a log.

A manage, plan, feed or claim link is the patient's (or a practitioner's) key: whoever has the URL has the access.
Access logs (gunicorn), Django's request and server logs and the console SMS backend would otherwise write those URLs
in full, and logs are kept longer and read by more people than the database. Every token-bearing URL pattern is
listed here; tests/clinic/test_log_redaction.py walks the URL configuration so a new one cannot be forgotten.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_TOKEN_IN_PATH = re.compile(
    r"(?P<prefix>/(?:book/manage|plan|api/v1/public/bookings|calendar/feed|book/waiting-list)/)"
    r"(?P<token>[^/?#\s\"'<>]+?)(?P<suffix>\.ics)?(?=[/?#\s\"'<>]|$)"
)
_TOKEN_IN_QUERY = re.compile(r"(?P<prefix>[?&](?:token|key)=)(?P<token>[^&#\s\"'<>]+)")


def redact(text: str) -> str:
    """The text with every capability token replaced by [redacted]."""
    if not text or ("/" not in text and "=" not in text):
        return text
    text = _TOKEN_IN_PATH.sub(lambda m: f"{m['prefix']}{REDACTED}{m['suffix'] or ''}", text)
    return _TOKEN_IN_QUERY.sub(lambda m: f"{m['prefix']}{REDACTED}", text)


def mask_phone(number: str) -> str:
    """+447700900123 -> +44•••••••123: enough to tell two recipients apart in a log, not enough to call them."""
    number = str(number)
    keep_start = 3 if number.startswith("+") else 0
    if len(number) <= keep_start + 3:
        return "•" * len(number)
    return number[:keep_start] + "•" * (len(number) - keep_start - 3) + number[-3:]


class RedactTokensFilter(logging.Filter):
    """A logging filter for every handler: formats the message once, then removes tokens from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must still be logged, as it would be without this filter
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover (gunicorn is a dependency; keep `manage.py` usable without it)
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """gunicorn's access log with tokens removed from every field (request line, path, referer, Location...)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
