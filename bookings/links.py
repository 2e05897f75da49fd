"""The patient's private link to manage an appointment.

The token in the link is HMAC(SECRET_KEY, nonce): unguessable (the nonce is 128 random bits and the key is secret),
and the database holds only the nonce and the token's SHA-256. A copy of the database alone therefore opens no
appointment, while the server can rebuild the same link for every email about the appointment (and for a replayed
Idempotency-Key response) without ever storing it readably. The link stops working once the appointment has ended
(bookings.selectors.appointment_for_token). Rotating SECRET_KEY invalidates outstanding links, as it does sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.urls import reverse


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def token_for(nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"bookings.manage:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def manage_path(nonce: str) -> str:
    return reverse("bookings:manage", kwargs={"token": token_for(nonce)})


def manage_url(nonce: str) -> str:
    return settings.SITE_URL + manage_path(nonce)
