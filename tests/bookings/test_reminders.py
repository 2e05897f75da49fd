"""Bookings' messages through the outbox: reminders at the practice's lead times, replaced when an appointment moves,
skipped when it is cancelled, expired when it has started;
consent per channel; quiet hours; nothing clinical in any message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import Appointment
from clinic import tasks
from clinic.models import Notification
from clinic.notifications.sms import MemoryBackend
from patients.models import Patient
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import LONDON, at, booking_payload, next_monday

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
Status = Notification.Status
BOOKINGS = "/api/v1/public/bookings/"


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "clinic.notifications.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    return MemoryBackend.outbox


@pytest.fixture
def runner(db):
    return PatientFactory(
        first_name="Zoë", email="zoe@mail.test", phone="+447911123456", consent_email=True, consent_sms=True
    )


@pytest.fixture
def book(diary, initial, front_desk, django_capture_on_commit_callbacks):
    def make(patient, start, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.create_appointment(
                patient=patient,
                practitioner=diary,
                appointment_type=initial,
                start=start,
                source=Appointment.Source.FRONT_DESK,
                actor=front_desk,
                **kwargs,
            )

    return make


def reminders(appointment):
    return list(
        Notification.objects.filter(
            subject_type="bookings.appointment", subject_id=str(appointment.pk), kind="reminder"
        )
        .order_by("due_at", "channel")
        .values_list("channel", "due_at", "status")
    )


def send_due(now=None):
    return tasks.send_due_notifications()


class TestScheduling:
    def test_booking_schedules_reminders_at_24_and_2_hours_on_each_agreed_channel(self, book, runner, monday):
        start = at(monday, "10:00")
        appointment = book(runner, start)
        assert reminders(appointment) == [
            ("email", start - dt.timedelta(hours=24), Status.PENDING),
            ("sms", start - dt.timedelta(hours=24), Status.PENDING),
            ("email", start - dt.timedelta(hours=2), Status.PENDING),
            ("sms", start - dt.timedelta(hours=2), Status.PENDING),
        ]
        sms = Notification.objects.filter(kind="reminder", channel="sms").first()
        assert sms.recipient == "+447911123456"
        assert sms.subject_label == appointment.reference
        assert sms.patient_id == runner.pk

    def test_the_practice_sets_the_lead_times(self, book, runner, monday, practice):
        practice.reminder_lead_hours = "48, 1.5, soon, -3, 48"
        practice.save()
        start = at(monday, "10:00")
        appointment = book(PatientFactory(email="a@mail.test", consent_sms=False), start)
        assert [due for _, due, _ in reminders(appointment)] == [
            start - dt.timedelta(hours=48),
            start - dt.timedelta(minutes=90),
        ]

    def test_a_reminder_whose_time_has_passed_is_not_created(self, book, runner, diary):
        soon = timezone.now().astimezone(LONDON).replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=4)
        appointment = book(runner, soon, staff_override=True)
        assert [due for channel, due, _ in reminders(appointment) if channel == "email"] == [
            soon - dt.timedelta(hours=2)
        ]

    def test_no_channel_the_patient_did_not_agree_to(self, book, monday):
        no_sms = book(
            PatientFactory(email="e@mail.test", phone="+447911123456", consent_sms=False), at(monday, "10:00")
        )
        no_email = book(PatientFactory(email="n@mail.test", consent_email=False), at(monday, "12:00"))
        assert {c for c, _, _ in reminders(no_sms)} == {"email"}
        assert reminders(no_email) == []
        assert not Notification.objects.filter(subject_id=str(no_email.pk)).exists()

    def test_no_text_to_a_number_that_cannot_be_a_phone_number(self, book, monday):
        patient = PatientFactory(email="x@mail.test", consent_sms=True)
        Patient.objects.filter(pk=patient.pk).update(phone="12")  # imported from an old system, never validated
        patient.refresh_from_db()
        assert {c for c, _, _ in reminders(book(patient, at(monday, "10:00")))} == {"email"}

    def test_moving_an_appointment_replaces_its_pending_reminders(self, book, runner, monday, front_desk, mailoutbox):
        appointment = book(runner, at(monday, "10:00"))
        new_start = at(monday + dt.timedelta(days=1), "14:00")
        services.move_appointment(appointment=appointment, start=new_start, actor=front_desk)
        assert [(c, due) for c, due, _ in reminders(appointment)] == [
            ("email", new_start - dt.timedelta(hours=24)),
            ("sms", new_start - dt.timedelta(hours=24)),
            ("email", new_start - dt.timedelta(hours=2)),
            ("sms", new_start - dt.timedelta(hours=2)),
        ]
        moved = Notification.objects.get(kind=Kind.RESCHEDULE)
        assert moved.data == {"previous_start": at(monday, "10:00").isoformat()}

    def test_cancelling_skips_the_reminders_and_keeps_them_in_the_outbox(self, book, runner, monday, front_desk):
        appointment = book(runner, at(monday, "10:00"))
        services.cancel_appointment(appointment=appointment, actor=front_desk, staff_override=True)
        assert {status for _, _, status in reminders(appointment)} == {Status.SKIPPED}
        assert set(Notification.objects.filter(kind="reminder").values_list("reason", flat=True)) == {
            "The appointment was cancelled."
        }


class TestSendingReminders:
    def test_a_due_reminder_is_sent_with_the_calendar_file_and_only_what_it_may_say(
        self, book, runner, monday, mailoutbox, sms_outbox, practice
    ):
        practice.sms_quiet_start = practice.sms_quiet_end = dt.time(0)
        practice.save()
        book(runner, at(monday, "10:00"), notes="ACL reconstruction, hop test 72% LSI")
        mailoutbox.clear()
        Notification.objects.filter(kind="reminder").update(next_attempt_at=timezone.now())
        Notification.objects.filter(kind="reminder", due_at__gt=at(monday, "07:00")).delete()  # keep the 24 h ones

        assert send_due() == {"sent": 2}

        (email,) = mailoutbox
        (text,) = sms_outbox
        html = email.alternatives[0][0]
        manage = "/book/manage/"
        for message in (email.subject + email.body, html, text.text):
            assert "Monday" in message or "Mon" in message
            assert "10:00" in message
        for message in (email.body, html, text.text):
            assert practice.name in message
            assert "Phil Physio" in message
            assert manage in message
        everything = email.subject + email.body + html + text.text + str(email.attachments)
        for clinical in ("ACL", "hop test", "LSI", "72%", "Initial assessment", "knee"):
            assert clinical not in everything
        (attachment,) = email.attachments
        assert attachment[0] == "appointment.ics"
        assert Notification.objects.filter(kind="reminder", status=Status.SENT).count() == 2

    def test_a_reminder_found_after_its_appointment_started_expires_unsent(self, runner, mailoutbox, diary, initial):
        appointment = AppointmentFactory(
            patient=runner, practitioner=diary, appointment_type=initial, start=timezone.now() - dt.timedelta(minutes=5)
        )
        from bookings import notifications

        Notification.objects.create(
            subject_type=notifications.SUBJECT_TYPE,
            subject_id=str(appointment.pk),
            kind="reminder",
            channel="email",
            recipient=runner.email,
            due_at=appointment.start - dt.timedelta(hours=2),
            next_attempt_at=appointment.start - dt.timedelta(hours=2),
        )
        send_due()
        reminder = Notification.objects.get()
        assert reminder.status == Status.EXPIRED
        assert reminder.reason == "The appointment had already started."
        assert mailoutbox == []

    def test_a_patient_who_withdrew_consent_gets_nothing_and_the_outbox_says_why(
        self, book, runner, monday, mailoutbox, practice
    ):
        practice.sms_quiet_start = practice.sms_quiet_end = dt.time(0)
        practice.save()
        book(runner, at(monday, "10:00"))
        mailoutbox.clear()
        runner.consent_email = False
        runner.consent_sms = False
        runner.save()
        Notification.objects.filter(kind="reminder").update(next_attempt_at=timezone.now())
        send_due()
        reasons = set(Notification.objects.filter(kind="reminder").values_list("status", "reason"))
        assert reasons == {
            (Status.SKIPPED, "The patient does not accept email."),
            (Status.SKIPPED, "The patient does not accept text messages."),
        }
        assert mailoutbox == []

    def test_an_sms_reminder_due_in_quiet_hours_waits_for_the_morning(self, book, runner, monday, practice):
        appointment = book(runner, at(monday, "09:00"))  # the 2 h reminder falls at 07:00, inside 21:00-08:00
        sms = Notification.objects.get(kind="reminder", channel="sms", due_at=at(monday, "07:00"))
        email = Notification.objects.get(kind="reminder", channel="email", due_at=at(monday, "07:00"))
        assert sms.next_attempt_at == at(monday, "08:00")
        assert email.next_attempt_at == at(monday, "07:00")
        assert appointment.start == at(monday, "09:00")


class TestImmediateMessages:
    def test_the_confirmation_and_the_practice_notice_are_in_the_outbox(
        self, api, diary, initial, monday, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(BOOKINGS, booking_payload(initial, at(monday, "10:00"), diary), format="json")
        assert response.status_code == 201
        rows = dict(Notification.objects.values_list("kind", "status").exclude(kind="reminder"))
        assert rows == {Kind.CONFIRMATION: Status.SENT, Kind.PRACTICE_NOTICE: Status.SENT}
        confirmation = Notification.objects.get(kind=Kind.CONFIRMATION)
        (email,) = [m for m in mailoutbox if m.to == ["zoe@mail.test"]]
        assert email.extra_headers["X-Medius-Notification"] == str(confirmation.pk)
        assert confirmation.title == email.subject
        assert confirmation.subject_label == response.json()["reference"]

    def test_a_confirmation_for_an_appointment_cancelled_before_it_went_is_skipped(
        self, runner, diary, initial, mailoutbox
    ):
        appointment = AppointmentFactory(
            patient=runner, practitioner=diary, appointment_type=initial, start=at(next_monday(), "10:00")
        )
        from bookings import notifications

        notifications.appointment_booked(appointment)
        Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
        send_due()
        confirmation = Notification.objects.get(kind=Kind.CONFIRMATION)
        assert confirmation.status == Status.SKIPPED
        assert confirmation.reason == "The appointment is cancelled."
        assert mailoutbox == []


def test_the_demo_outbox_shows_sent_failed_and_skipped_messages(db, mailoutbox):
    import io

    from django.core.management import call_command

    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())  # idempotent

    statuses = set(Notification.objects.values_list("status", flat=True))
    assert {Status.SENT, Status.FAILED, Status.SKIPPED} <= statuses
    failed = Notification.objects.get(status=Status.FAILED)
    assert failed.reason == "Invalid email address: 'casey.miles@gmail'"
    assert Notification.objects.filter(status=Status.SKIPPED, reason="The appointment was cancelled.").exists()
    assert len(mailoutbox) == Notification.objects.filter(status=Status.SENT).count()
