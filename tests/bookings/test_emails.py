"""Booking emails: what was really sent (mailoutbox), with the calendar file and the private link."""

from __future__ import annotations

import icalendar
import pytest

from bookings import services
from bookings.models import Appointment
from tests.factories import PatientFactory

from .conftest import at, booking_payload

BOOKINGS = "/api/v1/public/bookings/"


def _calendar(message) -> icalendar.Calendar:
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    _filename, content, mimetype = attachment
    assert mimetype.startswith("text/calendar")
    return icalendar.Calendar.from_ical(content)


def _event(message) -> icalendar.Event:
    (event,) = _calendar(message).walk("VEVENT")
    return event


@pytest.fixture
def booked(api, diary, initial, monday, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(BOOKINGS, booking_payload(initial, at(monday, "10:00"), diary), format="json")
    assert response.status_code == 201
    return response.json()


def test_the_patient_gets_a_confirmation_with_the_link_and_a_calendar_file(booked, mailoutbox, monday):
    (confirmation,) = [m for m in mailoutbox if m.to == ["zoe@mail.test"]]
    assert booked["reference"] in confirmation.subject
    assert booked["manage_url"] in confirmation.body
    html = confirmation.alternatives[0][0]
    assert booked["manage_url"] in html and "Phil Physio" in html
    assert "Monday" in confirmation.body and "10:00" in confirmation.body
    calendar = _calendar(confirmation)
    assert calendar["METHOD"] == "REQUEST"
    event = _event(confirmation)
    appointment = Appointment.objects.get()
    assert str(event["UID"]) == f"appointment-{appointment.pk}@127.0.0.1"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == at(monday, "10:00")
    assert event.decoded("DTEND") == at(monday, "11:00")


def test_the_practice_is_told_of_a_new_online_booking(booked, mailoutbox):
    (notice,) = [m for m in mailoutbox if m.to == ["hello@practice.test"]]
    assert booked["reference"] in notice.subject
    assert "Zoë Ångström" in notice.body
    assert booked["manage_url"] not in notice.body  # the private link is the patient's


def test_moving_sends_an_update_for_the_same_calendar_event(
    booked, api, mailoutbox, monday, django_capture_on_commit_callbacks
):
    first_uid = _event(mailoutbox[0])["UID"]
    mailoutbox.clear()
    token = booked["manage_url"].rstrip("/").rsplit("/", 1)[-1]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{BOOKINGS}{token}/reschedule/", {"start": at(monday, "13:00").isoformat()}, format="json")
    assert response.status_code == 200
    (update,) = [m for m in mailoutbox if m.to == ["zoe@mail.test"]]
    assert "Moved" in update.subject
    assert "13:00" in update.body and "10:00" in update.body  # new time, and which one it replaces
    event = _event(update)
    assert event["UID"] == first_uid and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == at(monday, "13:00")


def test_cancelling_sends_a_calendar_cancellation(booked, api, mailoutbox, django_capture_on_commit_callbacks):
    first_uid = _event(mailoutbox[0])["UID"]
    mailoutbox.clear()
    token = booked["manage_url"].rstrip("/").rsplit("/", 1)[-1]
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"{BOOKINGS}{token}/cancel/", {}, format="json").status_code == 200
    (message,) = [m for m in mailoutbox if m.to == ["zoe@mail.test"]]
    assert "Cancelled" in message.subject
    calendar = _calendar(message)
    assert calendar["METHOD"] == "CANCEL"
    event = _event(message)
    assert event["UID"] == first_uid and event["SEQUENCE"] == 1 and event["STATUS"] == "CANCELLED"


def test_nothing_is_sent_when_the_booking_fails(
    api, diary, initial, monday, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(BOOKINGS, booking_payload(initial, at(monday, "16:30"), diary), format="json")
    assert response.status_code == 400
    assert callbacks == [] and mailoutbox == []


def test_staff_bookings_respect_a_patient_who_declined_email(
    diary, initial, monday, mailoutbox, django_capture_on_commit_callbacks, front_desk
):
    patient = PatientFactory(consent_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_appointment(
            patient=patient,
            practitioner=diary,
            appointment_type=initial,
            start=at(monday, "10:00"),
            source=Appointment.Source.FRONT_DESK,
            actor=front_desk,
        )
    assert mailoutbox == []


def test_the_link_in_the_email_opens_the_booking(booked, client, mailoutbox):
    link = next(line for line in mailoutbox[0].body.splitlines() if "/book/manage/" in line).strip()
    response = client.get(link.replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    assert booked["reference"] in response.content.decode()


def test_a_confirmation_for_an_appointment_already_cancelled_is_not_sent(diary, initial, monday, mailoutbox):
    # Messages are written when they are sent (bookings.notifications, through clinic's outbox).
    from bookings import notifications
    from clinic import tasks
    from clinic.models import Notification
    from tests.factories import AppointmentFactory

    appointment = AppointmentFactory(
        practitioner=diary, appointment_type=initial, start=at(monday, "10:00"), status="cancelled"
    )
    notifications.appointment_booked(appointment)
    notifications.appointment_cancelled(appointment, notify_patient=True)
    tasks.send_due_notifications()
    assert len(mailoutbox) == 1
    assert "Cancelled" in mailoutbox[0].subject
    confirmation = Notification.objects.get(kind="confirmation")
    assert (confirmation.status, confirmation.reason) == ("skipped", "The appointment is cancelled.")
