"""The booking services the front desk will share: staff override, the database guarantee, history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from bookings import services
from bookings.models import Appointment
from bookings.services import InvalidBooking, SlotUnavailable
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import at


def _create(diary, appointment_type, start, **kwargs):
    return services.create_appointment(
        patient=kwargs.pop("patient", None) or PatientFactory(),
        practitioner=diary,
        appointment_type=appointment_type,
        start=start,
        source=Appointment.Source.FRONT_DESK,
        **kwargs,
    )


def test_staff_may_book_outside_the_online_rules_with_the_override(diary, initial, monday, front_desk):
    evening = at(monday, "18:10")  # outside hours and off the step
    appointment = _create(diary, initial, evening, staff_override=True, actor=front_desk)
    assert appointment.start == evening
    assert appointment.created_by == front_desk and appointment.updated_by == front_desk
    assert appointment.changes.get().actor_label == front_desk.email


def test_staff_may_book_a_staff_only_type_with_the_override_only(diary, staff_only, monday, front_desk):
    with pytest.raises(InvalidBooking):
        _create(diary, staff_only, at(monday, "10:00"), actor=front_desk)
    assert _create(diary, staff_only, at(monday, "10:00"), actor=front_desk, staff_override=True).pk


def test_not_even_staff_can_book_on_top_of_another_appointment(diary, initial, monday, front_desk):
    _create(diary, initial, at(monday, "10:00"), staff_override=True)
    with pytest.raises(SlotUnavailable):
        _create(diary, initial, at(monday, "11:05"), staff_override=True, actor=front_desk)  # inside the buffer
    assert _create(diary, initial, at(monday, "11:10"), staff_override=True).pk  # right after the buffer


def test_the_database_refuses_overlapping_active_appointments_whatever_writes_them(diary, initial, monday):
    AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:00"))
    with pytest.raises(IntegrityError, match="appointment_no_overlap"), transaction.atomic():
        AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:30"))
    # Another practitioner, a cancelled one, or back-to-back (with the buffer) is fine.
    AppointmentFactory(appointment_type=initial, start=at(monday, "10:30"))
    AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:30"), status="cancelled")
    AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "11:10"))


def test_a_no_show_frees_the_time_for_a_walk_in(diary, follow_up, monday):
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"), status="no_show")
    assert _create(diary, follow_up, at(monday, "10:00"), staff_override=True).pk


def test_references_are_short_and_unambiguous(diary, follow_up, monday):
    appointments = [_create(diary, follow_up, at(monday, f"{h:02d}:00")) for h in range(9, 16)]
    references = {a.reference for a in appointments}
    assert len(references) == len(appointments)
    for reference in references:
        assert reference.startswith("MD-") and len(reference) == 7
        assert not set(reference[3:]) & set("01OI")


def test_moving_is_refused_for_an_appointment_that_is_not_booked(diary, initial, monday):
    appointment = AppointmentFactory(
        practitioner=diary, appointment_type=initial, start=at(monday, "10:00"), status="cancelled"
    )
    with pytest.raises(services.NotChangeable):
        services.move_appointment(appointment=appointment, start=at(monday, "12:00"))


def test_staff_may_cancel_inside_the_cutoff_with_a_reason(diary, initial, front_desk):
    from django.utils import timezone

    soon = (timezone.now() + dt.timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    appointment = AppointmentFactory(practitioner=diary, appointment_type=initial, start=soon)
    with pytest.raises(services.CutoffPassed):
        services.cancel_appointment(appointment=appointment)
    cancelled = services.cancel_appointment(
        appointment=appointment, actor=front_desk, reason="Physio ill", staff_override=True
    )
    assert (cancelled.status, cancelled.cancel_reason, cancelled.updated_by) == ("cancelled", "Physio ill", front_desk)
    change = cancelled.changes.get()
    assert (change.kind, change.actor, change.reason, change.from_status) == (
        "cancelled",
        front_desk,
        "Physio ill",
        "booked",
    )


def test_a_reference_that_is_already_taken_is_drawn_again(diary, follow_up, monday, monkeypatch):
    AppointmentFactory(reference="MD-AAAA", start=at(monday, "08:00"))
    drawn = iter(["MD-AAAA", "MD-BBBB"])
    monkeypatch.setattr(services, "_new_reference", lambda length=4: next(drawn))
    appointment = _create(diary, follow_up, at(monday, "10:00"))
    assert appointment.reference == "MD-BBBB"
    assert Appointment.objects.filter(reference="MD-BBBB").count() == 1


def test_staff_may_move_an_appointment_to_another_practitioner_who_offers_the_type(diary, initial, monday, front_desk):
    from tests.factories import PractitionerFactory

    colleague = PractitionerFactory(types=[initial], hours=True)
    appointment = _create(diary, initial, at(monday, "10:00"))
    moved = services.move_appointment(
        appointment=appointment,
        start=at(monday, "11:00"),
        practitioner=colleague,
        actor=front_desk,
        staff_override=True,
    )
    assert (moved.practitioner, moved.start, moved.sequence) == (colleague, at(monday, "11:00"), 1)
    change = moved.changes.get(kind="rescheduled")
    assert change.detail == {"from_practitioner": diary.pk, "to_practitioner": colleague.pk}
    # The old diary is free again; the new one is not.
    assert _create(diary, initial, at(monday, "10:00")).pk
    with pytest.raises(SlotUnavailable):
        _create(colleague, initial, at(monday, "11:30"))


def test_moving_to_a_practitioner_who_does_not_offer_the_type_is_refused(diary, initial, follow_up, monday):
    from tests.factories import PractitionerFactory

    other = PractitionerFactory(types=[follow_up], hours=True)
    appointment = _create(diary, initial, at(monday, "10:00"))
    with pytest.raises(InvalidBooking):
        services.move_appointment(
            appointment=appointment, start=at(monday, "10:00"), practitioner=other, staff_override=True
        )


def test_check_in_and_complete_are_recorded_with_who(diary, initial, monday, front_desk):
    appointment = _create(diary, initial, at(monday, "10:00"))
    services.check_in(appointment=appointment, actor=front_desk)
    physio = diary.user  # a physiotherapist changes only their own appointments (bookings.access)
    done = services.complete_appointment(appointment=appointment, actor=physio)
    assert done.status == "completed" and done.updated_by == physio
    steps = [(c.from_status, c.to_status, c.actor) for c in done.changes.filter(kind="status")]
    assert steps == [("booked", "checked_in", front_desk), ("checked_in", "completed", physio)]
    with pytest.raises(services.NotChangeable):
        services.mark_no_show(appointment=appointment, actor=front_desk)


def test_a_no_show_only_once_the_appointment_has_started_and_a_cancelled_one_cannot_be_checked_in(
    diary, initial, monday, front_desk
):
    appointment = _create(diary, initial, at(monday, "10:00"))
    with pytest.raises(services.NotChangeable, match="started"):
        services.mark_no_show(appointment=appointment, actor=front_desk)
    marked = services.mark_no_show(appointment=appointment, actor=front_desk, now=at(monday, "10:20"))
    assert marked.status == "no_show"
    other = _create(diary, initial, at(monday, "13:00"))
    services.cancel_appointment(appointment=other, actor=front_desk, staff_override=True)
    with pytest.raises(services.NotChangeable):
        services.check_in(appointment=other, actor=front_desk)


def test_staff_may_cancel_without_telling_the_patient(
    diary, initial, monday, front_desk, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:00"))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_appointment(
            appointment=appointment, actor=front_desk, reason="Duplicate", notify_patient=False, staff_override=True
        )
    assert mailoutbox == []
    assert appointment.changes.get().detail == {"patient_notified": False}


def test_a_time_without_an_offset_is_refused_rather_than_guessed(diary, initial, monday):
    naive = at(monday, "10:00").replace(tzinfo=None)
    with pytest.raises(InvalidBooking, match="offset"):
        _create(diary, initial, naive)
