"""The patient's private link to manage an appointment.

The token in the link is HMAC(SECRET_KEY, nonce): unguessable (the nonce is 128 random bits and the key is secret),
and the database holds only the nonce and the token's SHA-256. A copy of the database alone therefore opens no
appointment, while the server can rebuild the same link for every email about the appointment (and for a replayed
Idempotency-Key response) without ever storing it readably. The link stops working once the appointment has ended
(bookings.selectors.appointment_for_token).

Rotating SECRET_KEY invalidates every outstanding link at once, as it does sessions: a link is accepted only if it is
also the HMAC of its appointment's nonce under the current key (`is_current`). The next email about an appointment
carries a link under the new key: `url_for` notices that the stored hash belongs to the old key and replaces it.
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


def is_current(token: str, nonce: str) -> bool:
    """The token is this nonce's link under the current SECRET_KEY (a link issued under a rotated key is not)."""
    return hmac.compare_digest(token, token_for(nonce))


def path_for(appointment) -> str:
    """The appointment's link under the current key; after a SECRET_KEY rotation, the stored hash is moved to it."""
    token = token_for(appointment.manage_nonce)
    digest = hash_token(token)
    if appointment.manage_token_hash != digest:
        # Only after a rotation: the old link is already refused (is_current); from now on this one opens it.
        type(appointment).objects.filter(pk=appointment.pk, manage_nonce=appointment.manage_nonce).update(
            manage_token_hash=digest
        )
        appointment.manage_token_hash = digest
    return reverse("bookings:manage", kwargs={"token": token})


def url_for(appointment) -> str:
    return settings.SITE_URL + path_for(appointment)
