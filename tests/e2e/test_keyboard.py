"""The front desk's main jobs by keyboard alone, counting Tab presses: reach the day's first appointment, find a free
time and book a caller into it, move an appointment, check a patient in; and the calendar's shortcuts."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from bookings import availability
from bookings.models import Appointment, WorkingHours
from clinic.roles import STAFF_ROLES
from clinic.selectors import get_practice
from tests.e2e.a11y import check_a11y
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory, PractitionerFactory

LONDON = ZoneInfo("Europe/London")
FIRST_APPOINTMENT_TABS = 10


@pytest.fixture
def day(transactional_db):
    for role in STAFF_ROLES:  # transactional tests flush the role groups the migrations made
        Group.objects.get_or_create(name=role.value)
    practice = get_practice()
    practice.time_zone = "Europe/London"
    practice.min_notice_minutes = 0
    practice.save()
    follow_up = AppointmentTypeFactory(name="Follow-up", duration_minutes=30, colour="#2a7ab0")
    phil = PractitionerFactory(display_name="Phil Physio", types=[follow_up], order=1)
    paula = PractitionerFactory(display_name="Paula Physio", types=[follow_up], order=2)
    for practitioner in (phil, paula):
        WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=practitioner, weekday=d, start_time=dt.time(8), end_time=dt.time(18))
            for d in range(7)
        )
    # Tomorrow: every time is in the future whenever the test runs, so nothing asks "book outside the rules?".
    tomorrow = timezone.now().astimezone(LONDON).date() + dt.timedelta(days=1)
    first = AppointmentFactory(
        practitioner=phil,
        appointment_type=follow_up,
        start=availability.wall_to_utc(tomorrow, dt.time(9), LONDON),
        patient__first_name="Max",
        patient__last_name="Early",
    )
    AppointmentFactory(
        practitioner=paula,
        appointment_type=follow_up,
        start=availability.wall_to_utc(tomorrow, dt.time(11), LONDON),
        patient__first_name="Lara",
        patient__last_name="Later",
    )
    PatientFactory(first_name="Rita", last_name="Runner", email="rita@mail.test")
    return {"tomorrow": tomorrow, "first": first, "phil": phil, "paula": paula}


def _focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def _focused_name(page) -> str:
    return page.evaluate("() => (document.activeElement.innerText || document.activeElement.value || '').trim()")


def _tab_to(page, selector: str, limit: int) -> int:
    """Press Tab until the focus is on `selector`; how many presses it took (fails past `limit`)."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if _focused(page, selector):
            return presses
    raise AssertionError(f"{selector} not reached in {limit} Tab presses (at {_focused_name(page)!r})")


def _to_first_appointment(page) -> int:
    """From the top of the calendar page: Tab to "Skip to the calendar", Enter. Returns the Tab presses."""
    presses = _tab_to(page, "[data-skip-calendar]", FIRST_APPOINTMENT_TABS)
    page.keyboard.press("Enter")
    return presses


def test_the_front_desk_runs_the_day_by_keyboard_alone(day, page, login, front_desk):
    tomorrow, first, phil, paula = day["tomorrow"], day["first"], day["phil"], day["paula"]
    login(front_desk)
    page.goto(f"/calendar/?date={tomorrow.isoformat()}")
    expect(page.get_by_text("Keys:")).to_contain_text("t today")

    # 1. The first appointment of the day is within 10 Tab presses of the top of the page.
    presses = _to_first_appointment(page)
    assert presses <= FIRST_APPOINTMENT_TABS
    assert _focused(page, f"#appt-{first.pk}")
    assert "Max Early" in _focused_name(page)
    check_a11y(page)

    # The grid is one Tab stop per column: Tab leaves Phil's column for Paula's, whatever is in between.
    page.keyboard.press("Tab")
    assert _focused(page, f'.cal-col[data-practitioner="{paula.pk}"] a')
    page.keyboard.press("Shift+Tab")
    assert _focused(page, f"#appt-{first.pk}")

    # 2. Find a free time: down Phil's column from 09:00 to the free 10:00, whose name says it is free.
    for _ in range(8):
        page.keyboard.press("ArrowDown")
        if _focused(page, f'a.cal-slot[data-start="{tomorrow.isoformat()}T10:00"]'):
            break
    else:
        raise AssertionError("10:00 was not reached with the arrow keys")
    assert page.evaluate("() => document.activeElement.textContent") == "10:00, free: book with Phil Physio"

    # 3. Book a caller: Enter opens the booking panel on the search box; pick Rita, the type, book.
    page.keyboard.press("Enter")
    expect(page.locator("#patient-q")).to_be_focused()
    page.keyboard.type("runn")
    expect(page.locator("#patient-q-status")).to_have_text("1 patient found")
    _tab_to(page, 'input[name="patient"]', 2)
    page.keyboard.press("Space")
    _tab_to(page, "#id_appointment_type", 6)
    page.keyboard.type("Follow")
    _tab_to(page, "#book-panel button[type=submit]", 12)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Booked Rita Runner with Phil Physio at 10:00.")).to_be_visible()
    booked = Appointment.objects.get(patient__last_name="Runner")
    assert (booked.practitioner, booked.start.astimezone(LONDON).time()) == (phil, dt.time(10))

    # 4. Move it to Paula at the same time: from the day's first appointment, down to Rita's, open, Move.
    _to_first_appointment(page)
    for _ in range(8):
        page.keyboard.press("ArrowDown")
        if _focused(page, f"#appt-{booked.pk}"):
            break
    page.keyboard.press("Enter")
    expect(page.locator("#appointment-panel h2")).to_be_focused()
    _tab_to(page, "#appointment-panel details:has(form[action$='/move/']) summary", 8)
    page.keyboard.press("Enter")
    _tab_to(page, "#appointment-panel form[action$='/move/'] select", 10)
    page.keyboard.type("Paula")
    _tab_to(page, "#appointment-panel form[action$='/move/'] button[type=submit]", 3)
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile("Moved Rita Runner"))).to_be_visible()
    booked.refresh_from_db()
    assert (booked.practitioner, booked.start.astimezone(LONDON).time()) == (paula, dt.time(10))

    # 5. Check Max in: the first appointment again, open, Check in.
    _to_first_appointment(page)
    assert _focused(page, f"#appt-{first.pk}")
    page.keyboard.press("Enter")
    expect(page.locator("#appointment-panel h2")).to_have_text("Max Early")
    expect(page.locator("#appointment-panel h2")).to_be_focused()
    _tab_to(page, "#appointment-panel button[value=check_in]", 8)  # past the phone, email and "Book again" links
    page.keyboard.press("Enter")
    expect(page.get_by_text("Max Early is checked in.")).to_be_visible()
    first.refresh_from_db()
    assert first.status == "checked_in"


def test_the_calendar_shortcuts_change_the_day_and_open_the_booking_form(day, page, login, front_desk):
    tomorrow = day["tomorrow"]
    login(front_desk)
    page.goto(f"/calendar/?date={tomorrow.isoformat()}")
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(rf"date={tomorrow + dt.timedelta(days=1):%Y-%m-%d}"))
    page.keyboard.press("p")
    expect(page).to_have_url(re.compile(rf"date={tomorrow:%Y-%m-%d}"))
    page.keyboard.press("p")
    expect(page).to_have_url(re.compile(rf"date={tomorrow - dt.timedelta(days=1):%Y-%m-%d}"))
    page.keyboard.press("t")
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(timezone.now().astimezone(LONDON).day))

    # Typing a date does not reload the page on the way (12/01/2 is a valid date too); Enter does.
    page.get_by_label("Date", exact=True).focus()
    url = page.url
    page.keyboard.type("12012026")
    assert page.url == url
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"date=2026-(01-12|12-01)"))  # day/month order is the browser's

    # Space on a practitioner's box ticks it without reloading; "Show" applies it.
    box = page.get_by_role("checkbox", name="Paula Physio")
    box.focus()
    url = page.url
    page.keyboard.press("Space")
    expect(box).not_to_be_checked()
    assert page.url == url

    # b opens the full booking form (not while typing in a field).
    page.locator("h1").click()
    page.keyboard.press("b")
    expect(page.get_by_role("heading", name="Book an appointment")).to_be_visible()
