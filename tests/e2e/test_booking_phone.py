"""On a phone, a long email address wraps instead of widening the page past the screen."""

from __future__ import annotations

from playwright.sync_api import expect

from bookings.models import Appointment

from .test_booking import _choose_a_free_time, diary  # noqa: F401 (the fixture)

LONG_EMAIL = "christopher.alexander.montgomeryworthington@physiotherapypatients.example.test"


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_long_email_address_does_not_widen_the_phone_page(browser, live_server, diary, mailoutbox):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740}, locale="en-GB")
    page = context.new_page()
    try:
        page.goto("/book/")
        _choose_a_free_time(page)
        page.get_by_label("First name").fill("Christopher")
        page.get_by_label("Last name").fill("Montgomery-Worthington")
        page.get_by_label("Email").fill(LONG_EMAIL)
        page.get_by_label("Mobile phone").fill("07911 123456")
        page.get_by_label("Date of birth").fill("1988-04-17")
        assert _page_width(page) <= 375
        page.get_by_role("button", name="Confirm booking").click()
        expect(page.get_by_text("You are booked in")).to_be_visible()
        assert Appointment.objects.count() == 1
        assert _page_width(page) <= 375
    finally:
        context.close()


def test_staff_pages_with_a_long_email_address_fit_a_phone(browser, live_server, diary, front_desk):  # noqa: F811
    from tests.factories import AppointmentFactory, PatientFactory

    patient = PatientFactory(first_name="Christopher", last_name="Montgomery-Worthington", email=LONG_EMAIL)
    appointment = AppointmentFactory(patient=patient, practitioner=diary)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740}, locale="en-GB")
    page = context.new_page()
    try:
        from tests.factories import DEFAULT_PASSWORD

        page.goto("/accounts/login/")
        page.get_by_label("Email address", exact=True).fill(front_desk.email)
        page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        widths = {}
        for url in (f"/patients/{patient.pk}/", "/patients/?q=Montgomery", f"/calendar/appointments/{appointment.pk}/"):
            page.goto(url)
            page.wait_for_load_state("networkidle")
            widths[url] = _page_width(page)
        assert all(width <= 375 for width in widths.values()), widths
    finally:
        context.close()
