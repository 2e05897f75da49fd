"""The front desk puts a patient on the waiting list for Monday and Wednesday mornings and sees those days listed."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from clinic.roles import STAFF_ROLES
from tests.factories import AppointmentTypeFactory, PatientFactory


@pytest.fixture
def roles(transactional_db):
    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role.value)


def test_the_waiting_list_shows_the_preferred_days(roles, page, login, front_desk):
    AppointmentTypeFactory(name="Follow-up")
    PatientFactory(first_name="Wendy", last_name="Waiting", email="wendy@mail.test")
    login(front_desk)
    page.goto("/calendar/waiting-list/")
    page.get_by_label("Search patients").fill("Waiting")
    page.get_by_label(re.compile("Waiting, Wendy")).check()
    page.get_by_label("Appointment type").select_option(label="Follow-up")
    page.get_by_label("Monday").check()
    page.get_by_label("Wednesday").check()
    page.get_by_label("Not before").fill("08:00")
    page.get_by_label("Finished by").fill("12:00")
    page.get_by_role("button", name="Add to the waiting list").click()
    expect(page.get_by_text("Added to the waiting list.")).to_be_visible()
    row = page.locator("#waitlist-entries tbody tr", has_text="Waiting, Wendy")
    expect(row).to_contain_text("Mon, Wed")
    expect(row).to_contain_text("08:00\u201312:00")
