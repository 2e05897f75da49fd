"""A booking form sent twice (a double tap, a resend after Back) books once and lands on the same confirmation; a
second online booking of the same type the same day is refused with a clear message."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.test import Client

from bookings import links
from bookings.models import Appointment
from tests.factories import PractitionerFactory

from .conftest import at
from .test_pages import _details


def _token(client, appointment_type, start, practitioner=None) -> str:
    page = client.get("/book/details/", _details(appointment_type, start, practitioner)).content.decode()
    return re.search(r'name="submission" value="([^"]+)"', page).group(1)


def test_the_same_form_sent_twice_books_once_and_both_land_on_the_manage_page(client, diary, initial, monday):
    data = _details(initial, at(monday, "10:00"), diary, submission=_token(client, initial, at(monday, "10:00")))
    first = client.post("/book/details/", data)
    second = client.post("/book/details/", data)
    appointment = Appointment.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == links.manage_path(appointment.manage_nonce)
    page = client.get(second["Location"]).content.decode()
    assert "You are booked in" in page and "just been taken" not in page


def test_the_form_token_is_bound_to_the_browser(client, diary, initial, monday):
    data = _details(initial, at(monday, "10:00"), diary, submission=_token(client, initial, at(monday, "10:00")))
    assert client.post("/book/details/", data).status_code == 302
    # Someone else's browser replaying the token does not get the first patient's manage link.
    other = Client()
    other.get("/book/details/", _details(initial, at(monday, "10:00"), diary))
    response = other.post("/book/details/", data)
    assert response.status_code == 409
    assert Appointment.objects.count() == 1


def test_a_second_booking_of_the_same_type_the_same_day_is_refused(client, diary, initial, monday):
    PractitionerFactory(display_name="Paula Physio", types=[initial], hours=True)
    start = at(monday, "10:00")
    assert (
        client.post("/book/details/", _details(initial, start, submission=_token(client, initial, start))).status_code
        == 302
    )
    # Back, the page reloads (a new form), Confirm again: "anyone available" would find Paula free at 10:00.
    response = client.post("/book/details/", _details(initial, start, submission=_token(client, initial, start)))
    assert response.status_code == 409
    page = response.content.decode()
    assert "You already have an appointment for Initial assessment on" in page and "10:00" in page
    assert 'value="zoe@mail.test"' in page  # nothing typed is lost
    assert Appointment.objects.count() == 1


def test_another_type_or_another_day_is_still_bookable(client, diary, initial, follow_up, monday):
    assert client.post("/book/details/", _details(initial, at(monday, "10:00"), diary)).status_code == 302
    assert client.post("/book/details/", _details(follow_up, at(monday, "14:00"), diary)).status_code == 302
    tuesday = monday + dt.timedelta(days=1)
    assert client.post("/book/details/", _details(initial, at(tuesday, "10:00"), diary)).status_code == 302
    assert Appointment.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_one_form_book_once(diary, initial, monday):
    client = Client()
    data = _details(initial, at(monday, "10:00"), diary, submission=_token(client, initial, at(monday, "10:00")))
    cookies = client.cookies
    barrier = threading.Barrier(2)
    answers = []

    def post():
        mine = Client()
        mine.cookies = cookies
        barrier.wait()
        try:
            answers.append(mine.post("/book/details/", data))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    appointment = Appointment.objects.get()
    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {links.manage_path(appointment.manage_nonce)}
