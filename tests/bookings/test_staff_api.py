"""The staff appointments API: filters, booking, the actions, and the same rules and guarantee as the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.models import Appointment
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory

from .conftest import at

URL = "/api/v1/appointments/"


@pytest.fixture
def patient(db):
    return PatientFactory(email="rita@mail.test")


def test_the_list_filters_by_dates_practitioner_status_and_patient(front_desk_api, diary, monday, follow_up, patient):
    other = PractitionerFactory(types=[follow_up], hours=True)
    tuesday = monday + dt.timedelta(days=1)
    mine = AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"), patient=patient
    )
    AppointmentFactory(practitioner=other, appointment_type=follow_up, start=at(monday, "10:00"))
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(tuesday, "10:00"))
    cancelled = AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "12:00"), status="cancelled"
    )

    def ids(**params):
        response = front_desk_api.get(URL, params)
        assert response.status_code == 200, response.json()
        return (
            [a["id"] for a in response.json()["results"]]
            if "results" in response.json()
            else [a["id"] for a in response.json()]
        )

    day = {"date_from": monday.isoformat(), "date_to": monday.isoformat()}
    assert len(ids(**day)) == 3
    assert ids(**day, practitioner=diary.pk, status="booked") == [mine.pk]
    assert ids(**day, status="cancelled") == [cancelled.pk]
    assert ids(patient=patient.pk) == [mine.pk]


def test_an_end_date_before_the_start_date_is_a_field_error(front_desk_api, diary):
    response = front_desk_api.get(URL, {"date_from": "2030-01-10", "date_to": "2030-01-01"})
    assert response.status_code == 400
    assert "date_to" in response.json()["errors"]


def test_filtering_by_an_unknown_patient_is_a_field_error(front_desk_api, diary):
    response = front_desk_api.get(URL, {"patient": 999999})
    assert response.status_code == 400
    assert "patient" in response.json()["errors"]


def test_booking_through_the_api(front_desk_api, diary, monday, follow_up, patient):
    response = front_desk_api.post(
        URL,
        {
            "patient": patient.pk,
            "practitioner": diary.pk,
            "appointment_type": follow_up.pk,
            "start": at(monday, "10:00").isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["source"], body["patient"]["id"]) == ("booked", "api", patient.pk)


def test_booking_an_unknown_patient_is_a_field_error(front_desk_api, diary, monday, follow_up):
    response = front_desk_api.post(
        URL,
        {
            "patient": 999999,
            "practitioner": diary.pk,
            "appointment_type": follow_up.pk,
            "start": at(monday, "10:00").isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "patient" in response.json()["errors"]


def test_booking_on_top_of_another_appointment_is_a_409(front_desk_api, diary, monday, follow_up, patient):
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    response = front_desk_api.post(
        URL,
        {
            "patient": patient.pk,
            "practitioner": diary.pk,
            "appointment_type": follow_up.pk,
            "start": at(monday, "10:15").isoformat(),
            "override_rules": True,
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"
    assert Appointment.objects.count() == 1


def test_outside_hours_needs_override_rules(front_desk_api, diary, monday, follow_up, patient):
    data = {
        "patient": patient.pk,
        "practitioner": diary.pk,
        "appointment_type": follow_up.pk,
        "start": at(monday, "20:00").isoformat(),
    }
    response = front_desk_api.post(URL, data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "outside_rules" and "start" in response.json()["errors"]
    assert front_desk_api.post(URL, {**data, "override_rules": True}, format="json").status_code == 201


def test_moving_onto_another_appointment_is_a_409_and_nothing_changes(front_desk_api, diary, monday, follow_up):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "11:00"))
    response = front_desk_api.post(
        f"{URL}{appointment.pk}/move/", {"start": at(monday, "11:00").isoformat()}, format="json"
    )
    assert response.status_code == 409
    appointment.refresh_from_db()
    assert appointment.start == at(monday, "10:00")


def test_moving_to_another_practitioner(front_desk_api, diary, monday, follow_up):
    other = PractitionerFactory(types=[follow_up], hours=True)
    appointment = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    response = front_desk_api.post(
        f"{URL}{appointment.pk}/move/",
        {"start": at(monday, "11:00").isoformat(), "practitioner": other.pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["practitioner"]["id"] == other.pk


def test_moving_to_a_practitioner_who_does_not_offer_the_type_is_refused(
    front_desk_api, diary, monday, follow_up, initial
):
    other = PractitionerFactory(types=[initial], hours=True)
    appointment = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    response = front_desk_api.post(
        f"{URL}{appointment.pk}/move/",
        {"start": at(monday, "11:00").isoformat(), "practitioner": other.pk},
        format="json",
    )
    assert response.status_code == 400
    appointment.refresh_from_db()
    assert appointment.practitioner == diary


def test_a_start_that_is_not_a_time_is_a_field_error(front_desk_api, diary, monday, follow_up):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    response = front_desk_api.post(f"{URL}{appointment.pk}/move/", {"start": "tomorrow-ish"}, format="json")
    assert response.status_code == 400
    assert "start" in response.json()["errors"]


def test_check_in_complete_and_no_show_actions(front_desk_api, diary, follow_up):
    now = dt.datetime.now(dt.UTC)
    arrived = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=now - dt.timedelta(minutes=10))
    missed = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=now - dt.timedelta(minutes=50))
    assert front_desk_api.post(f"{URL}{arrived.pk}/check-in/").json()["status"] == "checked_in"
    assert front_desk_api.post(f"{URL}{arrived.pk}/complete/").json()["status"] == "completed"
    assert front_desk_api.post(f"{URL}{missed.pk}/no-show/").json()["status"] == "no_show"


def test_checking_in_a_cancelled_appointment_is_a_409(front_desk_api, diary, follow_up):
    appointment = AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=dt.datetime.now(dt.UTC), status="cancelled"
    )
    response = front_desk_api.post(f"{URL}{appointment.pk}/check-in/")
    assert response.status_code == 409
    assert response.json()["code"] == "not_changeable"


def test_cancel_with_a_reason_and_without_telling_the_patient(
    front_desk_api, diary, monday, follow_up, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    with django_capture_on_commit_callbacks(execute=True):
        response = front_desk_api.post(
            f"{URL}{appointment.pk}/cancel/", {"reason": "Phoned in", "notify_patient": False}, format="json"
        )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == ("cancelled", "Phoned in")
    assert mailoutbox == []


def test_a_physio_reads_every_appointment_but_changes_only_their_own(physio_api, physio, diary, monday, follow_up):
    theirs = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    assert physio_api.get(f"{URL}{theirs.pk}/").status_code == 200
    response = physio_api.post(f"{URL}{theirs.pk}/cancel/", {"reason": "no"}, format="json")
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "booked"
    own = PractitionerFactory(user=physio, types=[follow_up], hours=True)
    mine = AppointmentFactory(practitioner=own, appointment_type=follow_up, start=at(monday, "10:00"))
    assert physio_api.post(f"{URL}{mine.pk}/cancel/", {"reason": "ill"}, format="json").status_code == 200


def test_the_api_needs_a_staff_role(api, client, outsider, diary):
    assert api.get(URL).status_code in (401, 403)
    api.force_authenticate(outsider)
    assert api.get(URL).status_code == 403


def test_an_unknown_appointment_is_a_404(front_desk_api, diary):
    assert front_desk_api.post(f"{URL}999999/check-in/").status_code == 404
