"""The outbox pages: who may see them, filtering, one message, retrying a failed one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.html import escape

from clinic.models import AuditEvent, Notification
from clinic.notifications import services

from .notifications_support import SUBJECT_TYPE

pytestmark = pytest.mark.django_db

Status = Notification.Status


def message(label, *, status=Status.SENT, reason="", recipient="pat@example.com", minutes=0, patient_id=3):
    notification, _ = services.schedule(
        subject_type=SUBJECT_TYPE,
        subject_id=label,
        kind="reminder",
        channel="email",
        recipient=recipient,
        due_at=timezone.now() - dt.timedelta(minutes=minutes),
        subject_label=label,
        patient_id=patient_id,
    )
    Notification.objects.filter(pk=notification.pk).update(status=status, reason=reason, title=f"Reminder {label}")
    notification.refresh_from_db()
    return notification


@pytest.mark.parametrize(("persona", "status"), [("front_desk", 200), ("physio", 200), ("admin_user", 200)])
def test_every_member_of_staff_sees_the_outbox(persona_client, persona, status):
    assert persona_client(persona).get("/outbox/").status_code == status


def test_someone_without_a_role_is_refused_and_anonymous_is_sent_to_sign_in(persona_client):
    assert persona_client("outsider").get("/outbox/").status_code == 403
    response = persona_client("anonymous").get("/outbox/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_outbox_lists_every_message_and_filters_by_status(persona_client):
    message("MD-SENT")
    message("MD-FAIL", status=Status.FAILED, reason="Mail server answered 550 No such user")
    message("MD-SKIP", status=Status.SKIPPED, reason="The appointment was cancelled.")
    message("MD-LATE", status=Status.EXPIRED, reason="Not sent: more than 6 hours late.")
    client = persona_client("front_desk")

    page = client.get("/outbox/").content.decode()
    assert all(label in page for label in ("MD-SENT", "MD-FAIL", "MD-SKIP", "MD-LATE"))

    expired = client.get("/outbox/", {"status": "expired"}).content.decode()
    assert "MD-LATE" in expired and "more than 6 hours late" in expired
    assert "MD-SENT" not in expired and "MD-SKIP" not in expired

    failed = client.get("/outbox/", {"status": "failed"}).content.decode()
    assert "MD-FAIL" in failed
    assert "550 No such user" in failed
    assert "MD-SENT" not in failed and "MD-SKIP" not in failed


def test_the_outbox_finds_a_message_by_recipient(persona_client):
    message("MD-A", recipient="alice@example.com")
    message("MD-B", recipient="bob@example.com")
    page = persona_client("front_desk").get("/outbox/", {"q": "alice"}).content.decode()
    assert "MD-A" in page and "MD-B" not in page


def test_a_bad_filter_is_ignored_with_a_message_not_a_500(persona_client):
    message("MD-A")
    response = persona_client("front_desk").get("/outbox/", {"status": "exploded", "page": "zzz"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_opening_a_message_shows_what_was_sent_and_is_audited(persona_client, front_desk):
    sent = message("MD-OPEN")
    Notification.objects.filter(pk=sent.pk).update(body="Your appointment is tomorrow at 10:00.")
    page = persona_client("front_desk").get(f"/outbox/{sent.pk}/").content.decode()
    assert "Your appointment is tomorrow at 10:00." in page
    assert "Send again" not in page
    assert escape(sent.message_id) in page  # to match a copy a patient forwards, or one a crash repeated
    event = AuditEvent.objects.get(object_type="clinic.notification", object_id=str(sent.pk))
    assert (event.action, event.actor_id, event.patient_id) == ("view", front_desk.pk, 3)


def test_an_unknown_message_is_404(persona_client):
    assert persona_client("front_desk").get("/outbox/999999/").status_code == 404


def test_staff_send_a_failed_message_again(persona_client, mailoutbox, front_desk):
    failed = message("MD-RETRY", status=Status.FAILED, reason="Mail server answered 550")
    client = persona_client("front_desk")
    response = client.post(f"/outbox/{failed.pk}/retry/", follow=True)
    assert response.status_code == 200
    assert "will be sent again" in response.content.decode()
    # Queued after commit: in this test's transaction nothing commits, so the row waits for the dispatcher.
    failed.refresh_from_db()
    assert failed.status == Status.PENDING
    assert failed.attempts == 0
    assert AuditEvent.objects.filter(action="change", object_id=str(failed.pk), actor_id=front_desk.pk).exists()


def test_retrying_a_message_that_has_not_failed_is_a_conflict(persona_client):
    sent = message("MD-OK")
    response = persona_client("front_desk").post(f"/outbox/{sent.pk}/retry/")
    assert response.status_code == 409
    assert "Only a failed message can be sent again." in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_retry_needs_a_post(persona_client):
    failed = message("MD-GET", status=Status.FAILED)
    assert persona_client("front_desk").get(f"/outbox/{failed.pk}/retry/").status_code == 405


def test_the_outbox_is_in_the_navigation(persona_client):
    page = persona_client("front_desk").get("/").content.decode()
    assert 'href="/outbox/"' in page


def test_the_outbox_page_needs_the_same_few_queries_however_many_messages(
    persona_client, django_assert_max_num_queries
):
    client = persona_client("front_desk")
    for i in range(3):
        message(f"Q-{i}")
    client.get("/outbox/")  # warm up the session and the practice row
    with django_assert_max_num_queries(10) as few:
        client.get("/outbox/")
    for i in range(3, 60):
        message(f"Q-{i}", status=[Status.SENT, Status.FAILED, Status.SKIPPED][i % 3])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Q-59" in client.get("/outbox/").content.decode()


def test_the_patient_page_panel_lists_their_messages_and_is_audited(persona_client, front_desk):
    message("MD-MINE", patient_id=41)
    message("MD-OTHER", patient_id=42, recipient="other@example.com")
    page = persona_client("front_desk").get("/outbox/patients/41/panel/").content.decode()
    assert "Reminder" in page
    assert "other@example.com" not in page and "MD-OTHER" not in page
    assert AuditEvent.objects.filter(action="view", patient_id=41, actor_id=front_desk.pk).exists()


def test_the_patient_panel_is_for_staff_only(persona_client):
    assert persona_client("outsider").get("/outbox/patients/41/panel/").status_code == 403


def test_the_outbox_can_show_one_patients_messages(persona_client):
    message("MD-MINE", patient_id=41)
    message("MD-OTHER", patient_id=42)
    page = persona_client("front_desk").get("/outbox/", {"patient": 41}).content.decode()
    assert "MD-MINE" in page and "MD-OTHER" not in page
    assert "Messages to patient #41 only." in page
