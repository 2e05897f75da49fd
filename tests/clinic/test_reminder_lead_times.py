"""Reminder lead times on the settings page accept half hours, as the reminder docs promise."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import Practice


def _settings_data(client) -> dict:
    page = client.get(reverse("practice-settings"))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None and k != "logo"}
    return {k: (v.strftime("%H:%M") if hasattr(v, "strftime") else v) for k, v in data.items()}


@pytest.mark.django_db
def test_half_hours_are_accepted_and_kept_in_order(persona_client):
    client = persona_client("admin_user")
    data = _settings_data(client)
    response = client.post(reverse("practice-settings"), {**data, "reminder_lead_hours": "1.5, 48, 24, 1.50"})
    assert response.status_code == 302
    assert Practice.objects.get().reminder_lead_hours == "48,24,1.5"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1.25", "0", "-2", "soon", "337", "nan", "inf", ""])
def test_other_values_are_refused_with_a_message(persona_client, value):
    client = persona_client("admin_user")
    data = _settings_data(client)
    response = client.post(reverse("practice-settings"), {**data, "reminder_lead_hours": value})
    assert response.status_code in (200, 400)
    assert "reminder_lead_hours" in response.context["form"].errors
    assert Practice.objects.get().reminder_lead_hours == "24,2"
