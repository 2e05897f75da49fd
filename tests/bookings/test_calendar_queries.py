"""The day view's query budget: 10 practitioners and 200 appointments in at most 12 queries."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from bookings.models import Appointment, TimeOff
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory

from .conftest import at


def test_a_busy_day_renders_in_at_most_12_queries(
    client, front_desk, practice, follow_up, initial, monday, django_assert_max_num_queries
):
    practitioners = [PractitionerFactory(types=[follow_up, initial], hours=True) for _ in range(10)]
    patients = PatientFactory.create_batch(40)
    for i, practitioner in enumerate(practitioners):
        TimeOff.objects.create(practitioner=practitioner, start=at(monday, "16:00"), end=at(monday, "17:00"))
        for slot in range(20):  # 09:00-15:40, every 20 minutes
            start = at(monday, "09:00") + dt.timedelta(minutes=20 * slot)
            AppointmentFactory(
                practitioner=practitioner,
                appointment_type=follow_up,
                patient=patients[(i * 20 + slot) % 40],
                start=start,
                end=start + dt.timedelta(minutes=20),
                blocked_end=start + dt.timedelta(minutes=20),
            )
    assert Appointment.objects.count() == 200
    client.force_login(front_desk)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("bookings:calendar-day"), {"date": monday.isoformat()})
    assert response.status_code == 200
    assert response.content.decode().count('class="cal-appt') == 200
