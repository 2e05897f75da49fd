"""Rotating SECRET_KEY: the patients' appointment links and waiting-list claim links issued under the old key stop
working at once, and the next email carries a link under the new key that works (docs/operations.md). Calendar feed
links do not depend on the key: they are revoked by their own button."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from bookings import emails, feeds, links, selectors, services, waitlist
from bookings.front_desk_models import WaitlistOffer
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import at

NEW_KEY = "a-rotated-secret-key-" + "y" * 40


@pytest.fixture
def booked(diary, monday, follow_up):
    return AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "10:00"))


def _manage_link(text: str) -> str:
    return re.search(r"https?://\S+?(/book/manage/\S+?/)", text).group(1)


def test_a_rotated_key_closes_every_outstanding_appointment_link(client, booked, settings):
    old = links.path_for(booked)
    assert client.get(old).status_code == 200

    settings.SECRET_KEY = NEW_KEY
    assert client.get(old).status_code == 404
    assert selectors.appointment_for_token(links.token_for(booked.manage_nonce)) is None  # not even recomputed


def test_the_first_email_after_a_rotation_carries_a_link_that_works(client, booked, settings, practice):
    old = links.path_for(booked)
    settings.SECRET_KEY = NEW_KEY

    new = _manage_link(emails.confirmation(booked, practice=practice).text)
    assert new != old
    assert client.get(new).status_code == 200
    assert client.get(old).status_code == 404
    assert selectors.appointment_for_token(new.split("/")[-2]) == booked


def test_a_waiting_list_claim_link_from_before_a_rotation_opens_nothing(
    client, booked, front_desk, follow_up, settings, mailoutbox, django_capture_on_commit_callbacks
):
    patient = PatientFactory(email="waiting@mail.test")
    waitlist.add_entry(patient=patient, appointment_type=follow_up)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_appointment(
            appointment=booked, actor=front_desk, reason="ill", staff_override=True, notify_patient=False
        )
    (message,) = mailoutbox
    old = re.search(r"https?://\S+?(/book/waiting-list/\S+?/)", message.body).group(1)
    assert client.get(old).status_code == 200

    settings.SECRET_KEY = NEW_KEY
    assert client.get(old).status_code == 404
    offer = WaitlistOffer.objects.get()
    new = waitlist.claim_url(offer).removeprefix(settings.SITE_URL)
    assert client.get(new).status_code == 200
    assert waitlist.offer_for_token(new.split("/")[-2]) == offer


def test_a_calendar_feed_link_survives_a_rotation_and_is_ended_by_revoking_it(client, diary, settings):
    token = feeds.create_feed(practitioner=diary, actor=None)
    settings.SECRET_KEY = NEW_KEY
    assert client.get(reverse("bookings:calendar-feed", args=[token])).status_code == 200
    feeds.revoke_feed(practitioner=diary, actor=None)
    assert client.get(reverse("bookings:calendar-feed", args=[token])).status_code == 404
