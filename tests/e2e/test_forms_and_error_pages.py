"""After a failed submit the error summary has the focus and the title says "Error:" (patient edit, booking step 3);
patient-search results are announced; the 403 and 404 pages have the site's navigation (and pass the axe checks every
browser test runs)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_booking import _choose_a_free_time, diary  # noqa: F401 (a fixture)
from tests.factories import PatientFactory


def test_a_failed_patient_edit_focuses_the_error_summary_and_says_error_in_the_title(page, login, front_desk):
    patient = PatientFactory(first_name="Rita", last_name="Runner")
    login(front_desk)
    page.goto(f"/patients/{patient.pk}/edit/")
    expect(page.get_by_label("Date of birth")).to_have_attribute("autocomplete", "bday")
    page.get_by_label("Date of birth").fill("2099-01-01")
    page.get_by_role("button", name="Save").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary.get_by_role("link", name=re.compile("Date of birth: The date of birth cannot be in the future")).click()
    expect(page.get_by_label("Date of birth")).to_be_focused()


def test_patient_search_results_are_announced(page, login, front_desk):
    PatientFactory(first_name="Rita", last_name="Runner")
    PatientFactory(first_name="Rob", last_name="Runner")
    login(front_desk)
    page.goto("/patients/")
    page.get_by_label("Search by name").fill("runner")
    expect(page.locator("#patient-search-status")).to_have_text("2 patients found")
    expect(page.locator("#patient-search-status")).to_have_attribute("role", "status")


def test_booking_step_3_shows_a_focused_error_summary(page, diary):  # noqa: F811
    page.goto("/book/")
    _choose_a_free_time(page)
    expect(page.get_by_label("Date of birth")).to_have_attribute("autocomplete", "bday")
    page.get_by_label("First name").fill("Zoë")
    page.get_by_role("button", name="Confirm booking").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("^Email:"))).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("First name")).to_have_value("Zoë")  # nothing typed is lost


def test_the_403_and_404_pages_have_navigation(page, login, front_desk):
    patient = PatientFactory()
    login(front_desk)
    response = page.goto(f"/assessments/patient/{patient.pk}/progress/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("open this page"))
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.get_by_role("link", name="Find a patient").click()
    expect(page).to_have_url(re.compile("/patients/$"))

    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.get_by_role("link", name="Go to your start page").click()
    expect(page).to_have_url(re.compile(r"/$"))
