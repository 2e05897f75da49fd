"""/api/v1/assessments/: create, read, update drafts, sign, amend; derived values read-only; errors 400/403/409."""

from decimal import Decimal as D

import pytest

from assessments.models import Assessment
from clinic.models import AuditEvent
from tests.factories import AssessmentFactory, PatientFactory, WeakHipAssessmentFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/assessments/"


def test_front_desk_and_anonymous_are_refused(front_desk_api, api):
    assessment = AssessmentFactory()
    assert front_desk_api.get(URL).status_code == 403
    assert front_desk_api.get(f"{URL}{assessment.pk}/").status_code == 403
    assert front_desk_api.post(f"{URL}{assessment.pk}/sign/").status_code == 403
    assert api.get(URL).status_code in (401, 403)


def test_a_physio_creates_a_full_assessment_and_reads_the_derived_values(physio_api):
    patient = PatientFactory(sex="female", date_of_birth="1996-03-01")
    body = {
        "patient": patient.pk,
        "involved_side": "left",
        "assessed_on": "2026-11-20",
        "body_mass_kg": "70.0",
        "nprs_now": 4,
        "sides": {
            "left": {"hhd_trial_1_n": "150.0", "hhd_trial_2_n": "145.0", "hhd_lever_arm_m": "0.800"},
            "right": {"hhd_trial_1_n": "200.0", "hhd_lever_arm_m": "0.800"},
        },
        "questionnaires": {"lefs": {str(n): 3 for n in range(1, 21)}},
    }
    response = physio_api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    derived = data["derived"]
    # Left 150 N x 0.8 m = 120 Nm -> 120 / 70 = 1.71 Nm/kg; %BW 150 / (70 x 9.81) x 100 = 21.8
    assert derived["sides"]["left"]["best_force_n"] == "150.0"
    assert derived["sides"]["left"]["torque_nm"] == "120.0"
    assert derived["sides"]["left"]["nm_per_kg"] == "1.71"
    assert derived["sides"]["left"]["percent_body_weight"] == "21.8"
    # Age 30 on 2026-11-20, female: expected 1.600 - 0.150 = 1.45; 1.714 / 1.45 = 118 %
    assert derived["age"] == 30
    assert derived["sides"]["left"]["expected_nm_per_kg"] == "1.45"
    assert derived["sides"]["left"]["percent_of_expected"] == "118"
    # LSI 120 / 160 = 75.0 %, flagged under 90 %
    assert derived["lsi_percent"] == "75.0" and derived["lsi_flag"] is True
    assert data["questionnaires"] == [
        {
            "measure": "lefs",
            "answers": {str(n): 3 for n in range(1, 21)},
            "total": "60.0",
            "real_change_threshold": "9.0",
        }
    ]
    assert data["status"] == "draft"


def test_derived_values_cannot_be_written(physio_api):
    assessment = AssessmentFactory()
    response = physio_api.patch(f"{URL}{assessment.pk}/", {"derived": {"lsi_percent": "100"}, "status": "signed"},
                                format="json")  # fmt: skip
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_bad_values_get_field_errors_in_the_shape_of_the_body(physio_api):
    assessment = AssessmentFactory()
    response = physio_api.patch(
        f"{URL}{assessment.pk}/",
        {"body_mass_kg": "300", "sides": {"right": {"hhd_lever_arm_m": "0.1"}}, "questionnaires": {"akps": {"1": 9}}},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "body_mass_kg" in errors
    assert "hhd_lever_arm_m" in errors["sides"]["right"]


def test_a_questionnaire_answer_outside_its_scale_is_a_400_naming_the_item(physio_api):
    assessment = AssessmentFactory()
    response = physio_api.patch(f"{URL}{assessment.pk}/", {"questionnaires": {"akps": {"1": 9}}}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["questionnaires"]["akps"]["1"] == ["Answers to this item are 0, 3 or 5."]


def test_sign_then_edit_is_a_409_and_amend_opens_a_new_version(physio_api):
    assessment = AssessmentFactory(nprs_now=4)
    assert physio_api.post(f"{URL}{assessment.pk}/sign/").json()["status"] == "signed"
    conflict = physio_api.patch(f"{URL}{assessment.pk}/", {"nprs_now": 1}, format="json")
    assert conflict.status_code == 409 and conflict.json()["code"] == "signed"
    assert physio_api.post(f"{URL}{assessment.pk}/sign/").status_code == 409
    assert physio_api.post(f"{URL}{assessment.pk}/amend/", {"reason": ""}, format="json").status_code == 400
    amended = physio_api.post(f"{URL}{assessment.pk}/amend/", {"reason": "NPRS misheard"}, format="json")
    assert amended.json()["status"] == "amending"
    assert physio_api.patch(f"{URL}{assessment.pk}/", {"nprs_now": 1}, format="json").status_code == 200
    signed = physio_api.post(f"{URL}{assessment.pk}/sign/").json()
    assert (signed["status"], signed["version"], signed["nprs_now"]) == ("signed", 2, 1)
    versions = physio_api.get(f"{URL}{assessment.pk}/versions/").json()
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["snapshot"]["assessment"]["nprs_now"] == 4
    assert versions[1]["reason"] == "NPRS misheard"


def test_signing_an_incomplete_assessment_lists_what_is_missing(physio_api):
    assessment = AssessmentFactory(right__hhd_status="not_tested")
    response = physio_api.post(f"{URL}{assessment.pk}/sign/")
    assert response.status_code == 400
    assert "needs both sides" in response.json()["errors"]["sides"]["right"]["hhd_status"][0]
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"


def test_the_list_filters_by_patient_and_is_audited(physio_api, physio):
    mine = AssessmentFactory()
    AssessmentFactory()
    data = physio_api.get(URL, {"patient": mine.patient_id}).json()
    assert [a["id"] for a in data["results"]] == [mine.pk]
    assert AuditEvent.objects.filter(action="view", actor_id=physio.pk, patient_id=mine.patient_id).exists()
    assert physio_api.get(URL, {"patient": "abc"}).status_code == 400


def test_suggestions_are_in_the_api_too(physio_api):
    assessment = WeakHipAssessmentFactory(signed=True)
    suggestions = physio_api.get(f"{URL}{assessment.pk}/").json()["suggestions"]
    assert suggestions[0] == {"exercise_key": "clamshell", "reason": suggestions[0]["reason"], "priority": 1,
                              "patient_note": suggestions[0]["patient_note"]}  # fmt: skip
    assert "positive Trendelenburg (left)" in suggestions[0]["reason"]


def test_creating_for_an_unknown_patient_is_a_400(physio_api):
    response = physio_api.post(URL, {"patient": 999999, "involved_side": "left"}, format="json")
    assert response.status_code == 400
    assert "patient" in response.json()["errors"]


def test_the_weak_hip_factory_matches_its_description():
    assessment = WeakHipAssessmentFactory()
    assert assessment.sides.get(side="left").hhd_trial_2_n == D("120.0")


def test_for_sex_other_there_is_no_reference_and_the_api_says_so(physio_api):
    assessment = AssessmentFactory(patient=PatientFactory(sex="other"))
    derived = physio_api.get(f"{URL}{assessment.pk}/").json()["derived"]
    assert derived["sides"]["left"]["nm_per_kg"] == "2.06"  # 180 N x 0.8 m / 70 kg = 2.057
    assert derived["sides"]["left"]["expected_nm_per_kg"] is None
    assert derived["sides"]["left"]["percent_of_expected"] is None
    assert "men and women only" in derived["reference_note"]


def test_the_list_reads_in_a_fixed_number_of_queries(physio_api, django_assert_max_num_queries):
    patient = PatientFactory()
    for _ in range(8):
        AssessmentFactory(patient=patient, signed=True)
    with django_assert_max_num_queries(15):
        response = physio_api.get(URL, {"patient": patient.pk})
    assert len(response.json()["results"]) == 8
