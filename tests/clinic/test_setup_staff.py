"""Clinic admins manage staff accounts and roles in the app: invite, change a role, deactivate; never lock the
practice out of its last admin, never touch an operator's (superuser's) account; every change audited."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from clinic.models import AuditEvent
from clinic.roles import Role, role_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_an_admin_invites_a_new_member_of_staff_who_chooses_a_password(
    persona_client, admin_user, mailoutbox, django_capture_on_commit_callbacks, client
):
    admin = persona_client("admin_user")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("setup-staff"),
            {"first_name": "Nina", "last_name": "New", "email": "Nina@Clinic.test", "role": Role.FRONT_DESK.value},
        )
    assert response.status_code == 302
    nina = User.objects.get(email="nina@clinic.test")
    assert role_of(nina) == Role.FRONT_DESK and not nina.has_usable_password()
    (invitation,) = mailoutbox
    assert invitation.to == ["nina@clinic.test"]
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", invitation.body).group(0)
    assert link in invitation.alternatives[0][0]
    assert AuditEvent.objects.filter(action="create", object_id=str(nina.pk)).exists()
    # The link lets Nina choose a password.
    path = "/accounts/" + link.split("/accounts/", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a long new phrase 42", "new_password2": "a long new phrase 42"},
    )
    assert done.status_code == 302
    nina.refresh_from_db()
    assert nina.check_password("a long new phrase 42")


def test_an_existing_email_is_refused(persona_client, physio):
    response = persona_client("admin_user").post(
        reverse("setup-staff"),
        {"first_name": "P", "last_name": "P", "email": physio.email.upper(), "role": Role.PHYSIO.value},
    )
    assert response.status_code == 400
    assert "already an account" in response.content.decode()


def test_an_admin_changes_a_role_and_it_is_audited(persona_client, physio):
    response = persona_client("admin_user").post(
        reverse("setup-staff-edit", args=[physio.pk]), {"role": "Clinic admin"}
    )
    assert response.status_code == 302
    assert role_of(User.objects.get(pk=physio.pk)) == Role.ADMIN
    assert AuditEvent.objects.filter(
        object_id=str(physio.pk), summary__contains="Physiotherapist -> Clinic admin"
    ).exists()


def test_the_last_admin_cannot_demote_or_deactivate_themselves(persona_client, admin_user):
    client = persona_client("admin_user")
    response = client.post(reverse("setup-staff-edit", args=[admin_user.pk]), {"role": "Front desk"})
    assert response.status_code == 409
    assert "at least one active clinic admin" in response.content.decode()
    response = client.post(reverse("setup-staff-active", args=[admin_user.pk]), {"active": "0"})
    assert response.status_code == 409
    admin_user.refresh_from_db()
    assert admin_user.is_active and role_of(User.objects.get(pk=admin_user.pk)) == Role.ADMIN


def test_a_deactivated_account_can_no_longer_sign_in(persona_client, front_desk, client):
    from tests.factories import DEFAULT_PASSWORD

    def signs_in() -> bool:
        client.post(reverse("login"), {"username": front_desk.email, "password": DEFAULT_PASSWORD})
        signed_in = "_auth_user_id" in client.session
        client.logout()
        return signed_in

    response = persona_client("admin_user").post(reverse("setup-staff-active", args=[front_desk.pk]), {"active": "0"})
    assert response.status_code == 302
    assert not signs_in()
    persona_client("admin_user").post(reverse("setup-staff-active", args=[front_desk.pk]), {"active": "1"})
    assert signs_in()


def test_an_operators_account_is_not_editable_in_the_app(persona_client):
    operator = UserFactory(email="ops@clinic.test", is_superuser=True, is_staff=True)
    client = persona_client("admin_user")
    assert client.post(reverse("setup-staff-edit", args=[operator.pk]), {"role": "Front desk"}).status_code == 409
    assert client.post(reverse("setup-staff-active", args=[operator.pk]), {"active": "0"}).status_code == 409
    operator.refresh_from_db()
    assert operator.is_active


@pytest.mark.parametrize("persona", ["front_desk", "physio"])
def test_other_roles_cannot_change_accounts(persona_client, persona, front_desk):
    client = persona_client(persona)
    assert client.post(reverse("setup-staff-active", args=[front_desk.pk]), {"active": "0"}).status_code == 403
    assert client.post(reverse("setup-staff"), {"email": "x@y.test", "role": "Clinic admin"}).status_code == 403
    front_desk.refresh_from_db()
    assert front_desk.is_active


def test_the_setup_page_lists_every_setup_page(persona_client):
    page = persona_client("admin_user").get(reverse("setup")).content.decode()
    for title in ("Staff accounts and roles", "Practitioners", "Appointment types and prices", "Questionnaire packs"):
        assert title in page
