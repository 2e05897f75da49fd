"""A patient who double-taps "Confirm booking", or goes Back and confirms again, is booked once and sees their
booking with its manage link, never "that time has just been taken"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bookings.models import Appointment

from .test_booking import _choose_a_free_time, diary  # noqa: F401 (the fixture)


def _details_without_confirming(page) -> None:
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.get_by_label("First name").fill("Zoë")
    page.get_by_label("Last name").fill("Ångström")
    page.get_by_label("Email").fill("zoe@mail.test")
    page.get_by_label("Mobile phone").fill("07911 123456")
    page.get_by_label("Date of birth").fill("1988-04-17")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_double_tap_on_confirm_books_once(browser, live_server, diary, mailoutbox, javascript):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript, locale="en-GB")
    page = context.new_page()
    page.goto("/book/")
    _choose_a_free_time(page)
    _details_without_confirming(page)
    page.get_by_role("button", name="Confirm booking").dblclick()
    expect(page.get_by_text("You are booked in")).to_be_visible()
    expect(page.get_by_text("just been taken")).to_have_count(0)
    appointment = Appointment.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(appointment.reference)
    expect(page.get_by_role("button", name="Cancel this appointment")).to_be_visible()  # the manage page
    context.close()


def test_back_then_confirm_twice_books_no_second_appointment(page, diary, mailoutbox):  # noqa: F811
    page.goto("/book/")
    _choose_a_free_time(page)
    _details_without_confirming(page)
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_text("You are booked in")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    _details_without_confirming(page)
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_text(re.compile("You are booked in|You already have an appointment")).first).to_be_visible()
    page.go_back()
    page.reload()  # a fresh form this time: the same patient, type and day are recognised
    _details_without_confirming(page)
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_text("You already have an appointment for Initial assessment")).to_be_visible()
    assert Appointment.objects.count() == 1
