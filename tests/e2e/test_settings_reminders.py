"""An admin sets reminder lead times with half hours on the settings page, as the reminder docs describe."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from clinic.models import Practice
from clinic.roles import STAFF_ROLES


@pytest.fixture
def roles(transactional_db):
    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role.value)


def test_an_admin_sets_a_half_hour_reminder(roles, page, login, admin_user):
    login(admin_user)
    page.get_by_role("link", name="Settings", exact=True).click()
    field = page.get_by_label(re.compile("reminder lead times", re.I))
    field.fill("48, 24, 1.5")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Practice settings saved.")).to_be_visible()
    expect(page.get_by_label(re.compile("reminder lead times", re.I))).to_have_value("48,24,1.5")
    assert Practice.objects.get().reminder_lead_hours == "48,24,1.5"
