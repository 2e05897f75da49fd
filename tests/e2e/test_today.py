"""The home page is today's work: the front desk checks in a late patient with one click from it; a physio sees
their own day with each patient's last findings and program."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from bookings.models import Appointment
from clinic.roles import STAFF_ROLES
from clinic.selectors import get_practice
from programs.models import Program
from tests.bookings.test_today import _daytime_zone, _local_midnight
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientFactory,
    PractitionerFactory,
    ProgramFactory,
    WeakHipAssessmentFactory,
)


@pytest.fixture
def today(transactional_db):
    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role.value)
    zone = _daytime_zone()
    practice = get_practice()
    practice.time_zone = zone.key
    practice.save()
    return _local_midnight(zone)


def test_the_front_desk_checks_in_a_late_patient_from_the_home_page(today, page, login, front_desk):
    follow_up = AppointmentTypeFactory(name="Follow-up", duration_minutes=30)
    phil = PractitionerFactory(display_name="Phil Physio", types=[follow_up])
    late = AppointmentFactory(
        practitioner=phil,
        appointment_type=follow_up,
        start=today + dt.timedelta(hours=1),
        patient__first_name="Larry",
        patient__last_name="Late",
    )
    login(front_desk)
    arrivals = page.locator("#arrivals")
    expect(arrivals).to_contain_text("Late, Larry")
    expect(page.get_by_text("1 patient is late")).to_be_visible()
    expect(page.get_by_role("heading", name="My day")).to_have_count(0)  # clinical: not for the front desk
    page.get_by_role("button", name="Check in Larry Late").click()
    expect(page.get_by_text("Larry Late is checked in.")).to_be_visible()
    late.refresh_from_db()
    assert late.status == Appointment.Status.CHECKED_IN


def test_a_physio_sees_their_day_with_findings_and_program(today, page, login):
    from tests.factories import UserFactory

    physio = UserFactory(email="phil@clinic.test", first_name="Phil", role="Physiotherapist")
    initial = AppointmentTypeFactory(name="Initial assessment")
    mine = PractitionerFactory(user=physio, display_name="Phil Physio", types=[initial])
    rita = PatientFactory(first_name="Rita", last_name="Runner")
    AppointmentFactory(practitioner=mine, appointment_type=initial, start=today + dt.timedelta(hours=1), patient=rita)
    WeakHipAssessmentFactory(patient=rita, signed=True, assessor=physio)
    ProgramFactory(patient=rita, physio=physio, title="Hip stability", status=Program.Status.ACTIVE)
    login(physio)
    day = page.locator("#my-day")
    expect(day).to_contain_text("Rita Runner")
    expect(day.get_by_text(re.compile("strength symmetry"))).to_be_visible()
    expect(day.get_by_role("link", name="Program")).to_be_visible()
    day.get_by_role("link", name="Program").click()
    expect(page.get_by_role("heading", name=re.compile("Hip stability"))).to_be_visible()
