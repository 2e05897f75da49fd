"""Lockout (django-axes) glue and the password-reset limit.

django-axes counts failed sign-ins per account and per address (settings: AXES_*) and refuses both the password and
the second factor while either is locked. Here: the account name it counts under, the page or JSON it answers, and
the audit entry for each lockout.
"""

from __future__ import annotations

import hashlib

from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver
from django.http import JsonResponse
from django.template.response import TemplateResponse

from .. import audit


def username_from(request, credentials) -> str | None:
    """Sign-in names are email addresses, matched without regard to case: "Ana@x" and "ana@x" are one account."""
    data = credentials if credentials else getattr(request, "data", None) or request.POST
    value = data.get("username") or data.get("email")
    return str(value).strip().lower()[:254] if value else None


def lockout_response(request, original_response=None, credentials=None):
    from .services import lockout_message

    message = lockout_message()
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "locked_out", "detail": message}, status=429)
    else:
        from django.contrib.auth.forms import AuthenticationForm

        form = AuthenticationForm(request, data=None)
        response = TemplateResponse(
            request, "registration/login.html", {"form": form, "lockout_message": message}, status=429
        ).render()
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


@receiver(user_locked_out)
def _audit_lockout(sender, request, username=None, ip_address=None, **kwargs):
    audit.record(
        action=audit.Action.LOCKED_OUT,
        request=request,
        summary=f"Sign-in refused: {username or ip_address} is locked",
        detail={"username": username or "", "ip_address": ip_address or ""},
    )


# --- password reset ----------------------------------------------------------------------------------------------


def _hit(key: str, limit: int) -> bool:
    """Count one use in a one-hour window; False once the limit is passed. cache.add + incr are atomic on Redis."""
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: start a new window
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= limit


def password_reset_allowed(*, ip: str | None, email: str) -> str | None:
    """None if a reset email may be sent; else the reason in words. Counted per address and per typed email
    (whether or not an account has it, so the answer reveals nothing about who has an account)."""
    email_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    if not _hit(f"pwreset:ip:{ip or 'unknown'}", settings.PASSWORD_RESET_PER_ADDRESS_HOUR):
        return "Too many password resets were asked for from this address. Try again in an hour."
    if not _hit(f"pwreset:email:{email_key}", settings.PASSWORD_RESET_PER_ACCOUNT_HOUR):
        return (
            "Several reset emails were already sent to this address in the last hour. Check your inbox (and spam "
            "folder), or try again in an hour."
        )
    return None
