"""A clinic admin adds the treadmill and makes gait analysis need it; the front desk then cannot book two gait
analyses at once, even with two different physiotherapists."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from bookings import services
from bookings.models import Appointment, AppointmentType, Resource
from clinic.roles import STAFF_ROLES
from clinic.selectors import get_practice
from tests.bookings.conftest import LONDON, at, next_monday
from tests.factories import AppointmentTypeFactory, PatientFactory, PractitionerFactory


@pytest.fixture
def roles(transactional_db):
    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role.value)
    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.save()


def test_the_treadmill_is_held_like_a_diary(roles, page, login, admin_user):
    gait = AppointmentTypeFactory(name="Gait analysis", duration_minutes=45)
    phil = PractitionerFactory(display_name="Phil Physio", types=[gait], hours=True)
    paula = PractitionerFactory(display_name="Paula Physio", types=[gait], hours=True)
    PatientFactory(first_name="Rita", last_name="Runner")
    login(admin_user)
    page.goto("/setup/")
    page.get_by_role("link", name=re.compile("Rooms and equipment")).click()
    page.get_by_label("Name").fill("Treadmill")
    page.get_by_label("Kind").select_option(label="Equipment")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Treadmill added.")).to_be_visible()

    page.goto(f"/calendar/types/{gait.pk}/")
    page.get_by_label("Treadmill").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Appointment type saved.")).to_be_visible()
    assert list(AppointmentType.objects.get(pk=gait.pk).resources.all()) == [Resource.objects.get()]

    monday = next_monday()
    services.create_appointment(
        patient=PatientFactory(), practitioner=phil, appointment_type=gait, start=at(monday, "10:00"),
        source=Appointment.Source.FRONT_DESK, staff_override=True,
    )  # fmt: skip
    page.goto("/calendar/book/")
    page.get_by_label("Search patients").fill("Runner")
    page.get_by_label(re.compile("Runner, Rita")).check()
    page.get_by_label("Appointment type", exact=True).select_option(label="Gait analysis")
    page.get_by_label("Practitioner", exact=True).select_option(label="Paula Physio")
    page.get_by_label("Start").fill(at(monday, "10:15").astimezone(LONDON).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text("Treadmill is in use at that time.")).to_be_visible()
    assert not Appointment.objects.filter(practitioner=paula).exists()
