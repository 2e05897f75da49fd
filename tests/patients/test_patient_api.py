import pytest

from clinic.models import AuditEvent
from patients.models import Patient
from tests.factories import DEFAULT_PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/patients/"


def test_staff_search_patients(front_desk_api):
    PatientFactory(first_name="Jürgen", last_name="Müller")
    PatientFactory(first_name="Grace", last_name="Wright")
    response = front_desk_api.get(URL, {"search": "müll"})
    assert response.status_code == 200
    assert [p["last_name"] for p in response.json()["results"]] == ["Müller"]


def test_anonymous_callers_are_told_to_authenticate(api):
    response = api.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_staff_member_without_a_role_is_refused(api, outsider):
    api.force_authenticate(outsider)
    response = api.get(URL)
    assert response.status_code == 403
    assert set(response.json()) == {"code", "detail"}


def test_creating_a_patient_returns_it_and_audits_it(front_desk_api, front_desk):
    response = front_desk_api.post(
        URL,
        {
            "first_name": "José",
            "last_name": "García",
            "date_of_birth": "1985-07-09",
            "email": "JOSE@mail.test",
            "phone": "+44 7911 123456",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "jose@mail.test"
    assert body["phone"] == "+447911123456"
    assert AuditEvent.objects.filter(action="create", patient_id=body["id"], actor_id=front_desk.pk).exists()


def test_invalid_input_gets_field_errors_and_creates_nothing(front_desk_api):
    response = front_desk_api.post(
        URL, {"first_name": "", "date_of_birth": "3000-01-01", "email": "not-an-email", "phone": "12"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"first_name", "last_name", "date_of_birth", "email", "phone"} <= set(body["errors"])
    assert not Patient.objects.exists()


def test_malformed_json_is_a_400_not_a_500(front_desk_api):
    response = front_desk_api.generic("POST", URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_reading_a_patient_is_audited(physio_api, physio):
    patient = PatientFactory()
    assert physio_api.get(f"{URL}{patient.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="view", patient_id=patient.pk, actor_id=physio.pk).exists()


def test_an_unknown_patient_is_a_404_in_the_error_shape(front_desk_api):
    response = front_desk_api.get(f"{URL}999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_patch_changes_one_field_and_archive_hides_from_search(front_desk_api):
    patient = PatientFactory(last_name="Ricci")
    response = front_desk_api.patch(f"{URL}{patient.pk}/", {"referrer": "Parkrun club"}, format="json")
    assert response.status_code == 200
    assert response.json()["referrer"] == "Parkrun club"
    assert front_desk_api.post(f"{URL}{patient.pk}/archive/", {}, format="json").json()["is_archived"] is True
    assert front_desk_api.get(URL, {"search": "Ricci"}).json()["count"] == 0
    assert front_desk_api.get(URL, {"search": "Ricci", "archived": "true"}).json()["count"] == 1


def test_a_token_from_email_and_password_authenticates_api_calls(api, front_desk):
    response = api.post("/api/v1/auth/token/", {"username": front_desk.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(URL).status_code == 200


def test_a_wrong_password_gets_no_token_and_is_audited(api, front_desk):
    response = api.post("/api/v1/auth/token/", {"username": front_desk.email, "password": "wrong"})
    assert response.status_code == 400
    assert "token" not in response.json()
    assert AuditEvent.objects.filter(action="login_failed", summary=front_desk.email).exists()
