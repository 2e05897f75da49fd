"""The booking page at the level of Jane and Cliniko: the patient sees who they book with (photo, bio), the price
and length, the time zone and the cancellation policy; after choosing a day the page lands on its times and the next
Tab reaches the first time; the confirmation offers "add to calendar"; moving asks before it moves."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from bookings.models import Appointment, AppointmentType, Practitioner

from .test_booking import _fill_details, diary  # noqa: F401 (the fixture)


def _first_day_two_days_ahead(page):
    earliest = timezone.localdate() + dt.timedelta(days=2)
    for _month in range(3):
        days = page.locator("table.calendar td.free a")
        for i in range(days.count()):
            href = days.nth(i).get_attribute("href")
            if dt.date.fromisoformat(parse_qs(urlsplit(href).query)["day"][0]) >= earliest:
                return days.nth(i)
        page.get_by_role("link", name=re.compile("Next month")).click()
    raise AssertionError("no free day found")


def test_a_patient_sees_who_and_what_it_costs_books_with_the_keyboard_and_moves_after_confirming(
    page,
    diary,  # noqa: F811
    mailoutbox,
):
    priya = Practitioner.objects.get()
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), (30, 110, 120)).save(buffer, "JPEG")
    priya.photo.save("priya.jpg", ContentFile(buffer.getvalue()), save=False)
    priya.bio = "Knees, hips and getting runners back on the road."
    priya.save()
    AppointmentType.objects.filter(name="Initial assessment").update(price="65.00")

    page.goto("/book/")
    expect(page.get_by_text("Knees, hips and getting runners back on the road.")).to_be_visible()
    expect(page.get_by_label("Initial assessment (60 minutes, £65.00)")).to_be_visible()
    expect(page.get_by_text(re.compile("move or cancel online up to 24 hours before"))).to_be_visible()
    page.get_by_label("Initial assessment (60 minutes, £65.00)").check()
    page.get_by_label("With").select_option(label="Priya Raman")
    page.get_by_role("button", name="Show free times").click()
    expect(page.get_by_text(re.compile(r"Times are London time \(Europe/London, now (GMT|BST)\)"))).to_be_visible()

    day = _first_day_two_days_ahead(page)
    day.focus()
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", name=re.compile("Free times on"))
    expect(heading).to_be_focused()  # the page lands on the times, not the top
    page.keyboard.press("Tab")
    first_time = page.locator("ul.times button").first
    expect(first_time).to_be_focused()  # one Tab from the day to its first time
    page.keyboard.press("Enter")
    _fill_details(page)
    expect(page.get_by_text("You are booked in")).to_be_visible()
    appointment = Appointment.objects.get()

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    assert download.value.suggested_filename == f"appointment-{appointment.reference}.ics"
    with open(download.value.path(), "rb") as ics:
        assert b"BEGIN:VEVENT" in ics.read()

    # Moving: choose a day, a time, then confirm.
    day = _first_day_two_days_ahead(page)
    day.click()
    page.locator("ul.times button").last.click()
    expect(page.get_by_role("heading", name="Move your appointment?")).to_be_visible()
    appointment.refresh_from_db()
    before = appointment.start
    page.get_by_role("button", name="Yes, move it").click()
    expect(page.get_by_text("Your appointment has been moved.")).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.start != before
