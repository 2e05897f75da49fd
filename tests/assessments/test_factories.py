"""The factories other apps' tests build on (programs starts a program from a signed assessment's suggestions)."""

from decimal import Decimal

from assessments import selectors
from assessments.models import Assessment
from tests.factories import AssessmentFactory, WeakHipAssessmentFactory


def test_the_factory_builds_a_draft_with_both_sides_recorded(db):
    assessment = AssessmentFactory()
    assert assessment.status == Assessment.Status.DRAFT
    assert sorted(assessment.sides.values_list("side", flat=True)) == ["left", "right"]
    assert selectors.derive(selectors.get_assessment(assessment.pk)).lsi == Decimal(100)


def test_a_signed_weak_hip_suggests_activation_first(db):
    assessment = WeakHipAssessmentFactory(signed=True)
    assert assessment.status == Assessment.Status.SIGNED
    assert assessment.versions.count() == 1
    keys = [s.exercise_key for s in selectors.suggested_exercises(assessment_id=assessment.pk)]
    assert keys[:2] == ["clamshell", "sidelying_abduction"]

    left = assessment.sides.get(side="left")
    assert left.trendelenburg_result == "positive"
    assert selectors.derive(selectors.get_assessment(assessment.pk)).lsi.quantize(Decimal("0.1")) == Decimal("66.7")
