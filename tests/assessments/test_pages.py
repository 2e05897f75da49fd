"""The HTML pages: who may see them, the entry form with bad input and autosave, signing, amending, progress."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Assessment
from clinic.models import AuditEvent
from tests.factories import AssessmentFactory, PatientFactory, WeakHipAssessmentFactory

pytestmark = pytest.mark.django_db


def form_data(assessment, **overrides) -> dict:
    """The entry form as the browser would post it, filled from the stored assessment."""
    data = {
        "assessed_on": assessment.assessed_on.isoformat(),
        "involved_side": assessment.involved_side,
        "body_mass_kg": str(assessment.body_mass_kg or ""),
        "height_cm": str(assessment.height_cm or ""),
        "sex_for_norms": assessment.sex_for_norms,
        "hhd_position": assessment.hhd_position,
        "hhd_mode": assessment.hhd_mode,
        "step_down_height_cm": str(assessment.step_down_height_cm),
        "nprs_now": "" if assessment.nprs_now is None else str(assessment.nprs_now),
        "nprs_worst_24h": "" if assessment.nprs_worst_24h is None else str(assessment.nprs_worst_24h),
        "nprs_running": "",
        "findings": assessment.findings,
        "plan": assessment.plan,
    }
    for row in assessment.sides.all():
        for name in services.SIDE_FIELDS:
            value = getattr(row, name)
            if isinstance(value, bool):
                if value:
                    data[f"{row.side}-{name}"] = "on"
            else:
                data[f"{row.side}-{name}"] = "" if value is None else str(value)
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["front_desk", "outsider"])
def test_front_desk_gets_403_on_every_assessment_page(persona, persona_client):
    assessment = AssessmentFactory(signed=True)
    client = persona_client(persona)
    for url in (
        reverse("assessments:detail", args=[assessment.pk]),
        reverse("assessments:edit", args=[assessment.pk]),
        reverse("assessments:patient-panel", args=[assessment.patient_id]),
        reverse("assessments:progress", args=[assessment.patient_id]),
        reverse("assessments:version", args=[assessment.pk, 1]),
    ):
        assert client.get(url).status_code == 403, url


def test_the_patient_panel_lists_assessments_with_the_lsi_flag(persona_client):
    assessment = WeakHipAssessmentFactory(signed=True)
    response = persona_client("physio").get(reverse("assessments:patient-panel", args=[assessment.patient_id]))
    assert response.status_code == 200
    assert "66.7 %" in response.content.decode()
    assert "below 90 %" in response.content.decode()
    assert AuditEvent.objects.filter(action="view", patient_id=assessment.patient_id).exists()


def test_the_patient_page_offers_the_panel_to_physios_only(persona_client):
    patient = PatientFactory()
    panel_url = reverse("assessments:patient-panel", args=[patient.pk])
    assert panel_url in persona_client("physio").get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert (
        panel_url
        not in persona_client("front_desk").get(reverse("patients:detail", args=[patient.pk])).content.decode()
    )


def test_a_physio_starts_an_assessment_from_the_patient_page(persona_client, physio):
    patient = PatientFactory()
    client = persona_client("physio")
    response = client.post(
        reverse("assessments:create", args=[patient.pk]), {f"new{patient.pk}-involved_side": "right"}
    )
    assessment = Assessment.objects.get(patient=patient)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:edit", args=[assessment.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'id="id_left-hhd_trial_1_n"' in page and 'id="id_right-hhd_trial_1_n"' in page
    assert 'max="1000"' in page and 'min="0.2"' in page


def test_bad_input_gets_clear_messages_and_loses_nothing_typed(persona_client):
    assessment = AssessmentFactory(nprs_now=3)
    client = persona_client("physio")
    data = form_data(assessment, **{"left-hhd_trial_1_n": "1200", "nprs_now": "6", "findings": "Stairs hurt"})
    response = client.post(reverse("assessments:edit", args=[assessment.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a value from 0 to 1000." in page
    assert 'value="1200"' in page  # what was typed is still in the form
    assessment.refresh_from_db()
    # The valid values were saved; the invalid one kept its stored value.
    assert assessment.nprs_now == 6
    assert assessment.findings == "Stairs hurt"
    assert assessment.sides.get(side="left").hhd_trial_1_n == D("175.0")


def test_autosave_saves_the_draft_and_shows_the_derived_values(persona_client):
    assessment = AssessmentFactory()
    data = form_data(assessment, **{"left-hhd_trial_1_n": "100", "left-hhd_trial_2_n": "", "left-hhd_trial_3_n": ""})
    response = persona_client("physio").post(reverse("assessments:autosave", args=[assessment.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Draft saved at" in page
    # Left 100 N x 0.8 m = 80 Nm; right 180 N x 0.8 m = 144 Nm; 80 / 144 = 55.6 % -> flagged under 90 %
    assert "55.6 %" in page and "LSI below 90 %" in page
    assert AuditEvent.objects.filter(action="change", summary="Draft autosaved", object_id=str(assessment.pk)).exists()


def test_autosave_reports_an_out_of_range_value_and_saves_the_rest(persona_client):
    assessment = AssessmentFactory()
    data = form_data(assessment, **{"right-hhd_lever_arm_m": "2.5", "nprs_now": "7"})
    page = persona_client("physio").post(reverse("assessments:autosave", args=[assessment.pk]), data).content.decode()
    assert "Right lever arm (m)" in page and "Enter a value from 0.2 to 1.2." in page
    assessment.refresh_from_db()
    assert assessment.nprs_now == 7


def test_signing_from_the_form_locks_it_and_shows_the_lsi_flag(persona_client):
    assessment = WeakHipAssessmentFactory()
    client = persona_client("physio")
    response = client.post(
        reverse("assessments:edit", args=[assessment.pk]), {**form_data(assessment), "action": "sign"}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "signed"
    page = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "66.7 %" in page and "LSI below 90 %" in page
    assert "Clamshell" in page and f"/programs/new/?assessment={assessment.pk}" in page


def test_signing_an_incomplete_battery_names_what_is_missing_and_keeps_the_draft(persona_client):
    assessment = AssessmentFactory()
    data = {**form_data(assessment, **{"left-sls_rating": "", "right-hhd_status": "not_tested"}), "action": "sign"}
    response = persona_client("physio").post(reverse("assessments:edit", args=[assessment.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Single-leg squat (left): enter a result, or mark it not tested." in page
    assert "needs both sides" in page
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def test_a_signed_assessment_cannot_be_edited_without_an_amendment(persona_client):
    assessment = AssessmentFactory(signed=True, nprs_now=3)
    client = persona_client("physio")
    response = client.post(reverse("assessments:edit", args=[assessment.pk]), form_data(assessment, nprs_now="9"))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:amend", args=[assessment.pk])
    autosave = client.post(reverse("assessments:autosave", args=[assessment.pk]), form_data(assessment, nprs_now="9"))
    assert "signed" in autosave.content.decode()
    assessment.refresh_from_db()
    assert assessment.nprs_now == 3


def test_an_amendment_keeps_the_first_version_readable(persona_client):
    assessment = AssessmentFactory(signed=True, nprs_now=3)
    client = persona_client("physio")
    assert client.post(reverse("assessments:amend", args=[assessment.pk]), {"reason": ""}).status_code == 400
    client.post(reverse("assessments:amend", args=[assessment.pk]), {"reason": "Pain score misheard"})
    assessment.refresh_from_db()
    response = client.post(
        reverse("assessments:edit", args=[assessment.pk]), {**form_data(assessment, nprs_now="5"), "action": "sign"}
    )
    assert response.status_code == 302
    first = client.get(reverse("assessments:version", args=[assessment.pk, 1])).content.decode()
    second = client.get(reverse("assessments:version", args=[assessment.pk, 2])).content.decode()
    assert "now 3/10" in first
    assert "now 5/10" in second and "Pain score misheard" in second
    assert client.get(reverse("assessments:version", args=[assessment.pk, 3])).status_code == 404


def test_the_progress_page_charts_both_visits_and_marks_important_changes(persona_client):
    patient = PatientFactory(sex="female", date_of_birth=dt.date(1990, 1, 1))
    today = dt.date.today()
    WeakHipAssessmentFactory(patient=patient, signed=True, assessed_on=today - dt.timedelta(weeks=6), nprs_now=6)
    AssessmentFactory(patient=patient, signed=True, assessed_on=today, nprs_now=2)
    response = persona_client("physio").get(reverse("assessments:progress", args=[patient.pk]))
    page = response.content.decode()
    assert page.count("<svg") >= 3
    assert "important change, better" in page  # pain 6 -> 2: 4 points, at least the MCID of 2
    assert 'class="important-change"' in page
    assert "66.7" in page and "100.0" in page
    assert AuditEvent.objects.filter(
        action="view", summary="Assessment progress viewed", patient_id=patient.pk
    ).exists()


def test_the_progress_page_reads_in_a_bounded_number_of_queries(persona_client, django_assert_max_num_queries):
    patient = PatientFactory()
    for weeks in (8, 4, 0):
        AssessmentFactory(patient=patient, signed=True, assessed_on=dt.date.today() - dt.timedelta(weeks=weeks))
    client = persona_client("physio")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("assessments:progress", args=[patient.pk])).status_code == 200


def test_an_assessment_can_be_tied_to_an_appointment(persona_client):
    patient = PatientFactory()
    persona_client("physio").post(
        reverse("assessments:create", args=[patient.pk]),
        {f"new{patient.pk}-involved_side": "left", f"new{patient.pk}-appointment_id": "42"},
    )
    assert Assessment.objects.get(patient=patient).appointment_id == 42


def test_a_test_marked_unable_needs_a_reason_and_keeps_the_stored_status(persona_client):
    assessment = AssessmentFactory()
    data = form_data(assessment, **{"left-endurance_status": "unable", "left-endurance_reason": ""})
    page = persona_client("physio").post(reverse("assessments:autosave", args=[assessment.pk]), data).content.decode()
    assert "Say why the test could not be done." in page
    assert assessment.sides.get(side="left").endurance_status == "tested"


def test_the_sex_other_page_says_there_is_no_reference(persona_client):
    assessment = AssessmentFactory(patient=PatientFactory(sex="other"), signed=True)
    page = persona_client("physio").get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "No strength reference" in page
    assert "of expected" not in page
