"""Integration: a real Celery worker process, over Redis, sends the booking emails after the booking commits."""

from __future__ import annotations

import email
from email import policy

import icalendar
import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from bookings.models import Appointment
from clinic.roles import STAFF_ROLES
from clinic.selectors import get_practice
from tests.factories import AppointmentTypeFactory, PractitionerFactory

from .conftest import at, booking_payload, next_monday

pytestmark = pytest.mark.celery_worker


def test_a_real_worker_emails_the_patient_and_the_practice_after_an_online_booking(
    transactional_db, smtp_inbox, celery_worker_process
):
    for role in STAFF_ROLES:  # transactional tests flush the role groups the migrations made
        Group.objects.get_or_create(name=role.value)
    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.email = "hello@practice.test"
    practice.save()
    initial = AppointmentTypeFactory(name="Initial assessment", duration_minutes=60)
    diary = PractitionerFactory(types=[initial], hours=True)

    start = at(next_monday(), "10:00")
    response = APIClient().post("/api/v1/public/bookings/", booking_payload(initial, start, diary), format="json")
    assert response.status_code == 201
    appointment = Appointment.objects.get()

    by_recipient = {tuple(m.rcpt_tos): m for m in smtp_inbox.wait_for(2)}
    by_recipient = {to: email.message_from_bytes(m.content, policy=policy.default) for to, m in by_recipient.items()}
    confirmation = by_recipient[("zoe@mail.test",)]
    assert appointment.reference in confirmation["Subject"]
    assert response.json()["manage_url"] in confirmation.get_body(("plain",)).get_content()
    (ics,) = [part for part in confirmation.iter_attachments() if part.get_content_type() == "text/calendar"]
    event = next(iter(icalendar.Calendar.from_ical(ics.get_content()).walk("VEVENT")))
    assert event.decoded("DTSTART") == start
    assert ("hello@practice.test",) in by_recipient
