"""Lockout after failed sign-ins (per account and per address), the admins' unlock page, password-reset limits."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from clinic.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD, UserFactory

from .security_support import sign_in_with_password

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the test cache is this process's memory: password-reset counters must not leak between tests
    yield
    cache.clear()


def test_forty_wrong_passwords_then_the_right_one_does_not_sign_in(client, physio):
    for _ in range(40):
        sign_in_with_password(client, physio, password="wrong-password")
    response = sign_in_with_password(client, physio)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="locked_out", detail__username=physio.email).exists()


def test_the_account_is_locked_from_every_address(client, physio, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in_with_password(client, physio, password="wrong-password", REMOTE_ADDR=f"10.0.0.{n + 1}")
    response = sign_in_with_password(client, physio, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429


def test_an_address_trying_many_accounts_is_locked_for_all_of_them(client, physio, front_desk, settings):
    others = UserFactory.create_batch(settings.AXES_FAILURE_LIMIT)
    for user in others:
        sign_in_with_password(client, user, password="wrong-password", REMOTE_ADDR="10.1.1.1")
    assert sign_in_with_password(client, physio, REMOTE_ADDR="10.1.1.1").status_code == 429
    # Another address is not affected.
    assert sign_in_with_password(client, front_desk, REMOTE_ADDR="10.2.2.2").status_code == 302


def test_signing_in_to_ones_own_account_does_not_clear_the_addresss_count(client, physio, front_desk, settings):
    victims = UserFactory.create_batch(settings.AXES_FAILURE_LIMIT)
    for victim in victims[:-1]:
        sign_in_with_password(client, victim, password="guess", REMOTE_ADDR="10.4.4.4")
    own = type(client)()
    assert sign_in_with_password(own, physio, REMOTE_ADDR="10.4.4.4").status_code == 302
    sign_in_with_password(client, victims[-1], password="guess", REMOTE_ADDR="10.4.4.4")
    assert sign_in_with_password(type(client)(), front_desk, REMOTE_ADDR="10.4.4.4").status_code == 429


def test_case_does_not_make_a_new_account_to_guess(client, physio, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        variant = physio.email.upper() if n % 2 else physio.email
        client.post(reverse("login"), {"username": variant, "password": "nope"}, REMOTE_ADDR=f"10.3.0.{n}")
    assert sign_in_with_password(client, physio, REMOTE_ADDR="10.3.9.9").status_code == 429


def test_the_lock_ends_after_the_cool_off(client, physio, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_with_password(client, physio, password="wrong-password")
    assert sign_in_with_password(client, physio).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME - dt.timedelta(1))
    assert sign_in_with_password(client, physio).status_code == 302


def test_a_clinic_admin_sees_and_unlocks_a_locked_account(client, physio, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_with_password(client, physio, password="wrong-password", REMOTE_ADDR="10.5.5.5")
    admin = type(client)()
    admin.force_login(admin_user)
    page = admin.get(reverse("security-admin")).content.decode()
    assert physio.email in page
    assert "10.5.5.5" in page
    admin.post(reverse("security-admin-unlock"), {"username": physio.email})
    admin.post(reverse("security-admin-unlock"), {"ip_address": "10.5.5.5"})
    assert AuditEvent.objects.filter(action="unlocked", actor_id=admin_user.pk).count() == 2
    assert sign_in_with_password(client, physio, REMOTE_ADDR="10.5.5.5").status_code == 302


def test_front_desk_cannot_unlock(client, front_desk, physio, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_with_password(client, physio, password="wrong-password")
    desk = type(client)()
    desk.force_login(front_desk)
    assert desk.post(reverse("security-admin-unlock"), {"username": physio.email}).status_code == 403
    assert sign_in_with_password(client, physio).status_code == 429


# --- password reset ----------------------------------------------------------------------------------------------


def test_thirty_resets_for_one_account_send_only_a_few_emails(client, physio, settings):
    statuses = [
        client.post(reverse("password_reset"), {"email": physio.email}, REMOTE_ADDR=f"10.7.0.{n}").status_code
        for n in range(30)
    ]
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_ACCOUNT_HOUR
    assert statuses.count(302) == settings.PASSWORD_RESET_PER_ACCOUNT_HOUR
    assert statuses.count(429) == 30 - settings.PASSWORD_RESET_PER_ACCOUNT_HOUR
    refused = client.post(reverse("password_reset"), {"email": physio.email}, REMOTE_ADDR="10.7.1.1")
    assert "Several reset emails were already sent" in refused.content.decode()


def test_one_address_cannot_send_resets_to_many_accounts(client, settings):
    users = UserFactory.create_batch(settings.PASSWORD_RESET_PER_ADDRESS_HOUR + 5)
    for user in users:
        client.post(reverse("password_reset"), {"email": user.email}, REMOTE_ADDR="10.8.8.8")
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_ADDRESS_HOUR
    refused = client.post(reverse("password_reset"), {"email": users[0].email}, REMOTE_ADDR="10.8.8.8")
    assert refused.status_code == 429
    assert "from this address" in refused.content.decode()


def test_an_unknown_email_is_counted_like_a_real_one(client, settings):
    """The limit answers the same whether or not an account has the address: it reveals nothing."""
    answers = {
        client.post(reverse("password_reset"), {"email": "nobody@clinic.test"}, REMOTE_ADDR=f"10.9.0.{n}").status_code
        for n in range(settings.PASSWORD_RESET_PER_ACCOUNT_HOUR + 1)
    }
    assert answers == {302, 429}
    assert len(mail.outbox) == 0


def test_under_the_limits_a_reset_email_is_sent_and_its_link_works(client, physio):
    response = client.post(reverse("password_reset"), {"email": physio.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line).strip()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "fresh-long-passphrase", "new_password2": "fresh-long-passphrase"}
    )
    assert done.status_code == 302
    assert sign_in_with_password(client, physio, password="fresh-long-passphrase").status_code == 302
    assert sign_in_with_password(type(client)(), physio, password=DEFAULT_PASSWORD).status_code == 200


def test_an_empty_unlock_is_refused_politely(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("security-admin-unlock"), {}, follow=True)
    assert response.status_code == 200
    assert "Choose an account or an address" in response.content.decode()
    assert not AuditEvent.objects.filter(action="unlocked").exists()
