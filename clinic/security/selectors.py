"""Reads for the security pages: devices, lockouts and tokens."""

from __future__ import annotations

from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from ..models import ApiToken, User
from ..selectors import get_practice


def has_second_factor(user) -> bool:
    """A confirmed authenticator app or passkey (recovery codes alone do not count: they are the fallback)."""
    if not getattr(user, "is_authenticated", False):
        return False
    # One query for both kinds: this runs on every request of a session that has not passed a second factor.
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).values("id")
    passkey = WebAuthnCredential.objects.filter(user=user, confirmed=True).values("id")
    return totp.union(passkey).exists()


def second_factor_needed(user, practice=None) -> bool:
    """Whether this signed-in user must pass a second factor: always once they have one, else if the practice says."""
    return (practice or get_practice()).require_two_factor or has_second_factor(user)


def confirmed_devices(user) -> list:
    return list(devices_for_user(user, confirmed=True))


def totp_devices(user) -> QuerySet[TOTPDevice]:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id")


def passkeys(user) -> QuerySet[WebAuthnCredential]:
    return WebAuthnCredential.objects.filter(user=user).order_by("-confirmed", "-created_at")


def recovery_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("name")


def all_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user").order_by("user__email", "name")


@dataclass(frozen=True)
class Lock:
    key: str  # the account's email or the address
    failures: int
    last_attempt: object
    locked: bool


def _locks(field: str) -> list[Lock]:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("-last")
    )
    limit = settings.AXES_FAILURE_LIMIT
    return [
        Lock(key=row[field], failures=row["failures"], last_attempt=row["last"], locked=row["failures"] >= limit)
        for row in rows
        if row[field]
    ]


def account_locks() -> list[Lock]:
    """Accounts with failed sign-ins inside the cool-off, locked or not yet."""
    return _locks("username")


def address_locks() -> list[Lock]:
    return _locks("ip_address")


def staff_with_devices() -> list[tuple[User, int]]:
    """Every active account and how many confirmed second factors it has (for the admin's reset button)."""
    users = list(User.objects.filter(is_active=True).order_by("email"))
    counts: dict[int, int] = {}
    for model in (TOTPDevice, WebAuthnCredential):
        for user_id in model.objects.filter(confirmed=True).values_list("user_id", flat=True):
            counts[user_id] = counts.get(user_id, 0) + 1
    return [(user, counts.get(user.pk, 0)) for user in users]
