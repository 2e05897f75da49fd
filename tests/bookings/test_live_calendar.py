"""The live calendar: a small "changes since" poll; the appointment panel's contact details and "book again"; booking
from the patient's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import at
from .test_pages import _details

pytestmark = pytest.mark.django_db


def _poll(client, day, since):
    return client.get(reverse("bookings:calendar-changes"), {"date": day.isoformat(), "since": since.isoformat()})


def test_the_poll_is_empty_until_something_on_that_day_changes(persona_client, client, diary, initial, monday):
    desk = persona_client("front_desk")
    opened = timezone.now()
    assert _poll(desk, monday, opened).status_code == 204
    assert client.post("/book/details/", _details(initial, at(monday, "10:00"), diary)).status_code == 302
    response = _poll(desk, monday, opened)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "calendar-changed"
    page = response.content.decode()
    assert "Updated: 1 change" in page and "10:00" in page and "Phil Physio" in page and "(online)" in page
    assert "Zoë" not in page and "Ångström" not in page  # a quiet notice: no patient names
    # The next poll starts from the newest change: quiet again.
    since = dt.datetime.fromisoformat(page.split("since=")[1].split('"')[0].replace("%3A", ":").replace("%2B", "+"))
    assert _poll(desk, monday, since).status_code == 204
    # Another day's poll never hears of it.
    assert _poll(desk, monday + dt.timedelta(days=1), opened).status_code == 204


def test_a_cancellation_is_heard_too(persona_client, diary, initial, monday, front_desk):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "11:00"))
    opened = timezone.now()
    services.cancel_appointment(appointment=appointment, reason="ill", actor=front_desk, staff_override=True)
    page = _poll(persona_client("physio"), monday, opened).content.decode()
    assert "Cancelled 11:00" in page


def test_a_bad_since_is_a_400(persona_client, monday):
    response = persona_client("front_desk").get(reverse("bookings:calendar-changes"), {"since": "yesterday"})
    assert response.status_code == 400


def test_the_appointment_panel_shows_contact_details_and_books_again(persona_client, diary, initial, monday):
    patient = PatientFactory(first_name="Rita", last_name="Runner", email="rita@mail.test", phone="+447911123456")
    appointment = AppointmentFactory(
        patient=patient, practitioner=diary, appointment_type=initial, start=at(monday, "10:00")
    )
    page = persona_client("front_desk").get(reverse("bookings:appointment", args=[appointment.pk])).content.decode()
    assert "rita@mail.test" in page and "+447911123456" in page
    again = f"/calendar/book/?patient={patient.pk}&amp;practitioner={diary.pk}&amp;appointment_type={initial.pk}"
    assert again in page


def test_booking_from_the_patients_page_arrives_with_the_patient_chosen(persona_client, diary, initial):
    patient = PatientFactory(first_name="Rita", last_name="Runner")
    client = persona_client("front_desk")
    panel = client.get(reverse("bookings:patient-panel", args=[patient.pk])).content.decode()
    assert f"/calendar/book/?patient={patient.pk}" in panel
    form = client.get(reverse("bookings:calendar-book"), {"patient": patient.pk}).content.decode()
    assert f'value="{patient.pk}" checked' in form and "Runner, Rita" in form
    # An unknown or archived patient is simply not chosen.
    archived = PatientFactory(is_archived=True)
    form = client.get(reverse("bookings:calendar-book"), {"patient": archived.pk}).content.decode()
    assert f'value="{archived.pk}"' not in form
