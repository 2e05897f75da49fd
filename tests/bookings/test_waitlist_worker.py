"""Integration: a real Celery worker (Redis) offers a cancelled slot by real SMTP after the cancellation commits,
and tells the other waiting patient once the first one has claimed it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from bookings import services, waitlist
from bookings.models import Appointment
from clinic.models import Notification
from clinic.roles import STAFF_ROLES
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import at

pytestmark = pytest.mark.celery_worker


def _text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


@pytest.fixture
def roles(transactional_db):
    for role in STAFF_ROLES:  # transactional tests flush the role groups the migrations made
        Group.objects.get_or_create(name=role.value)


def test_a_real_worker_sends_the_offers_and_the_gone_email(
    smtp_inbox, roles, celery_worker_process, client, diary, monday, follow_up, front_desk
):
    freed = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    first = waitlist.add_entry(patient=PatientFactory(email="first@mail.test"), appointment_type=follow_up)
    waitlist.add_entry(patient=PatientFactory(email="second@mail.test"), appointment_type=follow_up)

    services.cancel_appointment(
        appointment=freed, actor=front_desk, reason="ill", staff_override=True, notify_patient=False
    )
    offers = {m["To"]: m for m in smtp_inbox.messages(2)}
    assert set(offers) == {"first@mail.test", "second@mail.test"}
    link = re.search(r"https?://\S+/book/waiting-list/\S+/", _text(offers["first@mail.test"])).group(0)

    response = client.post("/" + link.split("/", 3)[3])
    assert response.status_code == 200
    assert Appointment.objects.get(status="booked").patient == first.patient
    # The winner's confirmation, the practice's new-booking notice, and the "gone" email to the other patient.
    later = smtp_inbox.messages(5)[2:]
    assert sorted(m["To"] for m in later) == ["first@mail.test", "hello@practice.test", "second@mail.test"]
    gone = next(m for m in later if m["To"] == "second@mail.test")
    assert "has gone" in gone["Subject"]
    # Each went out from its outbox record, once.
    records = {
        (n.kind, n.recipient): n
        for n in Notification.objects.filter(subject_type="bookings.waitlistoffer", status=Notification.Status.SENT)
    }
    assert set(records) == {
        ("waitlist_offer", "first@mail.test"),
        ("waitlist_offer", "second@mail.test"),
        ("waitlist_gone", "second@mail.test"),
    }
    assert gone["X-Medius-Notification"] == str(records["waitlist_gone", "second@mail.test"].pk)
    assert offers["first@mail.test"]["X-Medius-Notification"] == str(records["waitlist_offer", "first@mail.test"].pk)
