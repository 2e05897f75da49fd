"""Every write about sign-in security, each with its audit entry."""

from __future__ import annotations

import datetime as dt
import re

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from .. import audit
from ..models import ApiToken

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


class CodeRefused(Exception):
    """A second-factor code was not accepted; `message` says why in words for the person signing in."""

    def __init__(self, message: str, *, locked_out: bool = False):
        super().__init__(message)
        self.message = message
        self.locked_out = locked_out


# --- two-factor devices ------------------------------------------------------------------------------------------


def pending_totp_device(*, user) -> TOTPDevice:
    """The authenticator-app device being set up: unconfirmed until the first correct code, so it never counts."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


@transaction.atomic
def confirm_totp_device(*, request, user, device_id: int, code: str) -> list[str] | None:
    """Confirm the pending device with its first code. Returns new recovery codes (first device only), else []."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
    if device is None or not device.verify_token(_digits(code)):
        audit.record(
            action=audit.Action.OTP_FAILED,
            request=request,
            actor=user,
            obj=user,
            summary="Wrong code while setting up an authenticator app",
            detail={"method": "totp", "stage": "setup"},
        )
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    otp_login(request, device)
    audit.record(
        action=audit.Action.TWO_FACTOR_CHANGE,
        request=request,
        actor=user,
        obj=user,
        summary="Added an authenticator app",
        detail={"device": "totp", "change": "added"},
    )
    if StaticDevice.objects.filter(user=user, confirmed=True).exists():
        return []
    return _new_recovery_codes(user=user)


@transaction.atomic
def regenerate_recovery_codes(*, request, user) -> list[str]:
    codes = _new_recovery_codes(user=user)
    audit.record(
        action=audit.Action.TWO_FACTOR_CHANGE,
        request=request,
        actor=user,
        obj=user,
        summary="Made new recovery codes (the old ones no longer work)",
        detail={"device": "recovery_codes", "change": "replaced"},
    )
    return codes


def _new_recovery_codes(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _digits(code: str) -> str:
    return re.sub(r"\s+", "", code or "")


def verify_second_factor(*, request, user, code: str, mark_session: bool = True):
    """Check an authenticator-app code or a recovery code for a signed-in, not yet verified user.

    A wrong code is audited and counts as a failed sign-in for the lockout (django-axes): guessing codes is
    guessing a password. Raises CodeRefused; on success marks the session verified and returns the device.
    """
    code = _digits(code).lower()
    device = None
    throttled = False
    with transaction.atomic():
        if re.fullmatch(r"\d{6}", code):
            candidates = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        else:
            candidates = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
        for candidate in candidates:
            if not candidate.verify_is_allowed()[0]:
                throttled = True
                continue
            if code and candidate.verify_token(code):
                device = candidate
                break
    if device is not None:
        if mark_session:  # the API's token sign-in checks the code without starting a session
            otp_login(request, device)
        method = "recovery_code" if isinstance(device, StaticDevice) else "totp"
        audit.record(
            action=audit.Action.OTP_VERIFIED,
            request=request,
            actor=user,
            obj=user,
            summary="Passed the two-factor check",
            detail={"method": method},
        )
        return device
    audit.record(
        action=audit.Action.OTP_FAILED,
        request=request,
        actor=user,
        obj=user,
        summary="Wrong two-factor code",
        detail={"throttled": throttled},
    )
    locked = record_failed_sign_in(request=request, username=user.email)
    if locked:
        raise CodeRefused(lockout_message(), locked_out=True)
    if throttled:
        raise CodeRefused("Too many wrong codes in a row. Wait a few seconds, then try again.")
    raise CodeRefused("That code is not right. Check the time on your phone and try the newest code.")


@transaction.atomic
def revoke_passkey(*, request, user, credential_id: int) -> bool:
    """A revoked passkey stays listed (so its owner sees what happened) but is refused at sign-in."""
    updated = WebAuthnCredential.objects.filter(pk=credential_id, user=user, confirmed=True).update(confirmed=False)
    if updated:
        audit.record(
            action=audit.Action.TWO_FACTOR_CHANGE,
            request=request,
            actor=user,
            obj=user,
            summary="Revoked a passkey",
            detail={"device": "passkey", "change": "revoked", "id": credential_id},
        )
    return bool(updated)


@transaction.atomic
def remove_totp_device(*, request, user, device_id: int) -> bool:
    deleted, _ = TOTPDevice.objects.filter(pk=device_id, user=user).delete()
    if deleted:
        audit.record(
            action=audit.Action.TWO_FACTOR_CHANGE,
            request=request,
            actor=user,
            obj=user,
            summary="Removed an authenticator app",
            detail={"device": "totp", "change": "removed"},
        )
    return bool(deleted)


@transaction.atomic
def reset_two_factor(*, request, actor, user) -> None:
    """A clinic admin's reset for a colleague who lost their phone: every second factor and every API token goes.

    Their next sign-in asks them to set up two-factor again (when the practice requires it).
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    revoke_all_tokens(user=user, reason="two-factor reset", request=request, actor=actor)
    audit.record(
        action=audit.Action.TWO_FACTOR_CHANGE,
        request=request,
        actor=actor,
        obj=user,
        summary=f"Reset two-factor sign-in for {user.email}",
        detail={"change": "reset", "user": user.email},
    )


# --- lockout -----------------------------------------------------------------------------------------------------


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many failed sign-ins. This account or address is locked for {minutes} minutes. "
        "A clinic admin can unlock it sooner."
    )


def record_failed_sign_in(*, request, username: str) -> bool:
    """Count a failure with django-axes outside authenticate() (a wrong second-factor code). True if now locked."""
    credentials = {"username": username}
    AxesProxyHandler.user_login_failed(sender=verify_second_factor, credentials=credentials, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def unlock(*, request, actor, username: str = "", ip_address: str = "") -> int:
    """Clear failed sign-ins for an account or an address (the admin's unlock button)."""
    if not username and not ip_address:
        return 0
    if username:
        cleared = axes_reset(username=username)
        target = username
    else:
        cleared = axes_reset(ip=ip_address)
        target = ip_address
    audit.record(
        action=audit.Action.UNLOCKED,
        request=request,
        actor=actor,
        summary=f"Unlocked {target}",
        detail={"username": username, "ip_address": ip_address, "cleared": cleared},
    )
    return cleared


# --- API tokens --------------------------------------------------------------------------------------------------


@transaction.atomic
def create_token(*, request, user, name: str) -> tuple[ApiToken, str]:
    """A new token for one client; a token the user already had under that name stops working."""
    # Two sign-ins for the same client at once: the row lock makes the second wait and replace the first's token,
    # instead of both inserting and one failing on the unique (user, name) constraint.
    type(user).objects.select_for_update().filter(pk=user.pk).first()
    replaced = ApiToken.objects.filter(user=user, name=name).delete()[0]
    instance, token = ApiToken.objects.create(user=user, expiry=dt.timedelta(days=settings.API_TOKEN_DAYS), name=name)
    audit.record(
        action=audit.Action.TOKEN_CREATED,
        request=request,
        actor=user,
        obj=user,
        summary=f"API token for {name}",
        detail={"name": name, "expiry": instance.expiry.isoformat(), "replaced": bool(replaced)},
    )
    return instance, token


@transaction.atomic
def revoke_token(*, request, actor, digest: str, owner=None) -> bool:
    """Revoke one token: its owner's own, or (owner=None) anyone's for a clinic admin."""
    tokens = ApiToken.objects.filter(digest=digest)
    if owner is not None:
        tokens = tokens.filter(user=owner)
    token = tokens.select_related("user").first()
    if token is None:
        return False
    token.delete()
    audit.record(
        action=audit.Action.TOKEN_REVOKED,
        request=request,
        actor=actor,
        obj=token.user,
        summary=f"Revoked API token {token.name} of {token.user.email}",
        detail={"name": token.name, "user": token.user.email, "reason": "revoked"},
    )
    return True


def revoke_all_tokens(*, user, reason: str, request=None, actor=None) -> int:
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    if deleted:
        audit.record(
            action=audit.Action.TOKEN_REVOKED,
            request=request,
            actor=actor,
            obj=user,
            summary=f"Revoked all {deleted} API tokens of {user.email} ({reason})",
            detail={"user": user.email, "reason": reason, "count": deleted},
        )
    return deleted


def token_refused(*, request, token_row: ApiToken | None, reason: str) -> None:
    audit.record(
        action=audit.Action.TOKEN_REFUSED,
        request=request,
        actor=token_row.user if token_row else None,
        obj=token_row.user if token_row else None,
        summary=f"API token refused: {reason}",
        detail={"reason": reason, "name": token_row.name if token_row else ""},
    )


def touch_token(token_row: ApiToken) -> None:
    """Record use at most once a minute: a busy client must not write on every request."""
    now = timezone.now()
    if token_row.last_used_at is None or now - token_row.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(digest=token_row.digest).update(last_used_at=now)
