"""A freed slot is offered only when a patient could have booked it online: inside the practitioner's hours, the
practice's minimum notice ahead, and on one of the waiting patient's days; the page shows those days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bookings import services, waitlist
from bookings.front_desk_models import WaitlistOffer
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import at


def _entry(appointment_type, **kwargs):
    patient = PatientFactory(email=kwargs.pop("email", "wendy@mail.test"))
    return waitlist.add_entry(patient=patient, appointment_type=appointment_type, **kwargs)


def _cancel(appointment, front_desk, capture):
    with capture(execute=True):
        services.cancel_appointment(
            appointment=appointment, actor=front_desk, reason="ill", staff_override=True, notify_patient=False
        )


def test_an_out_of_hours_slot_is_not_offered(
    diary, follow_up, monday, front_desk, mailoutbox, django_capture_on_commit_callbacks
):
    # Phil works 09:00-17:00; the front desk squeezed someone in at 21:30.
    late = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "21:30"))
    _entry(follow_up)
    _cancel(late, front_desk, django_capture_on_commit_callbacks)
    assert not WaitlistOffer.objects.exists() and mailoutbox == []


def test_a_slot_inside_the_minimum_notice_is_not_offered(
    practice, diary, follow_up, front_desk, mailoutbox, django_capture_on_commit_callbacks
):
    practice.min_notice_minutes = 120
    practice.save()
    soon = timezone.now() + dt.timedelta(minutes=50)
    soon = soon.replace(second=0, microsecond=0)
    appointment = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=soon)
    _entry(follow_up)
    _cancel(appointment, front_desk, django_capture_on_commit_callbacks)
    assert not WaitlistOffer.objects.exists()


def test_a_slot_in_hours_and_on_a_preferred_day_is_offered(
    diary, follow_up, monday, front_desk, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    _entry(follow_up, weekdays=[1, 2], email="not.mondays@mail.test")
    on_mondays = _entry(follow_up, weekdays=[0], email="mondays@mail.test")
    _cancel(appointment, front_desk, django_capture_on_commit_callbacks)
    assert list(WaitlistOffer.objects.values_list("entry", flat=True)) == [on_mondays.pk]
    assert [m.to for m in mailoutbox] == [["mondays@mail.test"]]


@pytest.mark.django_db
def test_the_waiting_list_page_shows_the_preferred_days(client, front_desk, follow_up):
    _entry(follow_up, weekdays=[0, 2], time_from=dt.time(9), time_until=dt.time(12))
    client.force_login(front_desk)
    page = client.get("/calendar/waiting-list/").content.decode()
    assert "Mon, Wed" in page and "09:00\u201312:00" in page
