import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from clinic import audit
from clinic.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_database_refuses_to_change_an_audit_entry(front_desk):
    event = audit.record(action=audit.Action.VIEW, actor=front_desk, object_type="patients.patient", object_id=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="nothing to see")
    event.refresh_from_db()
    assert event.summary == ""


def test_the_database_refuses_to_delete_an_audit_entry(front_desk):
    event = audit.record(action=audit.Action.VIEW, actor=front_desk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM clinic_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_sign_in_is_recorded_with_the_address(client, front_desk):
    response = client.post(
        reverse("login"), {"username": front_desk.email, "password": DEFAULT_PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login")
    assert (event.actor_id, event.ip) == (front_desk.pk, "203.0.113.9")


def test_a_failed_sign_in_is_recorded_and_says_nothing_about_which_part_was_wrong(client, front_desk):
    wrong_password = client.post(reverse("login"), {"username": front_desk.email, "password": "nope"})
    unknown_user = client.post(reverse("login"), {"username": "nobody@clinic.test", "password": "nope"})
    assert wrong_password.status_code == unknown_user.status_code == 200
    first = wrong_password.context["form"].non_field_errors()
    assert first == unknown_user.context["form"].non_field_errors()
    assert AuditEvent.objects.filter(action="login_failed").count() == 2
    assert not AuditEvent.objects.filter(detail__has_key="password").exists()


def test_email_addresses_sign_in_whatever_their_case(client, front_desk):
    response = client.post(reverse("login"), {"username": front_desk.email.upper(), "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_admins_search_the_audit_trail(persona_client, front_desk, physio):
    audit.record(action=audit.Action.VIEW, actor=front_desk, object_type="patients.patient", object_id=7, patient_id=7)
    audit.record(action=audit.Action.EXPORT, actor=physio, object_type="programs.program", object_id=3, patient_id=9)
    client = persona_client("admin_user")
    by_action = client.get(reverse("audit-log"), {"action": "export"})
    assert [e.actor_label for e in by_action.context["page"]] == [physio.email]
    by_patient = client.get(reverse("audit-log"), {"patient": 7})
    assert [e.object_id for e in by_patient.context["page"]] == ["7"]
    by_text = client.get(reverse("audit-log"), {"q": "desk@"})
    assert {e.actor_id for e in by_text.context["page"]} == {front_desk.pk}


def test_a_bad_audit_filter_is_explained_not_a_crash(persona_client):
    response = persona_client("admin_user").get(reverse("audit-log"), {"date_from": "yesterday", "patient": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"date_from", "patient"}


@pytest.mark.parametrize("persona", ["front_desk", "physio"])
def test_only_admins_see_the_audit_trail(persona_client, persona):
    assert persona_client(persona).get(reverse("audit-log")).status_code == 403


def test_a_forwarded_address_is_believed_only_from_our_own_proxies(client, front_desk, settings):
    credentials = {"username": front_desk.email, "password": DEFAULT_PASSWORD}
    spoofed = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.9"}
    settings.NUM_PROXIES = 0
    client.post(reverse("login"), credentials, **spoofed)
    client.logout()
    settings.NUM_PROXIES = 1
    client.post(reverse("login"), credentials, **spoofed)
    assert list(AuditEvent.objects.filter(action="login").order_by("id").values_list("ip", flat=True)) == [
        "10.0.0.2",
        "203.0.113.9",
    ]
