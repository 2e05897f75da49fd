"""The public booking API: the fixed contract, every rule and every bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bookings import links
from bookings.models import Appointment, AppointmentChange, IdempotencyRecord, TimeOff
from clinic.models import AuditEvent
from patients.models import Patient
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory, PractitionerFactory

from .conftest import LONDON, at, booking_payload

BOOKINGS = "/api/v1/public/bookings/"


def availability(api, **params):
    return api.get("/api/v1/public/availability/", params)


# --- catalogue ------------------------------------------------------------------------------------------------------


def test_appointment_types_lists_only_active_online_types(api, diary, initial, follow_up, staff_only):
    AppointmentTypeFactory(name="Retired", is_active=False)
    response = api.get("/api/v1/public/appointment-types/")
    assert response.status_code == 200
    assert response.json() == [
        {"id": t.pk, "name": t.name, "description": "", "duration_minutes": t.duration_minutes}
        for t in sorted([initial, follow_up], key=lambda t: (t.order, t.name, t.pk))
    ]


def test_practitioners_lists_active_ones_with_their_online_types(api, diary, initial, follow_up):
    PractitionerFactory(is_active=False, types=[initial])
    PractitionerFactory(types=[])  # offers nothing online
    response = api.get("/api/v1/public/practitioners/")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": diary.pk,
            "display_name": "Phil Physio",
            "bio": "",
            "appointment_types": sorted([initial.pk, follow_up.pk]),
        }
    ]


# --- availability ---------------------------------------------------------------------------------------------------


def test_availability_answers_in_the_clinics_time_with_offsets(api, diary, initial, monday):
    response = availability(api, appointment_type=initial.pk, start=monday, end=monday)
    assert response.status_code == 200
    body = response.json()
    assert body["time_zone"] == "Europe/London"
    first = body["slots"][0]
    assert first["practitioner"] == diary.pk
    start = dt.datetime.fromisoformat(first["start"])
    assert start.utcoffset() is not None
    assert start.astimezone(LONDON).strftime("%H:%M") == "09:00"
    assert dt.datetime.fromisoformat(first["end"]) - start == dt.timedelta(minutes=60)
    # 09:00 .. 15:45 (60 minutes + 10 minutes' buffer must end by 17:00)
    assert len(body["slots"]) == 28


def test_availability_leaves_out_booked_time_with_its_buffers(api, diary, initial, monday):
    # 10:00-11:00 plus 10 minutes' buffer blocks 10:00-11:10; a new one needs 70 minutes clear, buffer included.
    AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:00"))
    slots = availability(api, appointment_type=initial.pk, start=monday, end=monday).json()["slots"]
    local = [dt.datetime.fromisoformat(s["start"]).astimezone(LONDON).strftime("%H:%M") for s in slots]
    assert local[:2] == ["11:15", "11:30"]
    assert local[-1] == "15:45"


def test_cancelled_and_no_show_appointments_free_their_time(api, diary, follow_up, monday):
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "09:00"), status="cancelled")
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"), status="no_show")
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "11:00"), status="completed")
    slots = availability(api, appointment_type=follow_up.pk, start=monday, end=monday).json()["slots"]
    local = {dt.datetime.fromisoformat(s["start"]).astimezone(LONDON).strftime("%H:%M") for s in slots}
    assert {"09:00", "10:00"} <= local
    assert "11:00" not in local


def test_availability_for_anyone_lists_every_free_practitioner(api, diary, initial, monday):
    other = PractitionerFactory(types=[initial], hours=True)
    slots = availability(api, appointment_type=initial.pk, start=monday, end=monday).json()["slots"]
    assert {s["practitioner"] for s in slots} == {diary.pk, other.pk}
    only = availability(api, appointment_type=initial.pk, start=monday, end=monday, practitioner=other.pk).json()
    assert {s["practitioner"] for s in only["slots"]} == {other.pk}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2030-01-01", "end": "2030-02-01"}, "end"),  # 32 days
        ({"start": "2030-01-10", "end": "2030-01-01"}, "end"),
        ({"start": "tomorrow", "end": "2030-01-01"}, "start"),
        ({"start": None}, "start"),
        ({"appointment_type": "abc"}, "appointment_type"),
        ({"appointment_type": 999999}, "appointment_type"),
        ({"practitioner": 999999}, "practitioner"),
    ],
)
def test_availability_refuses_bad_queries_with_field_errors(api, diary, initial, params, field):
    query = {"appointment_type": initial.pk, "start": "2030-01-01", "end": "2030-01-07", **params}
    query = {k: v for k, v in query.items() if v is not None}
    response = availability(api, **query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]


def test_availability_refuses_staff_only_types_and_practitioners_who_do_not_offer_the_type(
    api, diary, staff_only, initial
):
    assert availability(api, appointment_type=staff_only.pk, start="2030-01-01", end="2030-01-02").status_code == 400
    other = PractitionerFactory(types=[], hours=True)
    response = availability(
        api, appointment_type=initial.pk, start="2030-01-01", end="2030-01-02", practitioner=other.pk
    )
    assert response.status_code == 400
    assert "does not offer" in response.json()["errors"]["practitioner"][0]


def test_availability_accepts_thirty_one_days(api, diary, initial, monday):
    response = availability(api, appointment_type=initial.pk, start=monday, end=monday + dt.timedelta(days=30))
    assert response.status_code == 200


def _busy_diaries(count: int, appointment_type, monday) -> None:
    patient = PatientFactory()
    for _ in range(count):
        practitioner = PractitionerFactory(types=[appointment_type], hours=True)
        for day in range(14):
            for hour in (9, 12, 15):
                AppointmentFactory(
                    patient=patient,
                    practitioner=practitioner,
                    appointment_type=appointment_type,
                    start=at(monday + dt.timedelta(days=day), f"{hour:02d}:00"),
                )


def test_availability_takes_the_same_few_queries_whatever_the_number_of_diaries(
    api, practice, initial, monday, django_assert_max_num_queries, django_assert_num_queries
):
    _busy_diaries(1, initial, monday)
    params = {"appointment_type": initial.pk, "start": monday, "end": monday + dt.timedelta(days=13)}
    with django_assert_max_num_queries(6) as small:
        assert availability(api, **params).status_code == 200
    _busy_diaries(5, initial, monday)
    with django_assert_num_queries(len(small.captured_queries)):
        response = availability(api, **params)
    assert response.status_code == 200
    assert len({s["practitioner"] for s in response.json()["slots"]}) == 6


# --- booking --------------------------------------------------------------------------------------------------------


def test_booking_creates_the_patient_and_the_appointment_and_answers_the_contract(api, diary, initial, monday):
    response = api.post(BOOKINGS, booking_payload(initial, at(monday, "10:00"), diary), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"reference", "start", "end", "practitioner", "appointment_type", "status", "manage_url"}
    appointment = Appointment.objects.get()
    assert body["reference"] == appointment.reference and appointment.reference.startswith("MD-")
    assert dt.datetime.fromisoformat(body["start"]) == at(monday, "10:00")
    assert body["start"][-6:] in ("+00:00", "+01:00")  # a numeric offset, like the availability slots
    assert dt.datetime.fromisoformat(body["end"]) == at(monday, "11:00")
    assert (body["practitioner"], body["appointment_type"], body["status"]) == (diary.pk, initial.pk, "booked")
    assert body["manage_url"].startswith("http") and "/book/manage/" in body["manage_url"]
    assert appointment.source == "online"
    assert appointment.blocked_end == at(monday, "11:10")
    assert appointment.patient_notes == "Left knee hurts after 10 km."
    patient = appointment.patient
    assert (patient.first_name, patient.email, str(patient.phone)) == ("Zoë", "zoe@mail.test", "+447911123456")
    assert AppointmentChange.objects.filter(appointment=appointment, kind="created").exists()
    assert AuditEvent.objects.filter(
        action="create", object_type="bookings.appointment", patient_id=patient.pk
    ).exists()


def test_a_returning_patient_is_matched_by_email_and_date_of_birth(api, diary, initial, monday):
    known = PatientFactory(email="zoe@mail.test", date_of_birth=dt.date(1988, 4, 17))
    response = api.post(
        BOOKINGS, booking_payload(initial, at(monday, "10:00"), diary, email="ZOE@mail.test"), format="json"
    )
    assert response.status_code == 201
    assert Appointment.objects.get().patient == known
    assert Patient.objects.count() == 1


def test_same_email_but_another_birth_date_is_another_patient(api, diary, initial, monday):
    PatientFactory(email="zoe@mail.test", date_of_birth=dt.date(1990, 1, 1))
    assert api.post(BOOKINGS, booking_payload(initial, at(monday, "10:00"), diary), format="json").status_code == 201
    assert Patient.objects.count() == 2


def test_booking_without_a_practitioner_takes_any_free_one(api, diary, initial, monday):
    other = PractitionerFactory(types=[initial], hours=True)
    AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:00"))
    response = api.post(BOOKINGS, booking_payload(initial, at(monday, "10:00")), format="json")
    assert response.status_code == 201
    assert response.json()["practitioner"] == other.pk


def test_a_taken_slot_is_a_409_and_leaves_no_stray_patient(api, diary, initial, monday):
    AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:30"))
    patients_before = Patient.objects.count()
    response = api.post(BOOKINGS, booking_payload(initial, at(monday, "10:00"), diary), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"
    assert response.json()["detail"]
    assert Patient.objects.count() == patients_before
    assert Appointment.objects.count() == 1


def test_a_slot_inside_time_off_is_not_offered_so_it_is_a_409(api, diary, initial, monday):
    TimeOff.objects.create(
        practitioner=diary, start=at(monday, "00:00"), end=at(monday + dt.timedelta(days=1), "00:00")
    )
    response = api.post(BOOKINGS, booking_payload(initial, at(monday, "10:00"), diary), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"
    assert not Patient.objects.exists()


def test_nobody_free_for_anyone_is_a_409(api, diary, initial, monday):
    AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:00"))
    response = api.post(BOOKINGS, booking_payload(initial, at(monday, "10:00")), format="json")
    assert response.status_code == 409


def _start_error(response) -> str:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    return body["errors"]["start"][0]


def test_it_refuses_a_start_in_the_past(api, diary, initial):
    past = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    assert "past" in _start_error(api.post(BOOKINGS, booking_payload(initial, past, diary), format="json"))


def test_it_refuses_a_start_off_the_slot_step(api, diary, initial, monday):
    message = _start_error(api.post(BOOKINGS, booking_payload(initial, at(monday, "10:05"), diary), format="json"))
    assert "15 minutes" in message


def test_it_refuses_a_start_outside_working_hours(api, diary, initial, monday):
    message = _start_error(api.post(BOOKINGS, booking_payload(initial, at(monday, "16:30"), diary), format="json"))
    assert "working hours" in message


def test_it_refuses_a_start_inside_minimum_notice(api, diary, follow_up, practice):
    practice.min_notice_minutes = 24 * 60
    practice.save()
    # Two to three hours from now, on the hour, with extra hours so that working hours are not the reason.
    start = (timezone.now() + dt.timedelta(hours=3)).astimezone(LONDON)
    start = start.replace(minute=0, second=0, microsecond=0)
    diary.extra_hours.create(date=start.date(), start_time=dt.time(0), end_time=dt.time(23, 45))
    message = _start_error(api.post(BOOKINGS, booking_payload(follow_up, start, diary), format="json"))
    assert "notice" in message


def test_it_refuses_a_start_past_the_horizon(api, diary, initial, practice):
    far = timezone.now().astimezone(LONDON).date() + dt.timedelta(days=practice.horizon_days + 1)
    message = _start_error(api.post(BOOKINGS, booking_payload(initial, at(far, "10:00"), diary), format="json"))
    assert "days ahead" in message


@pytest.mark.parametrize("which", ["unknown", "inactive", "staff_only"])
def test_it_refuses_types_that_cannot_be_booked_online(api, diary, initial, staff_only, monday, which):
    appointment_type = {"unknown": None, "inactive": AppointmentTypeFactory(is_active=False), "staff_only": staff_only}[
        which
    ]
    payload = booking_payload(initial, at(monday, "10:00"), diary)
    payload["appointment_type"] = appointment_type.pk if appointment_type else 999999
    response = api.post(BOOKINGS, payload, format="json")
    assert response.status_code == 400
    assert "appointment_type" in response.json()["errors"]


@pytest.mark.parametrize("which", ["unknown", "inactive", "not_offering"])
def test_it_refuses_practitioners_who_cannot_take_the_booking(api, diary, initial, follow_up, monday, which):
    practitioner_id = {
        "unknown": lambda: 999999,
        "inactive": lambda: PractitionerFactory(is_active=False, types=[initial], hours=True).pk,
        "not_offering": lambda: PractitionerFactory(types=[follow_up], hours=True).pk,
    }[which]()
    payload = booking_payload(initial, at(monday, "10:00"))
    payload["practitioner"] = practitioner_id
    response = api.post(BOOKINGS, payload, format="json")
    assert response.status_code == 400
    assert "practitioner" in response.json()["errors"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-email"), ("phone", "12"), ("date_of_birth", "2999-01-01"), ("first_name", "")],
)
def test_it_refuses_invalid_patient_details(api, diary, initial, monday, field, value):
    response = api.post(BOOKINGS, booking_payload(initial, at(monday, "10:00"), diary, **{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]["patient"]
    assert not Appointment.objects.exists() and not Patient.objects.exists()


@pytest.mark.parametrize("missing", ["appointment_type", "start", "patient"])
def test_it_refuses_missing_fields(api, diary, initial, monday, missing):
    payload = booking_payload(initial, at(monday, "10:00"), diary)
    del payload[missing]
    response = api.post(BOOKINGS, payload, format="json")
    assert response.status_code == 400
    assert missing in response.json()["errors"]


def test_it_refuses_malformed_json(api, diary):
    response = api.post(BOOKINGS, '{"appointment_type": 1,', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_it_refuses_a_start_that_is_not_a_date(api, diary, initial):
    payload = booking_payload(initial, timezone.now(), diary)
    payload["start"] = "next tuesday"
    response = api.post(BOOKINGS, payload, format="json")
    assert response.status_code == 400
    assert "start" in response.json()["errors"]


# --- idempotency ----------------------------------------------------------------------------------------------------


def test_a_retry_with_the_same_idempotency_key_returns_the_first_response_and_books_nothing(
    api, diary, initial, monday
):
    payload = booking_payload(initial, at(monday, "10:00"), diary)
    first = api.post(BOOKINGS, payload, format="json", HTTP_IDEMPOTENCY_KEY="7d9f-key")
    again = api.post(BOOKINGS, payload, format="json", HTTP_IDEMPOTENCY_KEY="7d9f-key")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Appointment.objects.count() == 1 and Patient.objects.count() == 1
    # The private link is not stored readably, even in the replay record.
    assert "manage_url" not in IdempotencyRecord.objects.get().response_body


def test_the_same_idempotency_key_with_another_body_is_refused(api, diary, initial, monday):
    api.post(BOOKINGS, booking_payload(initial, at(monday, "10:00"), diary), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    response = api.post(
        BOOKINGS, booking_payload(initial, at(monday, "12:00"), diary), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Appointment.objects.count() == 1


def test_without_a_key_a_second_identical_post_is_a_new_request(api, diary, initial, monday):
    payload = booking_payload(initial, at(monday, "10:00"), diary)
    assert api.post(BOOKINGS, payload, format="json").status_code == 201
    assert api.post(BOOKINGS, payload, format="json").status_code == 409


# --- rate limit -----------------------------------------------------------------------------------------------------


def test_public_posts_are_rate_limited_per_client(api, diary, initial, monday, monkeypatch):
    from bookings.api import PublicWriteThrottle

    monkeypatch.setattr(PublicWriteThrottle, "THROTTLE_RATES", {"public_write": "3/minute"})
    statuses = [api.post(BOOKINGS, {}, format="json").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    limited = api.post(BOOKINGS, {}, format="json")
    assert limited.json()["code"] == "throttled" and "Retry-After" in limited
    assert api.post(BOOKINGS, {}, format="json", REMOTE_ADDR="10.9.9.9").status_code == 400  # another client
    assert api.get("/api/v1/public/appointment-types/").status_code == 200  # reads are not limited


# --- manage ---------------------------------------------------------------------------------------------------------


def _book(api, appointment_type, start, practitioner=None) -> dict:
    response = api.post(BOOKINGS, booking_payload(appointment_type, start, practitioner), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _token(body) -> str:
    return body["manage_url"].rstrip("/").rsplit("/", 1)[-1]


def test_the_private_link_is_unguessable_and_stored_only_as_a_hash(api, diary, initial, monday):
    token = _token(_book(api, initial, at(monday, "10:00"), diary))
    appointment = Appointment.objects.get()
    assert len(token) >= 40
    assert appointment.manage_token_hash == links.hash_token(token)
    stored = " ".join(str(v) for v in Appointment.objects.values().get().values())
    assert token not in stored


def test_the_link_shows_the_booking(api, diary, initial, monday):
    body = _book(api, initial, at(monday, "10:00"), diary)
    response = api.get(f"{BOOKINGS}{_token(body)}/")
    assert response.status_code == 200
    data = response.json()
    assert data["reference"] == body["reference"]
    assert data["practitioner_name"] == "Phil Physio"
    assert data["appointment_type_name"] == "Initial assessment"
    assert dt.datetime.fromisoformat(data["changeable_until"]) == at(monday, "10:00") - dt.timedelta(hours=24)


def test_an_unknown_link_is_a_404(api, diary):
    for path in ("", "cancel/", "reschedule/"):
        method = api.get if not path else api.post
        response = method(f"{BOOKINGS}not-a-real-token/{path}", {}, format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_the_link_expires_once_the_appointment_is_over(api, diary, initial):
    appointment = AppointmentFactory(
        practitioner=diary, appointment_type=initial, start=timezone.now() - dt.timedelta(hours=2)
    )
    token = links.token_for(appointment.manage_nonce)
    assert api.get(f"{BOOKINGS}{token}/").status_code == 404


def test_the_patient_can_cancel_and_the_time_is_free_again(api, diary, initial, monday):
    body = _book(api, initial, at(monday, "10:00"), diary)
    response = api.post(f"{BOOKINGS}{_token(body)}/cancel/", {"reason": "Feeling better"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    appointment = Appointment.objects.get()
    assert appointment.cancel_reason == "Feeling better" and appointment.sequence == 1
    change = appointment.changes.get(kind="cancelled")
    assert change.actor is None and change.actor_label == "patient (online)"
    again = api.post(f"{BOOKINGS}{_token(body)}/cancel/", {}, format="json")
    assert again.status_code == 200  # cancelling twice changes nothing
    assert appointment.changes.filter(kind="cancelled").count() == 1
    assert api.post(BOOKINGS, booking_payload(initial, at(monday, "10:00"), diary), format="json").status_code == 201


def test_the_patient_can_move_to_a_free_time(api, diary, initial, monday):
    body = _book(api, initial, at(monday, "10:00"), diary)
    new_start = at(monday, "10:30")  # overlaps the old time: its own time does not count against it
    response = api.post(f"{BOOKINGS}{_token(body)}/reschedule/", {"start": new_start.isoformat()}, format="json")
    assert response.status_code == 200, response.json()
    assert dt.datetime.fromisoformat(response.json()["start"]) == new_start
    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.end, appointment.blocked_end) == (
        new_start,
        at(monday, "11:30"),
        at(monday, "11:40"),
    )
    assert appointment.sequence == 1
    change = appointment.changes.get(kind="rescheduled")
    assert (change.from_start, change.to_start) == (at(monday, "10:00"), new_start)


def test_moving_onto_a_taken_time_is_a_409(api, diary, initial, monday):
    body = _book(api, initial, at(monday, "10:00"), diary)
    AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "14:00"))
    response = api.post(
        f"{BOOKINGS}{_token(body)}/reschedule/", {"start": at(monday, "14:30").isoformat()}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"
    assert Appointment.objects.get(reference=body["reference"]).start == at(monday, "10:00")


def test_moving_to_a_bad_time_is_a_400(api, diary, initial, monday):
    body = _book(api, initial, at(monday, "10:00"), diary)
    response = api.post(
        f"{BOOKINGS}{_token(body)}/reschedule/", {"start": at(monday, "20:00").isoformat()}, format="json"
    )
    assert response.status_code == 400
    response = api.post(f"{BOOKINGS}{_token(body)}/reschedule/", {"start": "soon"}, format="json")
    assert response.status_code == 400


def test_inside_the_cutoff_the_patient_can_neither_cancel_nor_move(api, diary, initial, practice):
    start = (timezone.now() + dt.timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
    appointment = AppointmentFactory(practitioner=diary, appointment_type=initial, start=start)
    token = links.token_for(appointment.manage_nonce)
    cancel = api.post(f"{BOOKINGS}{token}/cancel/", {}, format="json")
    move = api.post(
        f"{BOOKINGS}{token}/reschedule/", {"start": (start + dt.timedelta(days=2)).isoformat()}, format="json"
    )
    assert cancel.status_code == move.status_code == 409
    assert cancel.json()["code"] == move.json()["code"] == "inside_cutoff"
    assert "24 hours" in cancel.json()["detail"]
    appointment.refresh_from_db()
    assert (appointment.status, appointment.start) == ("booked", start)


def test_idempotency_records_are_forgotten_after_a_day(api, diary, initial, monday):
    from bookings import tasks

    payload = booking_payload(initial, at(monday, "10:00"), diary)
    assert api.post(BOOKINGS, payload, format="json", HTTP_IDEMPOTENCY_KEY="old").status_code == 201
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    # Another day: one online booking of a type per patient and day.
    payload = booking_payload(initial, at(monday + dt.timedelta(days=1), "13:00"), diary)
    assert api.post(BOOKINGS, payload, format="json", HTTP_IDEMPOTENCY_KEY="new").status_code == 201
    assert tasks.purge_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert Appointment.objects.count() == 2  # the bookings themselves stay
