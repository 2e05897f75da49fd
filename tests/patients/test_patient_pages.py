import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from patients.models import Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Siobhán",
    "last_name": "O'Connor",
    "date_of_birth": "1990-03-02",
    "sex": "female",
    "email": "Siobhan@Mail.test",
    "consent_email": "on",
}


def test_front_desk_creates_a_patient_and_the_creation_is_audited(persona_client, front_desk):
    response = persona_client("front_desk").post(reverse("patients:create"), VALID)
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert patient.email == "siobhan@mail.test"
    assert patient.created_by == front_desk
    event = AuditEvent.objects.get(action="create")
    assert (event.actor_id, event.patient_id) == (front_desk.pk, patient.pk)


def test_a_form_error_keeps_everything_typed(persona_client):
    response = persona_client("front_desk").post(reverse("patients:create"), {**VALID, "date_of_birth": "2099-01-01"})
    assert response.status_code == 200
    assert not Patient.objects.exists()
    body = response.content.decode()
    assert "The date of birth cannot be in the future." in body
    assert 'value="Siobhán"' in body
    assert "Siobhan@Mail.test".lower() in body.lower()


def test_an_invalid_phone_number_is_refused_with_a_message(persona_client):
    response = persona_client("front_desk").post(reverse("patients:create"), {**VALID, "phone": "12"})
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    "change",
    [{"email": "SIOBHAN@mail.test"}, {"email": "", "first_name": "siobhán", "last_name": "o'connor"}],
    ids=["same email", "same name and birth date"],
)
def test_a_likely_duplicate_warns_and_links_to_the_existing_record(persona_client, change):
    existing = PatientFactory(
        first_name="Siobhán", last_name="O'Connor", date_of_birth="1990-03-02", email="siobhan@mail.test"
    )
    client = persona_client("front_desk")
    response = client.post(reverse("patients:create"), {**VALID, **change})
    assert response.status_code == 200
    assert Patient.objects.count() == 1
    assert reverse("patients:detail", args=[existing.pk]) in response.content.decode()

    confirmed = client.post(reverse("patients:create"), {**VALID, **change, "confirm_not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


def test_the_list_searches_names_with_accents_and_paginates(persona_client):
    PatientFactory(first_name="Łukasz", last_name="Wiśniewski")
    PatientFactory.create_batch(30, last_name="Smith")
    client = persona_client("front_desk")
    found = client.get(reverse("patients:list"), {"q": "wiśn"})
    assert [p.last_name for p in found.context["page"]] == ["Wiśniewski"]
    first_page = client.get(reverse("patients:list"))
    assert len(first_page.context["page"]) == 25
    assert first_page.context["page"].paginator.count == 31


def test_search_as_you_type_returns_only_the_rows(persona_client):
    PatientFactory(first_name="Ana", last_name="Kovačević")
    response = persona_client("front_desk").get(
        reverse("patients:list"), {"q": "kova"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="patient-rows"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="patient-rows">')
    assert "Kovačević" in body
    assert "<html" not in body


def test_viewing_a_record_is_audited(persona_client, physio):
    patient = PatientFactory()
    response = persona_client("physio").get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="view", actor_id=physio.pk, patient_id=patient.pk).count() == 1


def test_editing_records_which_fields_changed_but_not_their_values(persona_client):
    patient = PatientFactory(referrer="Dr Who")
    data = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex": patient.sex,
        "email": patient.email,
        "phone": str(patient.phone),
        "referrer": "Dr Hughes",
        "consent_email": "on",
    }
    response = persona_client("front_desk").post(reverse("patients:edit", args=[patient.pk]), data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.referrer == "Dr Hughes"
    event = AuditEvent.objects.get(action="change")
    assert event.detail == {"fields": ["referrer"]}
    assert "Dr Hughes" not in str(event.detail) + event.summary


def test_archiving_hides_the_patient_from_the_list_but_keeps_the_record(persona_client):
    patient = PatientFactory(last_name="Archived")
    client = persona_client("front_desk")
    client.post(reverse("patients:archive", args=[patient.pk]), {"archived": "1"})
    patient.refresh_from_db()
    assert patient.is_archived
    assert not client.get(reverse("patients:list"), {"q": "Archived"}).context["page"].object_list
    assert client.get(reverse("patients:list"), {"q": "Archived", "archived": "1"}).context["page"].object_list


def test_archive_only_accepts_post(persona_client):
    patient = PatientFactory()
    assert persona_client("front_desk").get(reverse("patients:archive", args=[patient.pk])).status_code == 405


def test_an_unknown_patient_is_a_404(persona_client):
    assert persona_client("front_desk").get(reverse("patients:detail", args=[424242])).status_code == 404
