"""The assessment lifecycle: drafts, signing, the lock (in services and in the database), amendments and versions."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from assessments import selectors, services
from assessments.models import Assessment, AssessmentVersion, SideFindings
from clinic.models import AuditEvent
from tests.factories import AssessmentFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_a_new_assessment_is_a_draft_with_both_sides_and_the_patients_sex_for_norms(physio):
    patient = PatientFactory(sex="male")
    assessment = services.create_assessment(patient=patient, actor=physio, involved_side="right")
    assert assessment.status == "draft"
    assert assessment.sex_for_norms == "male"
    assert assessment.step_down_height_cm == 20  # the practice's default
    assert set(assessment.sides.values_list("side", flat=True)) == {"left", "right"}
    assert AuditEvent.objects.filter(action="create", patient_id=patient.pk, object_id=str(assessment.pk)).exists()


def test_a_draft_saves_values_and_audits_the_field_names_only(physio):
    assessment = AssessmentFactory()
    services.update_assessment(
        assessment=assessment,
        actor=physio,
        fields={"body_mass_kg": D("64.5"), "findings": "Sore on stairs"},
        sides={"left": {"hhd_trial_1_n": D("150.0")}},
    )
    assessment.refresh_from_db()
    assert assessment.body_mass_kg == D("64.5")
    assert assessment.sides.get(side="left").hhd_trial_1_n == D("150.0")
    event = AuditEvent.objects.filter(action="change", object_id=str(assessment.pk)).latest("id")
    assert event.detail["fields"] == ["body_mass_kg", "findings"]
    assert "Sore" not in str(event.detail)


@pytest.mark.parametrize(
    ("fields", "sides", "key"),
    [
        ({"body_mass_kg": D("19.9")}, {}, "body_mass_kg"),
        ({"nprs_now": 11}, {}, "nprs_now"),
        ({}, {"left": {"hhd_trial_2_n": D("1000.1")}}, "left.hhd_trial_2_n"),
        ({}, {"right": {"hhd_lever_arm_m": D("0.150")}}, "right.hhd_lever_arm_m"),
        ({}, {"right": {"step_down_knee": 3}}, "right.step_down_knee"),
        ({}, {"left": {"mmt_status": "unable", "mmt_reason": ""}}, "left.mmt_reason"),
    ],
)
def test_out_of_range_values_are_refused_and_nothing_is_saved(physio, fields, sides, key):
    assessment = AssessmentFactory(nprs_now=3)
    before = assessment.sides.get(side="left").hhd_trial_1_n
    with pytest.raises(ValidationError) as caught:
        services.update_assessment(
            assessment=assessment,
            actor=physio,
            fields={**fields, "nprs_now": fields.get("nprs_now", 5)},
            sides={**sides, "left": {**sides.get("left", {}), "hhd_trial_1_n": D("99.0")}},
        )
    assert key in caught.value.message_dict
    assessment.refresh_from_db()
    assert assessment.nprs_now == 3
    assert assessment.sides.get(side="left").hhd_trial_1_n == before


def test_a_questionnaire_answer_outside_its_scale_is_refused(physio):
    assessment = AssessmentFactory()
    with pytest.raises(ValidationError) as caught:
        services.update_assessment(assessment=assessment, actor=physio, answers={"lefs": {"1": 4, "2": 9}})
    assert caught.value.message_dict["lefs.2"] == ["Answers to this item are 0-4."]
    assert not assessment.proms.exists()


def test_signing_locks_the_assessment_and_keeps_version_one(physio):
    assessment = AssessmentFactory()
    services.sign_assessment(assessment=assessment, actor=physio)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.version, assessment.signed_by) == ("signed", 1, physio)
    version = AssessmentVersion.objects.get(assessment=assessment)
    assert version.number == 1
    assert version.snapshot["derived"]["lsi_percent"] == "100.0"
    with pytest.raises(services.AssessmentLocked):
        services.update_assessment(assessment=assessment, actor=physio, fields={"nprs_now": 1})


def test_signing_lists_each_test_without_a_result(physio):
    assessment = AssessmentFactory(left__sls_rating="", right__hhd_lever_arm_m=None, body_mass_kg=None)
    with pytest.raises(ValidationError) as caught:
        services.sign_assessment(assessment=assessment, actor=physio)
    errors = caught.value.message_dict
    assert "Single-leg squat (left)" in errors["left.sls_rating"][0]
    assert "lever arm" in errors["right.hhd_lever_arm_m"][0]
    assert "body mass" in errors["body_mass_kg"][0]
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def test_dynamometry_on_one_side_only_is_refused_as_the_symmetry_index_needs_both(physio):
    assessment = AssessmentFactory(right__hhd_status="not_tested")
    with pytest.raises(ValidationError) as caught:
        services.sign_assessment(assessment=assessment, actor=physio)
    assert "needs both sides" in caught.value.message_dict["right.hhd_status"][0]


def test_a_side_marked_unable_with_a_reason_can_be_signed(physio):
    assessment = AssessmentFactory(
        right__hhd_status="unable", right__hhd_reason="pain on resisted abduction", right__hhd_trial_1_n=None
    )
    services.sign_assessment(assessment=assessment, actor=physio)
    derived = selectors.derive(selectors.get_assessment(assessment.pk))
    assert derived.lsi is None


def test_an_amendment_needs_a_reason_and_keeps_the_signed_version_readable(physio, other_physio):
    assessment = AssessmentFactory(signed=True, nprs_now=4)
    with pytest.raises(ValidationError):
        services.start_amendment(assessment=assessment, actor=physio, reason="  ")
    services.start_amendment(assessment=assessment, actor=physio, reason="Trial 2 was typed as 118, not 181")
    services.update_assessment(
        assessment=assessment, actor=physio, fields={"nprs_now": 2}, sides={"left": {"hhd_trial_2_n": D("118.0")}}
    )
    services.sign_assessment(assessment=assessment, actor=other_physio)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.version, assessment.nprs_now) == ("signed", 2, 2)

    first = selectors.version_view(assessment=assessment, number=1)
    second = selectors.version_view(assessment=assessment, number=2)
    assert first.assessment.nprs_now == 4
    assert first.rows["left"].hhd_trial_2_n == D("180.0")
    assert first.version.reason == ""
    assert second.version.reason == "Trial 2 was typed as 118, not 181"
    assert second.version.signed_by == other_physio
    # Left best trial 178 N (was 180 N): LSI 178 x 0.8 / (180 x 0.8) = 98.9 %
    assert second.derived.lsi.quantize(D("0.1")) == D("98.9")


def test_only_a_signed_assessment_can_be_amended_and_a_signed_one_not_signed_twice(physio):
    draft = AssessmentFactory()
    with pytest.raises(services.WrongState):
        services.start_amendment(assessment=draft, actor=physio, reason="why")
    signed = AssessmentFactory(signed=True)
    with pytest.raises(services.WrongState):
        services.sign_assessment(assessment=signed, actor=physio)


def test_a_signed_assessment_cannot_be_deleted_but_a_draft_can(physio):
    signed = AssessmentFactory(signed=True)
    with pytest.raises(services.AssessmentLocked):
        services.delete_draft(assessment=signed, actor=physio)
    draft = AssessmentFactory()
    services.delete_draft(assessment=draft, actor=physio)
    assert not Assessment.objects.filter(pk=draft.pk).exists()


DB_ERRORS = (InternalError, ProgrammingError, IntegrityError)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the lock trigger is PostgreSQL's")
class TestTheDatabaseRefusesEditsAfterSigning:
    def test_an_update_of_a_signed_row_is_refused(self):
        assessment = AssessmentFactory(signed=True)
        with pytest.raises(DB_ERRORS, match="signed"), transaction.atomic():
            Assessment.objects.filter(pk=assessment.pk).update(nprs_now=9)

    def test_a_side_row_of_a_signed_assessment_is_refused(self):
        assessment = AssessmentFactory(signed=True)
        with pytest.raises(DB_ERRORS, match="signed"), transaction.atomic():
            SideFindings.objects.filter(assessment=assessment).update(hhd_trial_1_n=D(1))

    def test_opening_an_amendment_cannot_smuggle_in_a_change(self):
        assessment = AssessmentFactory(signed=True)
        with pytest.raises(DB_ERRORS, match="signed"), transaction.atomic():
            Assessment.objects.filter(pk=assessment.pk).update(status="amending", amendment_reason="x", nprs_now=0)

    def test_signed_versions_are_append_only(self):
        assessment = AssessmentFactory(signed=True)
        with pytest.raises(DB_ERRORS, match="append-only"), transaction.atomic():
            AssessmentVersion.objects.filter(assessment=assessment).update(reason="rewritten")

    def test_a_signed_assessment_cannot_be_deleted_even_by_sql(self):
        assessment = AssessmentFactory(signed=True)
        with pytest.raises(DB_ERRORS), transaction.atomic():
            Assessment.objects.filter(pk=assessment.pk).delete()

    def test_a_check_constraint_backs_the_force_range(self):
        assessment = AssessmentFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            SideFindings.objects.filter(assessment=assessment).update(hhd_trial_1_n=D("1500.0"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"left__trendelenburg_trunk_lean": True}, "trunk lean over the stance leg makes the test positive"),
        ({"left__trendelenburg_hold_s": 20}, "hold under 30 s makes the test positive"),
    ],
)
def test_a_negative_trendelenburg_that_meets_the_positive_criteria_is_not_signed(physio, overrides, message):
    assessment = AssessmentFactory(**overrides)
    with pytest.raises(ValidationError) as caught:
        services.sign_assessment(assessment=assessment, actor=physio)
    assert message in caught.value.message_dict["left.trendelenburg_result"][0]


def test_an_assessment_date_in_the_future_is_refused(physio):
    import datetime as dt

    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as caught:
        services.create_assessment(patient=PatientFactory(), actor=physio, involved_side="left", assessed_on=tomorrow)
    assert "future" in caught.value.message_dict["assessed_on"][0]
    assessment = AssessmentFactory()
    with pytest.raises(ValidationError):
        services.update_assessment(assessment=assessment, actor=physio, fields={"assessed_on": tomorrow})


def test_with_both_sides_involved_the_weaker_side_is_compared_with_the_stronger():
    # Right 130 N, left 180 N at 0.8 m: 104 / 144 = 72.2 %, whichever side is weaker.
    assessment = AssessmentFactory(
        involved_side="both", right__hhd_trial_1_n=D(130), right__hhd_trial_2_n=None, right__hhd_trial_3_n=None
    )
    derived = selectors.derive(selectors.get_assessment(assessment.pk))
    assert derived.lsi.quantize(D("0.1")) == D("72.2")
    assert derived.lsi_basis == "weaker / stronger"
    assert derived.lsi_flag is True
