"""Front desk adds a patient, finds them by search and opens the record."""

from playwright.sync_api import expect

from clinic.models import AuditEvent
from patients.models import Patient


def test_front_desk_adds_a_patient_finds_them_and_opens_the_record(page, login, front_desk):
    login(front_desk)
    page.get_by_role("link", name="Patients").first.click()
    page.get_by_role("link", name="Add patient").click()

    page.get_by_label("First name").fill("Zoë")
    page.get_by_label("Last name").fill("Ångström")
    page.get_by_label("Date of birth").fill("1988-04-17")
    page.get_by_label("Email", exact=True).fill("zoe.angstrom@mail.test")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Zoë Ångström")
    patient = Patient.objects.get(last_name="Ångström")

    page.get_by_role("link", name="Patients").first.click()
    page.get_by_label("Search by name").fill("ångs")
    row_link = page.locator("#patient-rows").get_by_role("link", name="Ångström, Zoë")
    expect(row_link).to_be_visible()
    row_link.click()

    expect(page).to_have_url(f"{page.url.split('/patients/')[0]}/patients/{patient.pk}/")
    expect(page.get_by_text("zoe.angstrom@mail.test")).to_be_visible()
    assert AuditEvent.objects.filter(action="view", patient_id=patient.pk, actor_id=front_desk.pk).exists()
    assert AuditEvent.objects.filter(action="create", patient_id=patient.pk).exists()
