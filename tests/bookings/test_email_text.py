"""The plain-text emails read properly: the address on its own lines, no "a Initial assessment"."""

from __future__ import annotations

import pytest

from bookings import notifications
from tests.factories import AppointmentFactory


@pytest.fixture
def addressed(practice):
    practice.name = "Mill Lane Physio"
    practice.address = "12 Mill Lane\r\nLondon SE1 7AB"
    practice.save()
    return practice


def test_the_confirmation_puts_each_address_line_on_its_own_line(
    addressed, diary, initial, monday, mailoutbox, django_capture_on_commit_callbacks
):
    from .conftest import at

    with django_capture_on_commit_callbacks(execute=True):
        appointment = AppointmentFactory(
            practitioner=diary, appointment_type=initial, start=at(monday, "10:00"), patient__consent_email=True
        )
        notifications.appointment_booked(appointment)
    (confirmation,) = [m for m in mailoutbox if m.to == [appointment.patient.email]]
    lines = confirmation.body.splitlines()
    assert "12 Mill LaneLondon" not in confirmation.body
    where = lines.index(next(line for line in lines if line.startswith("Where: Mill Lane Physio")))
    assert lines[where + 1 : where + 3] == ["12 Mill Lane", "London SE1 7AB"]


def test_the_waiting_list_claim_page_has_no_wrong_article(client, diary, initial):
    from django.template.loader import render_to_string

    html = render_to_string(
        "bookings/staff/claim.html",
        {
            "offer": type("Offer", (), {"appointment_type": initial, "status": "open", "practitioner": diary})(),
            "patient": type("P", (), {"first_name": "Wendy"})(),
        },
    )
    assert "a Initial assessment" not in html and "an appointment has come free (Initial assessment)" in html
