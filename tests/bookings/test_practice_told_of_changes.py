"""The practice is told when a patient moves or cancels online, as it is of a new online booking: through the
outbox, with the facts only (no private link, no reason, no notes). Changes made by staff send it nothing."""

from __future__ import annotations

import pytest

from bookings import services
from bookings.models import Appointment
from clinic.models import Notification

from .conftest import at, booking_payload

BOOKINGS = "/api/v1/public/bookings/"


@pytest.fixture
def booked(api, diary, initial, monday, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(BOOKINGS, booking_payload(initial, at(monday, "10:00"), diary), format="json")
    assert response.status_code == 201
    mailoutbox.clear()
    return response.json()


def _token(booked) -> str:
    return booked["manage_url"].rstrip("/").rsplit("/", 1)[-1]


def _practice_mail(mailoutbox):
    return [m for m in mailoutbox if m.to == ["hello@practice.test"]]


def test_a_patient_cancelling_online_tells_the_practice(booked, api, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{BOOKINGS}{_token(booked)}/cancel/", {"reason": "Knee much better"}, format="json")
    assert response.status_code == 200
    (notice,) = _practice_mail(mailoutbox)
    assert "Cancelled online" in notice.subject and booked["reference"] in notice.subject
    assert "Zoë Ångström" in notice.body and "10:00" in notice.body and "Phil Physio" in notice.body
    html = notice.alternatives[0][0]
    for private in ("Knee much better", "Left knee", booked["manage_url"], _token(booked)):
        assert private not in notice.body and private not in html
    record = Notification.objects.get(kind=Notification.Kind.PRACTICE_NOTICE, data__event="cancelled")
    assert (record.status, record.recipient, record.patient_id) == ("sent", "hello@practice.test", None)


def test_a_patient_moving_online_tells_the_practice_the_old_and_new_time(
    booked, client, mailoutbox, monday, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/book/manage/{_token(booked)}/reschedule/", {"start": at(monday, "13:00").isoformat()})
    assert response.status_code == 302
    (notice,) = _practice_mail(mailoutbox)
    assert "Moved online" in notice.subject
    assert "Was: Monday" in notice.body and "10:00" in notice.body and "13:00" in notice.body
    assert booked["manage_url"] not in notice.body


def test_staff_changes_send_the_practice_nothing(
    booked, front_desk, monday, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = Appointment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.move_appointment(
            appointment=appointment, start=at(monday, "14:00"), actor=front_desk, staff_override=True
        )
        services.cancel_appointment(appointment=appointment, actor=front_desk, reason="ill", staff_override=True)
    assert _practice_mail(mailoutbox) == []


def test_without_a_practice_address_nothing_is_queued(
    booked, api, practice, mailoutbox, django_capture_on_commit_callbacks
):
    practice.email = ""
    practice.save()
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"{BOOKINGS}{_token(booked)}/cancel/", {}, format="json")
    assert not Notification.objects.filter(data__event="cancelled").exists()
