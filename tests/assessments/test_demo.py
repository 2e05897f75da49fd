"""seed_demo adds a few patients with two or three signed assessments each, and can run twice."""

import pytest

from assessments import demo
from assessments.models import Assessment
from clinic import demo as clinic_demo
from patients import demo as patients_demo

pytestmark = pytest.mark.django_db


def test_the_demo_adds_signed_assessments_weeks_apart_and_is_idempotent():
    clinic_demo.seed(password="demo-password-123")
    patients_demo.seed(password="demo-password-123")
    demo.seed(password="demo-password-123")
    demo.seed(password="demo-password-123")
    assessments = Assessment.objects.all()
    assert assessments.count() == 7
    assert set(assessments.values_list("status", flat=True)) == {"signed"}
    per_patient = {}
    for a in assessments:
        per_patient.setdefault(a.patient_id, []).append(a.assessed_on)
    assert sorted(len(days) for days in per_patient.values()) == [2, 2, 3]
    for days in per_patient.values():
        assert (max(days) - min(days)).days >= 28


def test_demo_questionnaires_use_only_valid_answers_and_runners_sit_below_or_around_expected_strength():
    from assessments import proms, selectors

    clinic_demo.seed(password="demo-password-123")
    patients_demo.seed(password="demo-password-123")
    demo.seed(password="demo-password-123")
    for assessment in selectors.assessments_with_data():
        for response in assessment.proms.all():
            measure = proms.MEASURES[response.measure]
            # Every answer is one of the item's published points (AKPS item 1: 0, 3 or 5), and the total exists.
            assert proms.clean_answers(measure, response.answers) == response.answers
            assert response.total is not None
        derived = selectors.derive(assessment)
        involved = derived.involved_result.strength.percent_of_expected
        # Injured runners: below or around the expected value (Amélie's first visit: 72 N x 0.82 m / 58.5 kg =
        # 1.01 Nm/kg of 1.32 expected at 56 = 76 %), never the 106-166 % the demo used to show.
        if involved is not None:
            assert involved <= 105, (assessment.patient, involved)
    first = selectors.assessments_for_patient(
        patient_id=Assessment.objects.filter(patient__first_name="Amélie").first().patient_id
    ).last()
    shown = selectors.derived_as_dict(selectors.derive(first))["sides"]["left"]["percent_of_expected"]
    assert shown in {"75", "76", "77"}  # 76 % at 56; a birthday either way moves it by a point
