"""htmx forms show the server's refusal (400/409) in place, on the full-page booking form as in the calendar's side
panel, and never replace the page with a bare fragment, also when DEBUG is on (as under `make run`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from clinic.roles import STAFF_ROLES
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PractitionerFactory


@pytest.fixture
def roles(transactional_db):
    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role.value)


def test_the_full_page_booking_form_shows_its_errors(roles, page, login, front_desk):
    AppointmentTypeFactory(name="Follow-up")
    login(front_desk)
    page.goto("/calendar/book/")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.locator("#cal-side .error").first).to_be_visible()
    # Still the whole page: navigation and the way back are there, and the form was swapped once, not nested.
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the calendar")).to_be_visible()
    expect(page.locator("#book-panel")).to_have_count(1)


@pytest.mark.parametrize("debug", [False, True])
def test_a_refused_cancel_shows_its_message_in_the_panel(roles, page, login, front_desk, settings, debug):
    settings.DEBUG = debug
    follow_up = AppointmentTypeFactory(name="Follow-up")
    phil = PractitionerFactory(display_name="Phil Physio", types=[follow_up])
    appointment = AppointmentFactory(
        practitioner=phil, appointment_type=follow_up, start=timezone.now() + dt.timedelta(days=1)
    )
    login(front_desk)
    page.goto(f"/calendar/appointments/{appointment.pk}/")
    page.get_by_text("Cancel", exact=True).click()
    page.get_by_role("button", name="Cancel appointment").click()
    expect(page.locator("#appointment-panel .error")).to_contain_text("required")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.status == "booked"
