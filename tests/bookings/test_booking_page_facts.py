"""The booking page tells a patient what Jane and Cliniko do: who (photo, bio), price and length, the cancellation
policy, the clinic's time zone; the confirmation offers "add to calendar"; moving and cancelling ask first."""

from __future__ import annotations

import datetime as dt
import io

import icalendar
import pytest
from django.core.files.base import ContentFile
from PIL import Image

from bookings import links
from bookings.models import Appointment
from tests.factories import AppointmentFactory

from .conftest import at


@pytest.fixture
def profiled(diary, initial):
    buffer = io.BytesIO()
    Image.new("RGB", (100, 100), "white").save(buffer, "JPEG")
    diary.photo.save("phil.jpg", ContentFile(buffer.getvalue()), save=False)
    diary.bio = "Runners' knees and hips."
    diary.save()
    initial.price = "65.00"
    initial.save()
    return diary


def test_the_first_step_shows_practitioners_prices_lengths_policy_and_time_zone(client, profiled, initial):
    page = client.get("/book/").content.decode()
    assert "Initial assessment (60 minutes, £65.00)" in page
    assert "Follow-up (30 minutes)" in page  # no price set: none shown
    assert "Runners&#x27; knees and hips." in page and profiled.photo.url in page
    assert "up to 24 hours before the appointment" in page


def test_the_time_step_names_the_time_zone_and_lands_on_the_times(client, profiled, initial, monday):
    month = f"{monday:%Y-%m}"
    page = client.get("/book/", {"type": initial.pk, "practitioner": profiled.pk, "month": month}).content.decode()
    assert "Times are London time (Europe/London, now " in page
    assert f"day={monday.isoformat()}#times-heading" in page
    day = client.get("/book/", {"type": initial.pk, "practitioner": profiled.pk, "day": monday}).content.decode()
    assert 'id="times-heading" tabindex="-1"' in day and "£65.00" in day


def _manage(client, diary, initial, monday) -> tuple[Appointment, str]:
    appointment = AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:00"))
    return appointment, links.token_for(appointment.manage_nonce)


def test_the_manage_page_offers_the_appointment_as_a_calendar_file(client, diary, initial, monday):
    appointment, token = _manage(client, diary, initial, monday)
    page = client.get(f"/book/manage/{token}/").content.decode()
    assert f"/book/manage/{token}/calendar.ics" in page
    response = client.get(f"/book/manage/{token}/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert f"appointment-{appointment.reference}.ics" in response["Content-Disposition"]
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("DTSTART") == appointment.start
    assert client.get("/book/manage/not-a-token/calendar.ics").status_code == 404


def test_moving_asks_for_confirmation_first(client, diary, initial, monday):
    appointment, token = _manage(client, diary, initial, monday)
    new = at(monday, "14:00").isoformat()
    confirm = client.get(f"/book/manage/{token}/reschedule/", {"start": new})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Move your appointment?" in page and "14:00" in page and "10:00" in page
    appointment.refresh_from_db()
    assert appointment.start == at(monday, "10:00")  # nothing moved yet
    assert client.post(f"/book/manage/{token}/reschedule/", {"start": new}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == at(monday, "14:00")


def test_cancelling_asks_for_confirmation_first_and_the_reason_never_travels_in_a_url(client, diary, initial, monday):
    appointment, token = _manage(client, diary, initial, monday)
    manage = client.get(f"/book/manage/{token}/").content.decode()
    assert 'name="reason"' not in manage  # asked on the confirmation step, sent by POST
    confirm = client.get(f"/book/manage/{token}/cancel/")
    assert confirm.status_code == 200 and "Cancel your appointment?" in confirm.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    assert client.post(f"/book/manage/{token}/cancel/", {"reason": "Better"}).status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "Better")
    # A cancelled appointment offers no calendar file and no confirmation step.
    assert client.get(f"/book/manage/{token}/calendar.ics").status_code == 404
    assert client.get(f"/book/manage/{token}/cancel/").status_code == 302


def test_inside_the_cutoff_the_confirmation_steps_send_back_to_the_manage_page(client, diary, initial):
    from django.utils import timezone

    appointment = AppointmentFactory(
        practitioner=diary, appointment_type=initial, start=timezone.now() + dt.timedelta(hours=3)
    )
    token = links.token_for(appointment.manage_nonce)
    assert client.get(f"/book/manage/{token}/cancel/").status_code == 302
    assert client.get(f"/book/manage/{token}/reschedule/", {"start": appointment.start.isoformat()}).status_code == 302
