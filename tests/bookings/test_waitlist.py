"""The waiting list: a cancellation offers the slot to matching entries; the first claim wins, the others are told."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from bookings import services, waitlist
from bookings.front_desk_models import WaitlistEntry, WaitlistOffer
from bookings.models import Appointment
from clinic import tasks as clinic_tasks
from clinic.models import Notification
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory

from .conftest import at


@pytest.fixture
def freed(diary, monday, follow_up):
    return AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))


def _entry(follow_up, practitioner=None, **kwargs):
    patient = PatientFactory(email=kwargs.pop("email", f"p{PatientFactory._meta.model.objects.count()}@mail.test"))
    return waitlist.add_entry(patient=patient, appointment_type=follow_up, practitioner=practitioner, **kwargs)


def _cancel(appointment, front_desk, capture):
    with capture(execute=True):
        services.cancel_appointment(
            appointment=appointment, actor=front_desk, reason="ill", staff_override=True, notify_patient=False
        )


def _claim_link(message) -> str:
    return re.search(r"https?://\S+/book/waiting-list/\S+/", message.body).group(0)


def test_a_cancellation_offers_the_slot_to_every_matching_entry(
    freed, front_desk, follow_up, initial, diary, monday, mailoutbox, django_capture_on_commit_callbacks
):
    anyone = _entry(follow_up, email="anyone@mail.test")
    with_phil = _entry(follow_up, practitioner=diary, email="phil.fan@mail.test")
    mornings = _entry(follow_up, time_from=dt.time(9), time_until=dt.time(11), weekdays=[0], email="morning@mail.test")
    _entry(initial, email="other.type@mail.test")
    _entry(follow_up, time_from=dt.time(14), email="afternoons@mail.test")
    _entry(follow_up, earliest_date=monday + dt.timedelta(days=1), email="later@mail.test")
    _entry(follow_up, practitioner=PractitionerFactory(types=[follow_up]), email="someone.else@mail.test")
    _cancel(freed, front_desk, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mailoutbox) == ["anyone@mail.test", "morning@mail.test", "phil.fan@mail.test"]
    assert set(WaitlistOffer.objects.values_list("entry", flat=True)) == {anyone.pk, with_phil.pk, mornings.pk}
    assert "/book/waiting-list/" in mailoutbox[0].body
    # Each email is a message in the outbox, about its offer, sent once.
    records = Notification.objects.filter(kind=Notification.Kind.WAITLIST_OFFER)
    assert sorted(records.values_list("recipient", "status", "subject_type")) == [
        ("anyone@mail.test", "sent", "bookings.waitlistoffer"),
        ("morning@mail.test", "sent", "bookings.waitlistoffer"),
        ("phil.fan@mail.test", "sent", "bookings.waitlistoffer"),
    ]
    assert {m.extra_headers["X-Medius-Notification"] for m in mailoutbox} == {
        str(pk) for pk in records.values_list("pk", flat=True)
    }


def test_the_first_claim_gets_the_appointment_and_the_others_are_told_it_has_gone(
    client, freed, front_desk, follow_up, diary, monday, mailoutbox, django_capture_on_commit_callbacks
):
    first = _entry(follow_up, email="first@mail.test")
    _entry(follow_up, email="second@mail.test")
    _cancel(freed, front_desk, django_capture_on_commit_callbacks)
    links = {m.to[0]: _claim_link(m) for m in mailoutbox}
    mailoutbox.clear()

    page = client.get(links["first@mail.test"])
    assert page.status_code == 200 and b"Book this appointment" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(links["first@mail.test"])
    assert response.status_code == 200 and b"It is yours" in response.content
    claimed = Appointment.objects.get(status="booked", practitioner=diary)
    assert (claimed.patient, claimed.start) == (first.patient, at(monday, "10:00"))
    first.refresh_from_db()
    assert first.status == WaitlistEntry.Status.BOOKED
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert "has gone" in subjects["second@mail.test"]
    assert "first@mail.test" in subjects  # the booking confirmation
    gone = Notification.objects.get(kind=Notification.Kind.WAITLIST_GONE)
    assert (gone.recipient, gone.status) == ("second@mail.test", Notification.Status.SENT)
    assert "has gone" in gone.title
    clinic_tasks.send_notification.run(gone.pk)  # a redelivered send task
    assert sorted(m.to[0] for m in mailoutbox).count("second@mail.test") == 1

    late = client.post(links["second@mail.test"])
    assert late.status_code == 409 and b"has gone" in late.content
    assert Appointment.objects.filter(status="booked").count() == 1


def test_a_slot_booked_by_the_front_desk_meanwhile_cannot_be_claimed(
    client, freed, front_desk, follow_up, diary, monday, mailoutbox, django_capture_on_commit_callbacks
):
    _entry(follow_up, email="waiting@mail.test")
    _cancel(freed, front_desk, django_capture_on_commit_callbacks)
    link = _claim_link(mailoutbox[0])
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))
    response = client.post(link)
    assert response.status_code == 409
    assert WaitlistOffer.objects.get().status == WaitlistOffer.Status.GONE
    assert Appointment.objects.filter(status="booked").count() == 1


def test_offering_twice_sends_nothing_twice(
    freed, front_desk, follow_up, mailoutbox, django_capture_on_commit_callbacks
):
    _entry(follow_up, email="waiting@mail.test")
    _cancel(freed, front_desk, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist.offer_freed_slot(appointment_id=freed.pk) == []
    assert len(mailoutbox) == 1


def test_a_redelivered_offer_task_from_before_the_outbox_sends_nothing_twice(
    freed, front_desk, follow_up, mailoutbox, django_capture_on_commit_callbacks
):
    from bookings.waitlist_tasks import send_waitlist_offer

    _entry(follow_up, email="waiting@mail.test")
    _cancel(freed, front_desk, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        send_waitlist_offer.run(WaitlistOffer.objects.get().pk)
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(kind=Notification.Kind.WAITLIST_OFFER).count() == 1


def test_an_offer_taken_before_its_email_went_is_skipped_and_no_gone_email_follows(
    client, freed, front_desk, follow_up, mailoutbox, django_capture_on_commit_callbacks
):
    _entry(follow_up, email="first@mail.test")
    _entry(follow_up, email="slow@mail.test")
    with django_capture_on_commit_callbacks(execute=False):  # the offers are recorded, not sent yet
        services.cancel_appointment(
            appointment=freed, actor=front_desk, reason="ill", staff_override=True, notify_patient=False
        )
    waitlist.offer_freed_slot(appointment_id=freed.pk)
    first = WaitlistOffer.objects.get(entry__patient__email="first@mail.test")
    slow = WaitlistOffer.objects.get(entry__patient__email="slow@mail.test")
    first_message = Notification.objects.get(subject_id=str(first.pk), kind=Notification.Kind.WAITLIST_OFFER)
    clinic_tasks.send_notification.run(first_message.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_claim_link(mailoutbox[0])).status_code == 200

    slow_offer = Notification.objects.get(subject_id=str(slow.pk), kind=Notification.Kind.WAITLIST_OFFER)
    clinic_tasks.send_notification.run(slow_offer.pk)
    slow_offer.refresh_from_db()
    assert slow_offer.status == Notification.Status.SKIPPED
    assert "taken" in slow_offer.reason
    slow_gone = Notification.objects.get(subject_id=str(slow.pk), kind=Notification.Kind.WAITLIST_GONE)
    assert (slow_gone.status, slow_gone.reason) == (Notification.Status.SKIPPED, "The offer itself was never sent.")
    assert "slow@mail.test" not in [m.to[0] for m in mailoutbox]


def test_an_unknown_claim_link_is_not_found(client, db):
    assert client.get(reverse("bookings:waitlist-claim", args=["not-a-real-token"])).status_code == 404


def test_the_patient_who_cancelled_is_not_offered_their_own_slot(
    freed, front_desk, follow_up, mailoutbox, django_capture_on_commit_callbacks
):
    waitlist.add_entry(patient=freed.patient, appointment_type=follow_up)
    _cancel(freed, front_desk, django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_front_desk_adds_and_removes_entries_on_the_page(client, front_desk, follow_up, diary):
    patient = PatientFactory(last_name="Waiting")
    client.force_login(front_desk)
    response = client.post(
        reverse("bookings:waitlist"),
        {
            "patient": patient.pk,
            "appointment_type": follow_up.pk,
            "practitioner": "",
            "weekdays": [0, 2],
            "time_from": "08:00",
            "time_until": "12:00",
        },
    )
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get()
    assert (entry.weekdays, entry.practitioner) == ([0, 2], None)
    assert b"Waiting" in client.get(reverse("bookings:waitlist")).content
    client.post(reverse("bookings:waitlist-remove", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.REMOVED


def test_a_waiting_entry_with_times_in_the_wrong_order_is_refused(client, front_desk, follow_up):
    patient = PatientFactory()
    client.force_login(front_desk)
    response = client.post(
        reverse("bookings:waitlist"),
        {"patient": patient.pk, "appointment_type": follow_up.pk, "time_from": "12:00", "time_until": "08:00"},
    )
    assert response.status_code == 400
    assert not WaitlistEntry.objects.exists()


def test_claiming_twice_keeps_the_one_appointment(
    client, freed, front_desk, follow_up, mailoutbox, django_capture_on_commit_callbacks
):
    _entry(follow_up, email="waiting@mail.test")
    _cancel(freed, front_desk, django_capture_on_commit_callbacks)
    link = _claim_link(mailoutbox[0])
    assert client.post(link).status_code == 200
    again = client.post(link)
    assert again.status_code == 200 and b"It is yours" in again.content
    assert Appointment.objects.filter(status="booked").count() == 1


def test_seed_demo_puts_two_patients_on_the_waiting_list_once(db):
    import io

    from django.core.management import call_command

    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())  # idempotent
    entries = WaitlistEntry.objects.select_related("appointment_type")
    assert [e.appointment_type.name for e in entries] == ["Follow-up", "Follow-up"]
