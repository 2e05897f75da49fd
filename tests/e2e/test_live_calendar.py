"""The front desk's calendar stays live: an online booking appears without a reload, with a quiet notice; from its
panel the front desk sees the patient's phone and email and books them again."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import expect

from bookings.models import Appointment
from clinic.roles import STAFF_ROLES
from clinic.selectors import get_practice
from tests.bookings.conftest import at, next_monday
from tests.bookings.test_pages import _details
from tests.factories import AppointmentTypeFactory, PractitionerFactory


@pytest.fixture
def diary(transactional_db):
    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role.value)
    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.save()
    initial = AppointmentTypeFactory(name="Initial assessment", duration_minutes=60)
    return PractitionerFactory(display_name="Phil Physio", types=[initial], hours=True), initial


def test_an_online_booking_appears_on_the_open_calendar(diary, page, login, front_desk):
    phil, initial = diary
    monday = next_monday()
    page.clock.install()
    login(front_desk)
    page.goto(f"/calendar/?date={monday.isoformat()}")
    expect(page.locator(".cal-appt")).to_have_count(0)

    # A patient books online while the calendar is open.
    patient = Client()
    assert patient.post("/book/details/", _details(initial, at(monday, "10:00"), phil)).status_code == 302
    appointment = Appointment.objects.get()

    page.clock.run_for(21_000)  # the poll runs every 20 seconds
    expect(page.locator("#cal-live")).to_contain_text(re.compile(r"Updated: 1 change[\s\S]*Booked 10:00 Phil Physio"))
    expect(page.locator(f"#appt-{appointment.pk}")).to_be_visible()  # no reload: the grid was redrawn

    # The panel: contact details, and "book again" opens the form with the patient chosen.
    page.locator(f"#appt-{appointment.pk}").click()
    expect(page.locator("#appointment-panel")).to_contain_text("zoe@mail.test")
    expect(page.locator("#appointment-panel")).to_contain_text("+447911123456")
    page.locator("#appointment-panel").get_by_role("link", name="Book again").click()
    expect(page.get_by_role("radio", name=re.compile("Ångström, Zoë"))).to_be_checked()
