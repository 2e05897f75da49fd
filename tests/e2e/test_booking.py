"""A patient books online through /book/, gets the confirmation email with its calendar file, and cancels from the
private link; and the same booking works with JavaScript switched off."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment
from clinic.roles import STAFF_ROLES
from clinic.selectors import get_practice
from tests.factories import AppointmentTypeFactory, PractitionerFactory


@pytest.fixture
def diary(transactional_db):
    for role in STAFF_ROLES:  # transactional tests flush the role groups the migrations made
        Group.objects.get_or_create(name=role.value)
    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.email = "hello@practice.test"
    practice.save()
    initial = AppointmentTypeFactory(name="Initial assessment", duration_minutes=60)
    AppointmentTypeFactory(name="Follow-up", duration_minutes=30)
    return PractitionerFactory(display_name="Priya Raman", types=[initial], hours=True)


def _choose_a_free_time(page) -> None:
    """Type, anyone, then the first day with room at least two days ahead (outside the 24-hour cut-off)."""
    page.get_by_label("Initial assessment").check()
    page.get_by_label("With").select_option(label="Anyone available")
    page.get_by_role("button", name="Show free times").click()
    earliest = timezone.localdate() + dt.timedelta(days=2)
    for _month in range(3):
        days = page.locator("table.calendar td.free a")
        for i in range(days.count()):
            day = dt.date.fromisoformat(parse_qs(urlsplit(days.nth(i).get_attribute("href")).query)["day"][0])
            if day >= earliest:
                days.nth(i).click()
                expect(page.get_by_role("heading", name=re.compile("Free times on"))).to_be_visible()
                page.locator("ul.times button").first.click()
                return
        page.get_by_role("link", name=re.compile("Next month")).click()
    raise AssertionError("no free day found")


def _fill_details(page) -> None:
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.get_by_label("First name").fill("Zoë")
    page.get_by_label("Last name").fill("Ångström")
    page.get_by_label("Email").fill("zoe@mail.test")
    page.get_by_label("Mobile phone").fill("07911 123456")
    page.get_by_label("Date of birth").fill("1988-04-17")
    page.get_by_role("button", name="Confirm booking").click()


def test_a_patient_books_reads_the_confirmation_and_cancels_from_the_link(page, diary, mailoutbox):
    page.goto("/book/")
    _choose_a_free_time(page)
    _fill_details(page)

    expect(page.get_by_text("You are booked in")).to_be_visible()
    appointment = Appointment.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(appointment.reference)
    expect(page.get_by_text("Priya Raman")).to_be_visible()

    (confirmation,) = [m for m in mailoutbox if m.to == ["zoe@mail.test"]]
    assert appointment.reference in confirmation.subject
    (ics,) = [a for a in confirmation.attachments if a[0].endswith(".ics")]
    calendar = icalendar.Calendar.from_ical(ics[1])
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert event.decoded("DTSTART") == appointment.start
    link = re.search(r"https?://\S+/book/manage/\S+/", confirmation.body).group(0)
    assert any(m.to == ["hello@practice.test"] for m in mailoutbox)  # the practice was told

    # The email links to SITE_URL; the test server runs elsewhere, so follow the same path there.
    page.goto("/book/" + link.split("/book/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_contain_text(appointment.reference)
    page.get_by_role("button", name="Cancel this appointment").click()
    expect(page.get_by_role("heading", name="Cancel your appointment?")).to_be_visible()  # a confirmation step
    page.get_by_label("Reason (optional)").fill("Knee feels better")
    page.get_by_role("button", name="Yes, cancel my appointment").click()
    expect(page.get_by_text("Your appointment is cancelled")).to_be_visible()
    expect(page.get_by_text("Cancelled", exact=True)).to_be_visible()

    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "Knee feels better")
    cancellation = [m for m in mailoutbox if m.to == ["zoe@mail.test"]][-1]
    assert "Cancelled" in cancellation.subject
    cancel_calendar = icalendar.Calendar.from_ical(
        next(a for a in cancellation.attachments if a[0].endswith(".ics"))[1]
    )
    assert cancel_calendar["METHOD"] == "CANCEL"
    assert next(iter(cancel_calendar.walk("VEVENT")))["UID"] == event["UID"]


def test_booking_works_without_javascript_and_on_a_phone(browser, live_server, diary, mailoutbox):
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport={"width": 375, "height": 740},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/book/")
        _choose_a_free_time(page)
        _fill_details(page)
        expect(page.get_by_text("You are booked in")).to_be_visible()
        assert Appointment.objects.count() == 1
        expect(page.get_by_role("button", name="Cancel this appointment")).to_be_visible()
    finally:
        context.close()


def test_the_booking_pages_can_be_used_with_the_keyboard(page, diary):
    page.goto("/book/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand
    page.get_by_label("Initial assessment").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Initial assessment")).to_be_checked()
    page.get_by_role("button", name="Show free times").focus()
    page.keyboard.press("Enter")
    first_day = page.locator("table.calendar td.free a").first
    if first_day.count() == 0:
        page.get_by_role("link", name=re.compile("Next month")).focus()
        page.keyboard.press("Enter")
        first_day = page.locator("table.calendar td.free a").first
    first_day.focus()
    page.keyboard.press("Enter")
    page.locator("ul.times button").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
