"""A physiotherapist changes only their own diary: every appointment change, through the pages and the API.

Each change is tried on a colleague's appointment (403, and nothing about the appointment changes) and, as the
control that makes the refusal mean something, on the physio's own appointment (it succeeds).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bookings.models import Appointment, AppointmentChange
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory

from .conftest import LONDON, at


def _local(instant: dt.datetime) -> str:
    return instant.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


# name -> (needs an appointment that has started, page request, API request). Each request is (url, data) built from
# the appointment, the physio's own practitioner and the day; the target of a move is always the appointment's
# own diary, except where the change is about moving between diaries.
def _status_page(action):
    return lambda a, own, day: (reverse("bookings:appointment-status", args=[a.pk]), {"action": action})


def _status_api(path):
    return lambda a, own, day: (f"/api/v1/appointments/{a.pk}/{path}/", {})


CHANGES = {
    "check-in": (True, _status_page("check_in"), _status_api("check-in")),
    "complete": (True, _status_page("complete"), _status_api("complete")),
    "no-show": (True, _status_page("no_show"), _status_api("no-show")),
    "cancel": (
        False,
        lambda a, own, day: (reverse("bookings:appointment-cancel", args=[a.pk]), {"reason": "ill"}),
        lambda a, own, day: (f"/api/v1/appointments/{a.pk}/cancel/", {"reason": "ill", "notify_patient": False}),
    ),
    "move": (
        False,
        lambda a, own, day: (
            reverse("bookings:appointment-move", args=[a.pk]),
            {"start": _local(at(day, "15:00")), "practitioner": a.practitioner_id},
        ),
        lambda a, own, day: (
            f"/api/v1/appointments/{a.pk}/move/",
            {"start": at(day, "15:00").isoformat(), "practitioner": a.practitioner_id},
        ),
    ),
}


def _snapshot(appointment: Appointment) -> tuple:
    appointment.refresh_from_db()
    return (
        appointment.status,
        appointment.start,
        appointment.practitioner_id,
        appointment.cancel_reason,
        AppointmentChange.objects.filter(appointment=appointment).count(),
    )


@pytest.fixture
def own(physio, follow_up):
    return PractitionerFactory(user=physio, display_name="Me", types=[follow_up], hours=True)


def _appointment(practitioner, follow_up, monday, started: bool) -> Appointment:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10) if started else at(monday, "10:00")
    return AppointmentFactory(practitioner=practitioner, appointment_type=follow_up, start=start)


def _send(via, physio, request) -> int:
    url, data = request
    if via == "page":
        from django.test import Client

        client = Client()
        client.force_login(physio)
        return client.post(url, data).status_code
    client = APIClient()
    client.force_authenticate(physio)
    return client.post(url, data, format="json").status_code


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_physio_cannot_change_a_colleagues_appointment(change, via, physio, own, diary, follow_up, monday):
    started, page, api = CHANGES[change]
    theirs = _appointment(diary, follow_up, monday, started)
    before = _snapshot(theirs)
    build = page if via == "page" else api
    assert _send(via, physio, build(theirs, own, monday)) == 403
    assert _snapshot(theirs) == before


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_the_same_change_on_their_own_appointment_goes_through(change, via, physio, own, diary, follow_up, monday):
    started, page, api = CHANGES[change]
    mine = _appointment(own, follow_up, monday, started)
    before = _snapshot(mine)
    build = page if via == "page" else api
    assert _send(via, physio, build(mine, own, monday)) == (302 if via == "page" else 200)
    assert _snapshot(mine) != before


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_physio_cannot_take_a_colleagues_appointment_into_their_own_diary(via, physio, own, diary, follow_up, monday):
    theirs = _appointment(diary, follow_up, monday, started=False)
    before = _snapshot(theirs)
    if via == "page":
        request = (
            reverse("bookings:appointment-move", args=[theirs.pk]),
            {"start": _local(at(monday, "15:00")), "practitioner": own.pk},
        )
    else:
        request = (
            f"/api/v1/appointments/{theirs.pk}/move/",
            {"start": at(monday, "15:00").isoformat(), "practitioner": own.pk},
        )
    assert _send(via, physio, request) == 403
    assert _snapshot(theirs) == before


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_physio_cannot_move_their_own_appointment_into_a_colleagues_diary(via, physio, own, diary, follow_up, monday):
    mine = _appointment(own, follow_up, monday, started=False)
    before = _snapshot(mine)
    if via == "page":
        request = (
            reverse("bookings:appointment-move", args=[mine.pk]),
            {"start": _local(at(monday, "15:00")), "practitioner": diary.pk},
        )
    else:
        request = (
            f"/api/v1/appointments/{mine.pk}/move/",
            {"start": at(monday, "15:00").isoformat(), "practitioner": diary.pk},
        )
    assert _send(via, physio, request) == 403
    assert _snapshot(mine) == before


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_physio_cannot_book_into_a_colleagues_diary(via, physio, own, diary, follow_up, monday):
    patient = PatientFactory()
    if via == "page":
        request = (
            reverse("bookings:calendar-book"),
            {
                "patient": patient.pk,
                "practitioner": diary.pk,
                "appointment_type": follow_up.pk,
                "start": _local(at(monday, "10:00")),
            },
        )
    else:
        request = (
            "/api/v1/appointments/",
            {
                "patient": patient.pk,
                "practitioner": diary.pk,
                "appointment_type": follow_up.pk,
                "start": at(monday, "10:00").isoformat(),
            },
        )
    assert _send(via, physio, request) == 403
    assert not Appointment.objects.filter(patient=patient).exists()
