"""Helpers for the sign-in security tests: a real authenticator-app device and the codes a phone would show."""

from __future__ import annotations

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.selectors import get_practice
from tests.factories import DEFAULT_PASSWORD


def require_two_factor(on: bool = True) -> None:
    practice = get_practice()
    practice.require_two_factor = on
    practice.save()


def add_totp(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def code_for(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code the phone shows now (what a person would type)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps):06d}"


def sign_in_with_password(client, user, password: str = DEFAULT_PASSWORD, **extra):
    return client.post(reverse("login"), {"username": user.email, "password": password}, **extra)


def force_verified_login(client, user, device) -> None:
    """force_login, plus the mark django-otp leaves in the session once a second factor was checked."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
