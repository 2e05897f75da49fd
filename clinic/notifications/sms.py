"""SMS backends, chosen by settings.SMS_BACKEND (docs/reminders.md).

- ConsoleBackend (default): logs that a text was sent, with the number masked and the links' tokens removed;
  nothing leaves the machine. Logs are kept longer and read more widely than the outbox, so not the text itself.
- HttpGatewayBackend: POSTs JSON to SMS_GATEWAY_URL with a bearer token. The Idempotency-Key header carries the
  notification's id, so a retry after a timeout (when the gateway may have taken the first request) is recognised
  by a gateway that honours the header instead of sending a second text.
- MemoryBackend: keeps texts in a list (tests and the demo).

A backend raises SmsError(transient=...) so the sender knows whether trying again later can help.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from clinic.log_redaction import mask_phone, redact

logger = logging.getLogger(__name__)


class SmsError(Exception):
    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


class BaseBackend:
    def send(self, *, to: str, text: str, reference: str) -> str:
        """Hand the text over; return the provider's id for it."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, *, to: str, text: str, reference: str) -> str:
        logger.info("SMS to %s (%s, %d characters): %s", mask_phone(to), reference, len(text), redact(text))
        return f"console:{reference}"


@dataclass(frozen=True)
class SentSms:
    to: str
    text: str
    reference: str


class MemoryBackend(BaseBackend):
    outbox: list[SentSms] = []  # shared on purpose, like Django's locmem mail.outbox
    _lock = threading.Lock()

    def send(self, *, to: str, text: str, reference: str) -> str:
        with self._lock:
            self.outbox.append(SentSms(to=to, text=text, reference=reference))
            return f"memory:{len(self.outbox)}"


class HttpGatewayBackend(BaseBackend):
    """A generic HTTP SMS gateway: POST {"to", "from", "text", "reference"} -> 2xx {"id": "..."}.

    5xx, 429, timeouts and refused connections are passing faults (retried with backoff); other 4xx mean the request
    itself is wrong (an invalid number) and are final.
    """

    def __init__(self, *, url: str | None = None, token: str | None = None, timeout: float | None = None):
        self.url = url or settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.timeout = timeout or settings.SMS_TIMEOUT
        if not self.url:
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be set to use the HTTP SMS gateway backend")

    def send(self, *, to: str, text: str, reference: str) -> str:
        body = json.dumps({"to": to, "from": settings.SMS_SENDER, "text": text, "reference": reference}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": reference}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310 (URL from settings)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace")
            transient = exc.code >= 500 or exc.code in (408, 429)
            message = _("SMS gateway answered %(status)s: %(detail)s") % {"status": exc.code, "detail": detail}
            raise SmsError(message, transient=transient) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise SmsError(_("SMS gateway unreachable: %(error)s") % {"error": exc}, transient=True) from exc
        try:
            return str(json.loads(payload)["id"])
        except (ValueError, KeyError, TypeError):
            # Accepted (2xx) but no id we understand: it was sent; keep what the gateway said.
            return payload[:200].decode(errors="replace")


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
