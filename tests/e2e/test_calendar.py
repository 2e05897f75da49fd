"""The front desk's day: book from the calendar, move by drag and drop, check in, mark a no-show, and a cancellation
offered to a waiting-list patient who claims it from the email link."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from bookings import availability
from bookings.front_desk_models import WaitlistEntry
from bookings.models import Appointment, WorkingHours
from clinic.models import Notification
from clinic.roles import STAFF_ROLES
from clinic.selectors import get_practice
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory, PractitionerFactory

LONDON = ZoneInfo("Europe/London")


def _floor15(instant: dt.datetime) -> dt.datetime:
    return instant.replace(minute=instant.minute - instant.minute % 15, second=0, microsecond=0)


def _slot(page, practitioner, local: dt.datetime):
    return page.locator(f'a.cal-slot[data-practitioner="{practitioner.pk}"][data-start="{local:%Y-%m-%dT%H:%M}"]')


@pytest.fixture
def roles(transactional_db):
    for role in STAFF_ROLES:  # transactional tests flush the role groups the migrations made
        Group.objects.get_or_create(name=role.value)


def test_front_desk_runs_the_day_from_the_calendar(roles, page, login, front_desk, mailoutbox):
    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.min_notice_minutes = 0
    practice.save()
    follow_up = AppointmentTypeFactory(name="Follow-up", duration_minutes=30, colour="#2a7ab0")
    phil = PractitionerFactory(display_name="Phil Physio", types=[follow_up])
    paula = PractitionerFactory(display_name="Paula Physio", types=[follow_up])
    for practitioner in (phil, paula):  # all day, every day: the journey works whatever time the test runs
        WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=practitioner, weekday=d, start_time=dt.time(0), end_time=dt.time(23, 59))
            for d in range(7)
        )
    rita = PatientFactory(first_name="Rita", last_name="Runner", email="rita@mail.test", consent_email=True)
    wendy = PatientFactory(first_name="Wendy", last_name="Waiting", email="wendy@mail.test", consent_email=True)

    now = timezone.now().astimezone(LONDON)
    today = now.date()
    midnight = availability.local_midnight(today, LONDON)
    missed = AppointmentFactory(
        practitioner=paula,
        appointment_type=follow_up,
        start=max(midnight, _floor15(now) - dt.timedelta(minutes=15)),
        patient__first_name="Max",
        patient__last_name="Missed",
    )
    tomorrow = today + dt.timedelta(days=1)
    to_cancel = AppointmentFactory(
        practitioner=phil,
        appointment_type=follow_up,
        start=availability.wall_to_utc(tomorrow, dt.time(11), LONDON),
        patient__first_name="Carl",
        patient__last_name="Cancel",
        patient__email="carl@mail.test",
    )

    page.on("dialog", lambda dialog: dialog.accept())  # "move it anyway?" when the journey runs late in the evening
    login(front_desk)
    page.get_by_role("link", name="Calendar").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(today.day))

    # 1. Book Rita by clicking a free time in Phil's column.
    start = _floor15(now) + dt.timedelta(minutes=30)
    if start.date() != today:  # late in the evening: an earlier time today (needs the explicit confirmation)
        start = _floor15(now) - dt.timedelta(minutes=60)
    _slot(page, phil, start).click()
    page.get_by_label("Search patients").fill("runn")
    page.get_by_label(re.compile("Runner, Rita")).check()
    page.get_by_label("Appointment type", exact=True).select_option(label="Follow-up")
    page.get_by_role("button", name="Book", exact=True).click()
    confirm = page.get_by_label("Yes, book outside the online rules")
    done = page.get_by_text("Booked Rita Runner with Phil Physio")
    expect(done.or_(confirm)).to_be_visible()
    if confirm.is_visible():  # in the past, or (late in the evening) running past the end of the working day
        confirm.check()
        page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text("Booked Rita Runner with Phil Physio")).to_be_visible()
    booked = Appointment.objects.get(patient=rita)
    assert booked.start == start and booked.practitioner == phil

    # 2. Move it by dragging it to Paula's column, 30 minutes later.
    later = start + dt.timedelta(minutes=30)
    if start > now and (later + dt.timedelta(minutes=30)).date() == today:
        new_start = later
    else:  # already past, or the day ends first: an earlier time, clear of Max's appointment in Paula's column
        new_start = start - dt.timedelta(minutes=30 if start < now else 90)
    page.drag_and_drop(
        f"#appt-{booked.pk}", f'a.cal-slot[data-practitioner="{paula.pk}"][data-start="{new_start:%Y-%m-%dT%H:%M}"]'
    )
    expect(page.get_by_text("Moved Rita Runner")).to_be_visible()
    booked.refresh_from_db()
    assert (booked.practitioner, booked.start) == (paula, new_start)

    # 3. Check Rita in.
    page.locator(f"#appt-{booked.pk}").click()
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Rita Runner is checked in.")).to_be_visible()
    booked.refresh_from_db()
    assert booked.status == "checked_in"
    assert booked.changes.filter(kind="status", actor=front_desk).exists()

    # 4. Max did not come.
    page.locator(f"#appt-{missed.pk}").click()
    page.get_by_role("button", name="No-show").click()
    expect(page.get_by_text("Max Missed is marked as a no-show.")).to_be_visible()
    missed.refresh_from_db()
    assert missed.status == "no_show"

    # 5. Wendy joins the waiting list for a follow-up with anyone.
    page.get_by_role("link", name="Waiting list").first.click()
    page.get_by_label("Search patients").fill("wend")
    page.get_by_label(re.compile("Waiting, Wendy")).check()
    page.get_by_label("Appointment type", exact=True).select_option(label="Follow-up")
    page.get_by_role("button", name="Add to the waiting list").click()
    expect(page.get_by_text("Added to the waiting list.")).to_be_visible()

    # 6. Carl cancels tomorrow's appointment: Wendy is offered the time and claims it from her email.
    page.goto(f"/calendar/?date={tomorrow.isoformat()}")
    page.locator(f"#appt-{to_cancel.pk}").click()
    page.get_by_text("Cancel", exact=True).click()
    page.get_by_label("Reason").fill("Carl has a cold")
    page.get_by_role("button", name="Cancel appointment").click()
    expect(page.get_by_text("Cancelled Carl Cancel")).to_be_visible()
    offer = next(m for m in mailoutbox if m.to == ["wendy@mail.test"])
    record = Notification.objects.get(kind="waitlist_offer", recipient="wendy@mail.test")
    assert (record.status, offer.extra_headers["X-Medius-Notification"]) == ("sent", str(record.pk))
    link = re.search(r"https?://\S+/book/waiting-list/\S+/", offer.body).group(0)

    page.goto(urlsplit(link).path)
    page.get_by_role("button", name="Book this appointment").click()
    expect(page.get_by_role("heading", name="It is yours")).to_be_visible()
    claimed = Appointment.objects.get(patient=wendy)
    assert (claimed.start, claimed.practitioner, claimed.status) == (to_cancel.start, phil, "booked")
    assert WaitlistEntry.objects.get(patient=wendy).status == "booked"
