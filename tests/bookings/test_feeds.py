"""A practitioner's private calendar feed: time and type with initials only, hashed token, revocable."""

from __future__ import annotations

import hashlib

import icalendar
import pytest
from django.urls import reverse

from bookings import feeds
from bookings.front_desk_models import CalendarFeed
from tests.factories import AppointmentFactory, PractitionerFactory

from .conftest import at


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


def _token_from(page: str) -> str:
    marker = "/calendar/feed/"
    start = page.index(marker) + len(marker)
    return page[start : page.index(".ics", start)]


def test_the_feed_shows_time_and_type_with_initials_only(desk, client, diary, monday, follow_up):
    AppointmentFactory(
        practitioner=diary,
        appointment_type=follow_up,
        start=at(monday, "10:00"),
        patient__first_name="Rita",
        patient__last_name="Runner",
        patient__email="rita@mail.test",
    )
    AppointmentFactory(practitioner=diary, appointment_type=follow_up, start=at(monday, "12:00"), status="cancelled")
    page = desk.post(reverse("bookings:calendar-feed-manage", args=[diary.pk]), {"action": "create"}).content.decode()
    token = _token_from(page)
    assert CalendarFeed.objects.get().token_hash == hashlib.sha256(token.encode()).hexdigest()

    client.logout()
    response = client.get(reverse("bookings:calendar-feed", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Follow-up · RR"]
    assert events[0].decoded("dtstart") == at(monday, "10:00")
    text = response.content.decode()
    assert "Rita" not in text and "Runner" not in text and "rita@mail.test" not in text


def test_a_new_link_replaces_the_old_and_revoking_ends_it(desk, client, diary):
    old = feeds.create_feed(practitioner=diary, actor=None)
    new = feeds.create_feed(practitioner=diary, actor=None)
    assert client.get(reverse("bookings:calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("bookings:calendar-feed", args=[new])).status_code == 200
    desk.post(reverse("bookings:calendar-feed-manage", args=[diary.pk]), {"action": "revoke"})
    assert client.get(reverse("bookings:calendar-feed", args=[new])).status_code == 404


def test_a_physio_manages_only_their_own_feed(client, physio, diary):
    own = PractitionerFactory(user=physio)
    client.force_login(physio)
    assert (
        client.post(reverse("bookings:calendar-feed-manage", args=[diary.pk]), {"action": "create"}).status_code == 403
    )
    assert client.post(reverse("bookings:calendar-feed-manage", args=[own.pk]), {"action": "create"}).status_code == 200
    assert list(CalendarFeed.objects.values_list("practitioner", flat=True)) == [own.pk]
