"""Prometheus counts bookings made and refused, and never names a patient."""

from __future__ import annotations

import pytest

from tests.clinic.test_metrics_and_logs import _samples, _value

from .conftest import at, booking_payload


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = "scraper-secret-" + "x" * 20
    return settings.METRICS_TOKEN


def test_bookings_made_and_refused_are_counted(api, client, diary, initial, monday, metrics_token):
    before = _samples(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").content)
    payload = booking_payload(initial, at(monday, "09:00"), diary, email="ann@example.org")
    assert api.post("/api/v1/public/bookings/", payload, format="json").status_code == 201
    taken = booking_payload(initial, at(monday, "09:00"), diary, email="bob@example.org", first_name="Bob")
    assert api.post("/api/v1/public/bookings/", taken, format="json").status_code == 409
    after = _samples(client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").content)
    for outcome in ("booked", "refused"):
        gained = _value(after, "medius_bookings_total", channel="online", outcome=outcome) - _value(
            before, "medius_bookings_total", channel="online", outcome=outcome
        )
        assert gained == 1, outcome


@pytest.mark.django_db
def test_metrics_name_no_patient(client, diary, initial, monday, api, metrics_token):
    payload = booking_payload(initial, at(monday, "09:00"), diary, email="zoe.private@example.org", first_name="Zoë")
    assert api.post("/api/v1/public/bookings/", payload, format="json").status_code == 201
    body = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").content.decode()
    assert "zoe.private" not in body
    assert "Zoë" not in body
