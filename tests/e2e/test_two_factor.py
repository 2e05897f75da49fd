"""Two-factor sign-in in Chromium: set up an authenticator app from the page's key, sign out, sign in with a code
the test computes like a phone would; add a passkey with Chromium's virtual authenticator, use it, revoke it."""

from __future__ import annotations

import time
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from clinic.models import AuditEvent
from clinic.roles import Role
from tests.clinic.security_support import require_two_factor
from tests.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def physio_2fa(transactional_db):
    require_two_factor(True)
    return UserFactory(email="twofactor@clinic.test", first_name="Tess", role=Role.PHYSIO)


def _password(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email address", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _code(secret: str, step_offset: int = 0) -> str:
    return f"{totp(b32decode(secret), drift=step_offset):06d}"


def _enrol(page, user) -> str:
    _password(page, user)
    page.wait_for_url("**/accounts/two-factor/setup/**")
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(_code(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients", exact=True)).to_be_visible()
    return secret


def test_staff_set_up_an_authenticator_app_and_sign_in_with_its_code(page, physio_2fa):
    secret = _enrol(page, physio_2fa)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")

    _password(page, physio_2fa)
    page.wait_for_url("**/accounts/two-factor/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_label("Code", exact=True).fill("000000" if _code(secret, 1) != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#id_code_error")).to_contain_text("That code is not right")
    page.wait_for_timeout(1500)  # django-otp makes each wrong code cost a growing pause (1 s after the first)
    # The code enrolment used is spent; the phone's next code (one step ahead is accepted) finishes signing in.
    page.get_by_label("Code", exact=True).fill(_code(secret, 1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients", exact=True)).to_be_visible()
    assert AuditEvent.objects.filter(action="otp_verified", actor_id=physio_2fa.pk).exists()


def _wait_for(predicate, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_passkey_signs_in_and_a_revoked_one_is_refused(page, physio_2fa, live_server, settings):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    secret = _enrol(page, physio_2fa)
    page.get_by_role("link", name="Security").click()
    page.get_by_role("button", name="Add a passkey or security key").click()
    _wait_for(lambda: WebAuthnCredential.objects.filter(user=physio_2fa, confirmed=True).exists())
    assert AuditEvent.objects.filter(action="two_factor_change", detail__device="passkey").exists()

    page.get_by_role("button", name="Sign out").click()
    _password(page, physio_2fa)
    page.wait_for_url("**/accounts/two-factor/**")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients", exact=True)).to_be_visible()
    assert AuditEvent.objects.filter(action="otp_verified", detail__method="passkey").exists()

    page.get_by_role("link", name="Security").click()
    page.locator("#passkey-list").get_by_role("button", name="Revoke").click()
    # This session was verified with that passkey: revoking it asks for a second factor again, at once.
    page.wait_for_url("**/accounts/two-factor/**")
    expect(page.get_by_text("Removed.")).to_be_visible()
    assert not WebAuthnCredential.objects.get(user=physio_2fa).confirmed
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.locator("#passkey-verification-status-message")).to_contain_text("revoked")
    assert AuditEvent.objects.filter(action="otp_failed", detail__code="passkey_revoked").exists()
    # The authenticator app still works.
    page.get_by_label("Code", exact=True).fill(_code(secret, 1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients", exact=True)).to_be_visible()
