"""The contract's rules, one by one: the input policy (clinic.validation), JSON errors under /api/ (clinic.middleware),
strict query parameters and pages (clinic.api), and a schema that says what the API does (clinic.schema)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from patients.models import Patient
from tests.factories import AppointmentTypeFactory, PatientFactory, PractitionerFactory

from .api_contract import openapi_document

pytestmark = pytest.mark.django_db


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert {"code", "detail"} <= set(body)
    return body


# --- one input policy -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/patients/?search=%00", "/api/v1/exercises/?search=a%00b"])
def test_a_nul_in_an_api_search_is_a_400_naming_the_parameter(admin_api, url):
    body = _error(admin_api.get(url), 400)
    assert list(body["errors"]) == ["search"]
    assert "\x00" not in json.dumps(body)


def test_a_nul_in_a_page_search_is_a_400_that_does_not_repeat_it(persona_client):
    response = persona_client("front_desk").get("/patients/", {"q": "smith\x00"})
    assert response.status_code == 400
    assert b"q" in response.content and b"\x00" not in response.content


def test_a_nul_in_an_html_form_field_is_refused_and_nothing_is_saved(persona_client):
    response = persona_client("front_desk").post("/patients/new/", {"first_name": "Ann\x00", "last_name": "Lee"})
    assert response.status_code == 400
    assert b"first_name" in response.content
    assert not Patient.objects.exists()


def test_a_lone_surrogate_in_a_choice_field_is_a_400_the_json_renderer_can_write(front_desk_api):
    response = front_desk_api.post(
        "/api/v1/patients/", '{"first_name": "A", "sex": "\\ud800"}', content_type="application/json"
    )
    body = _error(response, 400)
    assert list(body["errors"]) == ["sex"]


def test_nul_inside_nested_lists_names_the_item(physio_api):
    response = physio_api.post("/api/v1/exercises/", {"key": "k", "targets": ["\x00"]}, format="json")
    assert list(_error(response, 400)["errors"]) == ["targets.0"]


@pytest.mark.parametrize("value", ["99999999999999999999", "²", "-1", "0", "1.0", " 1"])
@pytest.mark.parametrize("url", ["/api/v1/assessments/", "/api/v1/programs/"])
def test_id_filters_are_parsed_strictly_and_range_checked(admin_api, url, value):
    body = _error(admin_api.get(url, {"patient": value}), 400)
    assert list(body["errors"]) == ["patient"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/programs/", {"status": "nonsense"}),
        ("/api/v1/patients/", {"archived": "maybe"}),
        ("/api/v1/exercises/", {"category": "nonsense"}),
        ("/api/v1/appointments/", {"date_to": ""}),
    ],
)
def test_invalid_filter_values_are_refused_not_ignored(admin_api, url, params):
    body = _error(admin_api.get(url, params), 400)
    assert list(body["errors"]) == list(params)


def test_json_bodies_keep_their_types(front_desk_api):
    response = front_desk_api.post(
        "/api/v1/patients/",
        {"first_name": 0, "last_name": "Lee", "date_of_birth": "1990-01-01", "consent_sms": "yes"},
        format="json",
    )
    assert set(_error(response, 400)["errors"]) == {"first_name", "consent_sms"}


# --- dates stay between 1900 and 2100 -------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_public_availability_refuses_extreme_dates_anonymously(api, day):
    kind = AppointmentTypeFactory()
    PractitionerFactory(types=[kind], hours=True)
    response = api.get("/api/v1/public/availability/", {"appointment_type": kind.pk, "start": day, "end": day})
    assert set(_error(response, 400)["errors"]) == {"start", "end"}


def test_appointment_filters_refuse_extreme_dates(front_desk_api):
    body = _error(front_desk_api.get("/api/v1/appointments/", {"date_to": "9999-12-31"}), 400)
    assert list(body["errors"]) == ["date_to"]


def test_booking_at_the_end_of_time_is_a_400(front_desk_api):
    kind = AppointmentTypeFactory()
    practitioner = PractitionerFactory(types=[kind], hours=True)
    response = front_desk_api.post(
        "/api/v1/appointments/",
        {
            "patient": PatientFactory().pk,
            "practitioner": practitioner.pk,
            "appointment_type": kind.pk,
            "start": "9999-12-31T23:59:59Z",
            "override_rules": True,
        },
        format="json",
    )
    assert list(_error(response, 400)["errors"]) == ["start"]


# --- pages ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["0", "-1", "abc", "²"])
def test_a_page_that_is_not_a_page_number_is_a_400(front_desk_api, page):
    assert list(_error(front_desk_api.get("/api/v1/patients/", {"page": page}), 400)["errors"]) == ["page"]


def test_a_page_past_the_end_is_a_json_404(front_desk_api):
    PatientFactory()
    assert front_desk_api.get("/api/v1/patients/", {"page": 1}).status_code == 200
    assert _error(front_desk_api.get("/api/v1/patients/", {"page": 2}), 404)["code"] == "not_found"


# --- every error under /api/ is JSON -------------------------------------------------------------------------------


def test_an_unknown_api_path_is_a_json_404(front_desk_api):
    assert _error(front_desk_api.get("/api/v1/nothing-here/"), 404)["code"] == "not_found"


def test_a_post_without_the_trailing_slash_is_a_json_404_not_a_redirect(front_desk_api):
    assert _error(front_desk_api.post("/api/v1/patients", {}, format="json"), 404)["code"] == "not_found"


def test_pages_outside_the_api_still_get_their_slash_redirect(persona_client):
    assert persona_client("front_desk").get("/patients").status_code == 301


def test_a_method_the_url_does_not_take_is_a_json_405(front_desk_api):
    assert _error(front_desk_api.delete("/api/v1/patients/"), 405)["code"] == "method_not_allowed"


@pytest.mark.parametrize("debug", [False, True])
def test_a_bug_under_the_api_is_a_json_500_in_production_and_debug(settings, monkeypatch, front_desk, debug):
    settings.DEBUG = debug

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("patients.selectors.search_patients", broken)
    client = Client(raise_request_exception=False)
    client.force_login(front_desk)
    body = _error(client.get("/api/v1/patients/"), 500)
    assert body["code"] == "server_error"
    assert "a bug" not in json.dumps(body)


# --- the schema says what the API does ------------------------------------------------------------------------------

SCHEMA = openapi_document()


def _operations():
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, operation


def test_every_operation_documents_its_errors_in_the_one_error_shape():
    for method, path, operation in _operations():
        responses = operation["responses"]
        assert "400" in responses, (method, path)
        public = {} in operation.get("security", [{}]) and len(operation.get("security", [])) <= 1
        if not public:
            assert {"401", "403"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
    error = SCHEMA["paths"]["/api/v1/patients/"]["get"]["responses"]["403"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}


def test_fields_that_can_be_null_are_marked_nullable():
    schemas = SCHEMA["components"]["schemas"]
    assert schemas["Program"]["properties"]["previous"]["nullable"] is True
    assert schemas["Assessment"]["properties"]["signed_by"]["nullable"] is True


def test_list_constraints_are_declared():
    assert SCHEMA["components"]["schemas"]["ExerciseRequest"]["properties"]["steps"]["minItems"] == 1


def test_bodies_that_nest_objects_are_json_only():
    for method, path, operation in _operations():
        content = operation.get("requestBody", {}).get("content", {})
        if path.endswith("/pictures/") or path == "/api/v1/auth/token/":
            continue  # flat bodies that also come as forms: a file and a caption; an email and a password
        assert list(content) in ([], ["application/json"]), (method, path, list(content))


def test_page_numbers_start_at_one_in_the_schema():
    parameters = SCHEMA["paths"]["/api/v1/patients/"]["get"]["parameters"]
    page = next(p for p in parameters if p["name"] == "page")
    assert page["schema"]["minimum"] == 1
