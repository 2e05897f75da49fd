"""Racing real connections at one offered slot: six waiting patients press "Book" at the same moment; one gets it."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from bookings import waitlist
from bookings.front_desk_models import WaitlistEntry, WaitlistOffer
from bookings.models import Appointment
from clinic.roles import STAFF_ROLES
from clinic.selectors import get_practice
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory, PractitionerFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

PATIENTS = 6


def _race(tokens: list[str]) -> list[str]:
    barrier = threading.Barrier(len(tokens))
    results = [""] * len(tokens)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = waitlist.claim_offer(token=tokens[i]).reference
        except waitlist.OfferGone:
            results[i] = "gone"
        except Exception as exc:  # anything else is a failure the test reports
            results[i] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_simultaneous_claims_of_one_slot_book_it_once(monkeypatch):
    for role in STAFF_ROLES:  # transactional tests flush the role groups the migrations made
        Group.objects.get_or_create(name=role.value)
    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.save()
    follow_up = AppointmentTypeFactory(name="Follow-up", duration_minutes=30)
    diary = PractitionerFactory(types=[follow_up], hours=True)
    start = (timezone.now() + dt.timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    freed = AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=start, status="cancelled")
    for i in range(PATIENTS):
        waitlist.add_entry(patient=PatientFactory(email=f"w{i}@mail.test"), appointment_type=follow_up)

    # Keep the tokens the emails would carry (the offers store only their hash).
    tokens: list[str] = []
    monkeypatch.setattr(waitlist, "_hash", _recording_hash(waitlist._hash, tokens))
    offers = waitlist.offer_freed_slot(appointment_id=freed.pk)
    assert len(offers) == PATIENTS == len(tokens)

    results = _race(tokens)
    assert not [r for r in results if r.startswith("error")], results
    assert sorted(r == "gone" for r in results) == [False] + [True] * (PATIENTS - 1)
    assert Appointment.objects.filter(status="booked").count() == 1
    assert WaitlistOffer.objects.filter(status="claimed").count() == 1
    assert WaitlistOffer.objects.filter(status="gone").count() == PATIENTS - 1
    assert WaitlistEntry.objects.filter(status="booked").count() == 1


def _recording_hash(original, tokens: list[str]):
    def record(token: str) -> str:
        if len(tokens) < PATIENTS:
            tokens.append(token)
        return original(token)

    return record
