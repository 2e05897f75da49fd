"""API tokens: hashed, expiring, one per client name, revocable, revoked with the credentials that made them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.models import ApiToken, AuditEvent
from tests.factories import DEFAULT_PASSWORD

from .security_support import add_totp, code_for, require_two_factor

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"
PATIENTS = "/api/v1/patients/"


def _token(api, user, **extra):
    return api.post(URL, {"username": user.email, "password": DEFAULT_PASSWORD, **extra}, format="json")


def test_token_sign_in_returns_the_token_its_name_and_expiry(api, front_desk, settings):
    response = _token(api, front_desk, name="Reception PC")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Reception PC"
    expiry = dt.datetime.fromisoformat(body["expiry"])
    expected = timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS)
    assert abs((expiry - expected).total_seconds()) < 60
    assert AuditEvent.objects.filter(action="token_created", actor_id=front_desk.pk).exists()


def test_the_token_is_stored_only_as_a_hash(api, front_desk):
    token = _token(api, front_desk).json()["token"]
    row = ApiToken.objects.get(user=front_desk)
    assert row.digest != token
    assert token not in row.digest
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest || token_key || name FROM clinic_apitoken")
        assert all(token not in value for (value,) in cursor.fetchall())


def test_the_old_plain_text_token_table_is_gone(settings):
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS
    assert "authtoken_token" not in connection.introspection.table_names()


def test_an_expired_token_is_refused_with_a_clear_message_and_an_audit_entry(api, front_desk):
    token = _token(api, front_desk).json()["token"]
    ApiToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get(PATIENTS)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert "expired" in response.json()["detail"]
    assert AuditEvent.objects.filter(action="token_refused", detail__reason="expired", actor_id=front_desk.pk).exists()


def test_a_valid_token_works_until_revoked_by_its_owner(client, api, front_desk):
    token = _token(api, front_desk, name="script").json()["token"]
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert caller.get(PATIENTS).status_code == 200
    client.force_login(front_desk)
    page = client.get(reverse("account-security")).content.decode()
    assert "script" in page
    client.post(reverse("account-security-revoke-token"), {"digest": ApiToken.objects.get().digest})
    assert caller.get(PATIENTS).status_code == 401
    assert AuditEvent.objects.filter(action="token_revoked", actor_id=front_desk.pk).exists()


def test_staff_cannot_revoke_someone_elses_token(client, api, front_desk, physio):
    _token(api, physio)
    client.force_login(front_desk)
    client.post(reverse("account-security-revoke-token"), {"digest": ApiToken.objects.get().digest})
    assert ApiToken.objects.filter(user=physio).exists()


def test_an_admin_sees_and_revokes_everyones_tokens(client, api, admin_user, physio):
    _token(api, physio, name="Physio tablet")
    client.force_login(admin_user)
    assert "Physio tablet" in client.get(reverse("security-admin")).content.decode()
    client.post(reverse("security-admin-revoke-token"), {"digest": ApiToken.objects.get().digest})
    assert not ApiToken.objects.exists()


def test_one_token_per_client_name(api, physio):
    first = _token(api, physio, name="laptop").json()["token"]
    _token(api, physio, name="phone")
    second = _token(api, physio, name="laptop").json()["token"]
    assert sorted(ApiToken.objects.values_list("name", flat=True)) == ["laptop", "phone"]
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert old.get(PATIENTS).status_code == 401
    new = APIClient()
    new.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert new.get(PATIENTS).status_code == 200


def test_a_password_change_revokes_every_token(client, api, physio):
    _token(api, physio, name="a")
    _token(api, physio, name="b")
    client.force_login(physio)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=physio).exists()
    assert AuditEvent.objects.filter(action="token_revoked", detail__reason="password changed").exists()


def test_deactivation_revokes_every_token(api, physio):
    _token(api, physio)
    physio.is_active = False
    physio.save()
    assert not ApiToken.objects.filter(user=physio).exists()


def test_saving_a_user_without_credential_changes_keeps_tokens(api, physio):
    _token(api, physio)
    physio.first_name = "Renamed"
    physio.save()
    assert ApiToken.objects.filter(user=physio).exists()


def test_token_sign_in_respects_the_lockout(api, physio, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(URL, {"username": physio.email, "password": "wrong"}, format="json")
    response = _token(api, physio)
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert not ApiToken.objects.exists()


def test_token_sign_in_asks_for_the_second_factor_when_the_account_has_one(api, physio):
    device = add_totp(physio)
    missing = _token(api, physio)
    assert missing.status_code == 400
    assert "otp" in missing.json()["errors"]
    wrong = _token(api, physio, otp="12345x")
    assert wrong.status_code == 400
    assert AuditEvent.objects.filter(action="otp_failed", actor_id=physio.pk).exists()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    right = _token(api, physio, otp=code_for(device))
    assert right.status_code == 200
    assert "sessionid" not in right.cookies  # the code check does not start a browser session


def test_token_sign_in_needs_two_factor_set_up_when_the_practice_requires_it(api, physio):
    require_two_factor()
    response = _token(api, physio)
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_setup_required"


@pytest.mark.parametrize(
    "header", ["Token", "Token a b", "Token not-hex-at-all", "Token " + "f" * 64, "Token \u00e9t\u00e9"]
)
def test_a_malformed_or_unknown_token_gets_a_401_never_a_500(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(PATIENTS)
    assert response.status_code == 401
    assert response.json()["code"] in {"authentication_failed", "invalid_token"}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "x"},
        {"username": "x" * 300, "password": "y"},
        {"username": "a", "password": "b", "otp": "1" * 40},
    ],
)
def test_bad_token_requests_get_field_errors(api, body):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
