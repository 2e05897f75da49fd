"""Two-factor sign-in: an authenticator app (TOTP), recovery codes, passkeys, the practice setting and admin resets."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from clinic.models import ApiToken, AuditEvent, Practice
from clinic.security import services
from clinic.security.webauthn import AuthenticationComplete, PasskeyRevoked

from .security_support import add_totp, code_for, force_verified_login, require_two_factor, sign_in_with_password

pytestmark = pytest.mark.django_db


def test_with_an_authenticator_app_the_password_alone_reaches_only_the_code_page(client, physio):
    add_totp(physio)
    sign_in_with_password(client, physio)
    response = client.get("/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert "next=%2Fpatients%2F" in response["Location"]
    assert client.get(reverse("account-security")).status_code == 302
    assert client.get(reverse("two_factor_verify")).status_code == 200


def test_the_api_refuses_a_session_that_has_not_passed_the_second_factor(client, physio):
    add_totp(physio)
    sign_in_with_password(client, physio)
    response = client.get("/api/v1/patients/")
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"


def test_the_right_code_finishes_signing_in_and_goes_where_the_user_was_going(client, physio):
    device = add_totp(physio)
    sign_in_with_password(client, physio)
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device), "next": "/patients/"})
    assert response.status_code == 302
    assert response["Location"] == "/patients/"
    assert client.get("/patients/").status_code == 200
    assert AuditEvent.objects.filter(action="otp_verified", actor_id=physio.pk, detail__method="totp").exists()


def test_a_wrong_code_is_refused_with_a_message_an_audit_entry_and_nothing_lost(client, physio):
    device = add_totp(physio)
    sign_in_with_password(client, physio)
    response = client.post(reverse("two_factor_verify"), {"code": "000000" if code_for(device) != "000000" else "1"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert AuditEvent.objects.filter(action="otp_failed", actor_id=physio.pk).exists()
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()  # the device survives a failed try
    # Still half signed in: the next correct code finishes.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert client.post(reverse("two_factor_verify"), {"code": code_for(device)}).status_code == 302
    assert client.get("/patients/").status_code == 200


def test_repeated_wrong_codes_lock_the_account_like_wrong_passwords(client, physio, settings):
    settings.AXES_FAILURE_LIMIT = 3
    add_totp(physio)
    sign_in_with_password(client, physio)
    statuses = [client.post(reverse("two_factor_verify"), {"code": "12345x"}).status_code for _ in range(3)]
    assert statuses[:2] == [400, 400]
    assert statuses[2] == 429
    assert AuditEvent.objects.filter(action="locked_out").exists()
    # Signed out, and the password alone no longer works either.
    assert "_auth_user_id" not in client.session
    response = sign_in_with_password(client, physio)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_a_recovery_code_signs_in_once(client, physio):
    add_totp(physio)
    services._new_recovery_codes(user=physio)
    code = StaticToken.objects.filter(device__user=physio).first().token
    sign_in_with_password(client, physio)
    assert client.post(reverse("two_factor_verify"), {"code": code.upper()}).status_code == 302
    assert AuditEvent.objects.filter(action="otp_verified", detail__method="recovery_code").exists()
    client.post(reverse("logout"))
    sign_in_with_password(client, physio)
    assert client.post(reverse("two_factor_verify"), {"code": code}).status_code == 400


def test_with_the_practice_setting_on_staff_without_a_device_must_set_one_up(client, physio):
    require_two_factor()
    sign_in_with_password(client, physio)
    response = client.get("/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))


def test_with_the_practice_setting_off_the_password_is_enough_for_staff_without_a_device(client, physio):
    require_two_factor(False)
    sign_in_with_password(client, physio)
    assert client.get("/patients/").status_code == 200


def test_setting_up_an_authenticator_app_confirms_it_with_a_code_and_shows_ten_recovery_codes(client, physio):
    require_two_factor()
    sign_in_with_password(client, physio)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    pending = TOTPDevice.objects.get(user=physio)
    assert pending.confirmed is False
    assert client.post(reverse("two_factor_setup"), {"code": "999999x"}).status_code == 400
    assert not TOTPDevice.objects.filter(user=physio, confirmed=True).exists()
    pending.refresh_from_db()
    TOTPDevice.objects.filter(pk=pending.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(reverse("two_factor_setup"), {"code": code_for(pending), "next": "/patients/"})
    assert response.status_code == 302
    codes_page = client.get(response["Location"])
    codes = StaticToken.objects.filter(device__user=physio).values_list("token", flat=True)
    assert len(codes) == 10
    assert all(code in codes_page.content.decode() for code in codes)
    # Shown once only.
    assert codes[0] not in client.get(reverse("two_factor_recovery_codes")).content.decode()
    assert client.get("/patients/").status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_change", detail__change="added").exists()


def test_a_half_signed_in_user_with_a_device_cannot_add_another_one(client, physio):
    add_totp(physio)
    sign_in_with_password(client, physio)
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.filter(user=physio).count() == 1


def test_new_recovery_codes_replace_the_old_ones(client, physio):
    client.force_login(physio)
    old = services._new_recovery_codes(user=physio)
    client.post(reverse("two_factor_recovery_codes"))
    new = list(StaticToken.objects.filter(device__user=physio).values_list("token", flat=True))
    assert len(new) == 10
    assert not set(old) & set(new)


def test_a_clinic_admin_resets_a_colleagues_two_factor_and_their_tokens(client, admin_user, physio):
    add_totp(physio)
    services._new_recovery_codes(user=physio)
    ApiToken.objects.create(user=physio, name="script")
    client.force_login(admin_user)
    response = client.post(reverse("security-admin-reset-two-factor", args=[physio.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=physio).exists()
    assert not StaticDevice.objects.filter(user=physio).exists()
    assert not ApiToken.objects.filter(user=physio).exists()
    event = AuditEvent.objects.get(action="two_factor_change", detail__change="reset")
    assert event.actor_id == admin_user.pk
    assert event.object_id == str(physio.pk)


def test_only_clinic_admins_may_reset_two_factor(client, physio, other_physio):
    add_totp(other_physio)
    client.force_login(physio)
    assert client.post(reverse("security-admin-reset-two-factor", args=[other_physio.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=other_physio).exists()


def test_a_revoked_passkey_is_refused_with_a_clear_message(physio, rf):
    credential = WebAuthnCredential(user=physio, confirmed=False, name="Laptop")
    view = AuthenticationComplete()
    with pytest.raises(PasskeyRevoked) as refused:
        view.check_device_usable(credential)
    assert "revoked" in str(refused.value)
    request = rf.post("/accounts/passkeys/authentication/complete/")
    request.user = physio
    request.session = {}
    view.request = request
    response = view.handle_exception(refused.value)
    assert response.status_code == 403
    assert b"revoked" in response.content
    assert AuditEvent.objects.filter(action="otp_failed", detail__code="passkey_revoked").exists()


def test_revoking_a_passkey_keeps_it_listed_but_unusable(client, physio):
    credential = WebAuthnCredential.objects.create(
        user=physio,
        confirmed=True,
        name="Laptop",
        credential_id=b"abc",
        public_key=b"key",
        sign_count=0,
    )
    force_verified_login(client, physio, credential)
    client.post(reverse("account-security-remove-device"), {"kind": "passkey", "id": credential.pk})
    credential.refresh_from_db()
    assert credential.confirmed is False
    assert "revoked" in client.get(reverse("account-security")).content.decode()
    assert AuditEvent.objects.filter(action="two_factor_change", detail__change="revoked").exists()


def test_new_practices_require_two_factor_when_the_default_says_so(settings):
    settings.TWO_FACTOR_REQUIRED_DEFAULT = True
    Practice.objects.all().delete()
    assert Practice.objects.create(pk=1).require_two_factor is True


@pytest.mark.parametrize(("debug", "expected"), [("false", "True"), ("true", "False")])
def test_the_default_is_on_without_debug_and_off_with_it(debug, expected):
    env = {k: v for k, v in os.environ.items() if k not in {"TWO_FACTOR_REQUIRED_DEFAULT", "MEDIUS_TESTING"}}
    env.update({"DEBUG": debug, "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "clinic.settings"})
    out = subprocess.run(
        [sys.executable, "-c", "from clinic import settings; print(settings.TWO_FACTOR_REQUIRED_DEFAULT)"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == expected


def test_the_demo_under_debug_keeps_sign_in_one_click(settings):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from clinic.roles import STAFF_ROLES

    for role in STAFF_ROLES:  # a transactional test run earlier may have flushed the groups the migrations made
        Group.objects.get_or_create(name=role.value)
    settings.DEBUG = True
    require_two_factor(True)
    call_command("seed_demo", "--password", "another-demo-pw")
    assert Practice.objects.get().require_two_factor is False


def test_the_setting_is_on_the_practice_settings_page(client, admin_user):
    client.force_login(admin_user)
    assert "require_two_factor" in client.get(reverse("practice-settings")).content.decode()


def test_the_admin_site_shows_no_authenticator_secrets_or_recovery_codes(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="ops@clinic.test", is_superuser=True, is_staff=True))  # /admin/ is theirs
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_the_code_page_never_sends_anyone_to_another_site(client, physio):
    device = add_totp(physio)
    sign_in_with_password(client, physio)
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
