"""The front desk books "every Monday 10:00 for 4 weeks"; a week that clashes is skipped and listed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from bookings.models import Appointment
from clinic.roles import STAFF_ROLES
from clinic.selectors import get_practice
from tests.bookings.conftest import LONDON, at, next_monday
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory, PractitionerFactory


@pytest.fixture
def roles(transactional_db):
    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role.value)
    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.save()


def test_the_front_desk_books_a_weekly_series(roles, page, login, front_desk):
    follow_up = AppointmentTypeFactory(name="Follow-up", duration_minutes=30)
    phil = PractitionerFactory(display_name="Phil Physio", types=[follow_up], hours=True)
    rita = PatientFactory(first_name="Rita", last_name="Runner")
    monday = next_monday()
    AppointmentFactory(practitioner=phil, appointment_type=follow_up, start=at(monday + dt.timedelta(weeks=1), "10:00"))
    login(front_desk)
    page.goto("/calendar/book/")
    page.get_by_label("Search patients").fill("Runner")
    page.get_by_label(re.compile("Runner, Rita")).check()
    page.get_by_label("Appointment type", exact=True).select_option(label="Follow-up")
    page.get_by_label("Practitioner", exact=True).select_option(label="Phil Physio")
    page.get_by_label("Start").fill(at(monday, "10:00").astimezone(LONDON).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(re.compile("Every week at this time")).fill("4")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text("Booked 3 weekly appointments for Rita Runner.")).to_be_visible(timeout=15_000)
    expect(page.get_by_text(re.compile("Not booked \\(clash\\):"))).to_be_visible()
    assert Appointment.objects.filter(patient=rita).count() == 3
