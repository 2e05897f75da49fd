"""The front-desk calendar pages: booking from a free time, moving, cancelling, status changes, permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from bookings.models import Appointment, AppointmentChange
from clinic.models import AuditEvent
from patients.models import Patient
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory

from .conftest import LONDON, at


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


@pytest.fixture
def patient(db):
    return PatientFactory(first_name="Rita", last_name="Runner", email="rita@mail.test", consent_email=True)


def _local(instant: dt.datetime) -> str:
    return instant.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


def _book(client, *, patient, practitioner, appointment_type, start, **extra):
    data = {
        "patient": patient.pk if patient else "",
        "practitioner": practitioner.pk,
        "appointment_type": appointment_type.pk,
        "start": _local(start),
        **extra,
    }
    return client.post(reverse("bookings:calendar-book"), data)


def test_the_day_view_shows_each_practitioner_and_their_appointments(desk, diary, monday, follow_up, initial):
    PractitionerFactory(display_name="Paula Physio", types=[initial], hours=True)
    AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"), patient__last_name="Runner"
    )
    response = desk.get(reverse("bookings:calendar-day"), {"date": monday.isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Phil Physio" in page and "Paula Physio" in page
    assert "Runner" in page and "Follow-up" in page
    assert f"start={monday.isoformat()}T09:00" in page  # a free time to click


def test_the_day_view_shows_only_the_chosen_practitioners(desk, diary, monday, initial):
    other = PractitionerFactory(display_name="Paula Physio", types=[initial], hours=True)
    response = desk.get(reverse("bookings:calendar-day"), {"date": monday.isoformat(), "p": other.pk})
    assert b'aria-label="Paula Physio"' in response.content
    assert b'aria-label="Phil Physio"' not in response.content


def test_a_bad_date_shows_today_rather_than_failing(desk, diary):
    assert desk.get(reverse("bookings:calendar-day"), {"date": "31-02-2026"}).status_code == 200


def test_the_week_view_shows_one_practitioner(desk, diary, monday):
    response = desk.get(reverse("bookings:calendar-week", args=[diary.pk]), {"date": monday.isoformat()})
    assert response.status_code == 200
    assert response.content.decode().count('class="cal-col"') == 7


def test_clicking_a_free_time_opens_the_booking_form_filled_in(desk, diary, monday):
    response = desk.get(reverse("bookings:calendar-book"), {"practitioner": diary.pk, "start": f"{monday}T10:15"})
    assert response.status_code == 200
    assert f'value="{monday}T10:15"'.encode() in response.content


def test_front_desk_books_a_patient_into_a_free_time(
    desk, front_desk, diary, monday, follow_up, patient, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _book(
            desk, patient=patient, practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00")
        )
    assert response.status_code == 302
    appointment = Appointment.objects.get(patient=patient)
    assert (appointment.start, appointment.source, appointment.created_by) == (
        at(monday, "10:00"),
        "front_desk",
        front_desk,
    )
    assert appointment.changes.get().actor == front_desk
    assert [m.to for m in mailoutbox] == [["rita@mail.test"]]


def test_booking_on_top_of_another_appointment_is_refused_and_nothing_is_saved(desk, diary, monday, follow_up, patient):
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    response = _book(desk, patient=patient, practitioner=diary, appointment_type=follow_up, start=at(monday, "10:15"))
    assert response.status_code == 409
    assert "already has an appointment" in response.content.decode()
    assert not Appointment.objects.filter(patient=patient).exists()


def test_booking_outside_hours_needs_an_explicit_confirmation(desk, diary, monday, follow_up, patient):
    response = _book(desk, patient=patient, practitioner=diary, appointment_type=follow_up, start=at(monday, "18:00"))
    assert response.status_code == 400
    assert "outside the practitioner&#x27;s working hours" in response.content.decode()
    assert not Appointment.objects.exists()
    response = _book(
        desk,
        patient=patient,
        practitioner=diary,
        appointment_type=follow_up,
        start=at(monday, "18:00"),
        confirm_outside_rules="on",
    )
    assert response.status_code == 302
    assert Appointment.objects.get().start == at(monday, "18:00")


def test_short_notice_needs_a_confirmation_too(desk, diary, follow_up, patient):
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
    response = _book(desk, patient=patient, practitioner=diary, appointment_type=follow_up, start=soon)
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_a_new_patient_can_be_added_while_booking(desk, diary, monday, follow_up):
    response = _book(
        desk,
        patient=None,
        practitioner=diary,
        appointment_type=follow_up,
        start=at(monday, "11:00"),
        new_first_name="Nina",
        new_last_name="New",
        new_email="nina@mail.test",
        new_date_of_birth="1990-02-03",
    )
    assert response.status_code == 302
    assert Appointment.objects.get().patient == Patient.objects.get(last_name="New")


def test_a_new_patient_is_not_kept_when_the_booking_fails(desk, diary, monday, follow_up):
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "11:00"))
    response = _book(
        desk,
        patient=None,
        practitioner=diary,
        appointment_type=follow_up,
        start=at(monday, "11:00"),
        new_first_name="Nina",
        new_last_name="New",
        new_date_of_birth="1990-02-03",
    )
    assert response.status_code == 409
    assert not Patient.objects.filter(last_name="New").exists()
    assert b'value="Nina"' in response.content  # what was typed is still there


def test_an_unknown_patient_is_a_clear_error(desk, diary, monday, follow_up):
    response = desk.post(
        reverse("bookings:calendar-book"),
        {
            "patient": 999999,
            "practitioner": diary.pk,
            "appointment_type": follow_up.pk,
            "start": _local(at(monday, "10:00")),
        },
    )
    assert response.status_code == 400
    assert "Unknown patient" in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_patient_search_lists_matches_to_choose_from(desk, patient):
    response = desk.get(reverse("bookings:calendar-patient-search"), {"patient_q": "runn"})
    assert f'value="{patient.pk}"'.encode() in response.content


def test_moving_by_the_form_changes_the_time_and_tells_the_patient(
    desk, front_desk, diary, monday, follow_up, patient, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"), patient=patient
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            reverse("bookings:appointment-move", args=[appointment.pk]),
            {"start": _local(at(monday, "14:00")), "practitioner": diary.pk},
        )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == at(monday, "14:00")
    change = appointment.changes.get(kind=AppointmentChange.Kind.RESCHEDULED)
    assert (change.actor, change.from_start) == (front_desk, at(monday, "10:00"))
    assert len(mailoutbox) == 1 and "rita@mail.test" in mailoutbox[0].to


def test_moving_to_another_practitioner(desk, diary, monday, follow_up):
    other = PractitionerFactory(display_name="Paula", types=[follow_up], hours=True)
    appointment = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    response = desk.post(
        reverse("bookings:appointment-move", args=[appointment.pk]),
        {"start": _local(at(monday, "10:00")), "practitioner": other.pk},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.practitioner == other


def test_dropping_onto_another_appointment_is_a_conflict_and_nothing_moves(desk, diary, monday, follow_up):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "12:00"))
    response = desk.post(
        reverse("bookings:appointment-move", args=[appointment.pk]),
        {"start": _local(at(monday, "12:15")), "practitioner": diary.pk},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 409
    assert "already has an appointment" in response.json()["detail"]
    appointment.refresh_from_db()
    assert appointment.start == at(monday, "10:00")
    assert not appointment.changes.exists()


def test_dropping_outside_hours_asks_for_confirmation_first(desk, diary, monday, follow_up):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    url = reverse("bookings:appointment-move", args=[appointment.pk])
    data = {"start": _local(at(monday, "19:00")), "practitioner": diary.pk}
    response = desk.post(url, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["confirm"] is True
    appointment.refresh_from_db()
    assert appointment.start == at(monday, "10:00")
    assert desk.post(url, {**data, "confirm_outside_rules": "on"}, HTTP_ACCEPT="application/json").status_code == 200
    appointment.refresh_from_db()
    assert appointment.start == at(monday, "19:00")


def test_a_move_without_a_start_is_a_field_error(desk, diary, monday, follow_up):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    response = desk.post(
        reverse("bookings:appointment-move", args=[appointment.pk]), {"start": "soon", "practitioner": diary.pk}
    )
    assert response.status_code == 400
    assert "Enter a valid date/time" in response.content.decode()


def test_cancelling_with_a_reason_tells_the_patient(
    desk, front_desk, diary, monday, follow_up, patient, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"), patient=patient
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            reverse("bookings:appointment-cancel", args=[appointment.pk]),
            {"reason": "Physio ill", "notify_patient": "on"},
        )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "Physio ill")
    assert appointment.changes.get().actor == front_desk
    assert len(mailoutbox) == 1


def test_cancelling_without_telling_the_patient_sends_nothing(
    desk, diary, monday, follow_up, patient, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"), patient=patient
    )
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(reverse("bookings:appointment-cancel", args=[appointment.pk]), {"reason": "Patient phoned"})
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert mailoutbox == []


def test_checking_in_and_completing_are_recorded_with_who_and_when(desk, front_desk, diary, follow_up):
    now = dt.datetime.now(dt.UTC)
    appointment = AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=now - dt.timedelta(minutes=5)
    )
    url = reverse("bookings:appointment-status", args=[appointment.pk])
    assert desk.post(url, {"action": "check_in"}).status_code == 302
    assert desk.post(url, {"action": "complete"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "completed"
    changes = list(appointment.changes.values_list("from_status", "to_status", "actor"))
    assert changes == [("booked", "checked_in", front_desk.pk), ("checked_in", "completed", front_desk.pk)]


def test_a_cancelled_appointment_cannot_be_checked_in(desk, diary, follow_up):
    appointment = AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=dt.datetime.now(dt.UTC), status="cancelled"
    )
    response = desk.post(reverse("bookings:appointment-status", args=[appointment.pk]), {"action": "check_in"})
    assert response.status_code == 409
    assert "Only a booked appointment can be checked in." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


def test_a_no_show_is_marked_only_once_the_appointment_has_started(desk, diary, monday, follow_up):
    future = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    response = desk.post(reverse("bookings:appointment-status", args=[future.pk]), {"action": "no_show"})
    assert response.status_code == 409
    past = AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    )
    assert desk.post(reverse("bookings:appointment-status", args=[past.pk]), {"action": "no_show"}).status_code == 302
    past.refresh_from_db()
    assert past.status == "no_show"


def test_a_physio_sees_every_calendar_but_changes_only_their_own(client, physio, diary, monday, follow_up):
    own = PractitionerFactory(user=physio, display_name="Me", types=[follow_up], hours=True)
    theirs = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    mine = AppointmentFactory(practitioner=own, appointment_type=follow_up, start=at(monday, "10:00"))
    client.force_login(physio)
    page = client.get(reverse("bookings:calendar-day"), {"date": monday.isoformat()}).content.decode()
    assert "Phil Physio" in page and f'data-move-url="/calendar/appointments/{mine.pk}/move/"' in page
    assert f"/calendar/appointments/{theirs.pk}/move/" not in page
    move = {"start": _local(at(monday, "15:00")), "practitioner": diary.pk}
    assert client.post(reverse("bookings:appointment-move", args=[theirs.pk]), move).status_code == 403
    assert client.post(reverse("bookings:appointment-cancel", args=[theirs.pk]), {"reason": "x"}).status_code == 403
    theirs.refresh_from_db()
    assert (theirs.start, theirs.status) == (at(monday, "10:00"), "booked")
    own_move = {"start": _local(at(monday, "15:00")), "practitioner": own.pk}
    assert client.post(reverse("bookings:appointment-move", args=[mine.pk]), own_move).status_code == 302


def test_a_physio_cannot_book_into_a_colleagues_diary(client, physio, diary, monday, follow_up, patient):
    client.force_login(physio)
    response = _book(client, patient=patient, practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    assert response.status_code == 403
    assert not Appointment.objects.exists()


def test_opening_an_appointment_is_audited(desk, front_desk, diary, monday, follow_up):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    response = desk.get(reverse("bookings:appointment", args=[appointment.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="view", patient_id=appointment.patient_id, actor_id=front_desk.pk).exists()


def test_the_printable_day_list_has_the_practitioners_appointments_in_order(desk, diary, monday, follow_up):
    AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "14:00"), patient__last_name="Later"
    )
    AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "09:00"), patient__last_name="Early"
    )
    AppointmentFactory(
        practitioner=diary,
        appointment_type=follow_up,
        start=at(monday, "11:00"),
        patient__last_name="Gone",
        status="cancelled",
    )
    page = desk.get(reverse("bookings:day-list", args=[diary.pk]), {"date": monday.isoformat()}).content.decode()
    assert page.index("Early") < page.index("Later")
    assert "Gone" not in page
    assert "@media print" not in page  # the print styles come from the stylesheet


def test_names_on_the_calendar_are_escaped(desk, diary, monday, follow_up):
    AppointmentFactory(
        practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"), patient__last_name="<b>Bold</b>"
    )
    page = desk.get(reverse("bookings:calendar-day"), {"date": monday.isoformat()}).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page and "<b>Bold</b>" not in page


def test_a_physio_is_told_why_in_the_panel_when_changing_a_colleagues_appointment(
    client, physio, diary, monday, follow_up
):
    theirs = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    client.force_login(physio)
    response = client.post(
        reverse("bookings:appointment-cancel", args=[theirs.pk]), {"reason": "x"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert "You can change only your own appointments." in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == "booked"
