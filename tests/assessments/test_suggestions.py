"""suggested_exercises(): the interface programs/ starts a program from (rules from shared/DOMAIN.md)."""

import dataclasses

import pytest

from assessments.models import Assessment
from assessments.selectors import EXERCISE_NAMES, Suggestion, suggested_exercises
from tests.factories import AssessmentFactory, WeakHipAssessmentFactory

pytestmark = pytest.mark.django_db


def keys(assessment) -> list[str]:
    return [s.exercise_key for s in suggested_exercises(assessment_id=assessment.pk)]


def test_a_suggestion_is_a_frozen_dataclass_with_key_reason_and_priority():
    assert [f.name for f in dataclasses.fields(Suggestion)] == ["exercise_key", "reason", "priority"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Suggestion("clamshell", "x", 1).priority = 2  # type: ignore[misc]


def test_a_positive_trendelenburg_suggests_activation_and_strength_rows_first():
    assessment = AssessmentFactory(signed=True, right__trendelenburg_result="positive")
    suggestions = suggested_exercises(assessment_id=assessment.pk)
    assert [s.exercise_key for s in suggestions] == ["clamshell", "sidelying_abduction", "wall_press", "hip_hitch"]
    assert [s.priority for s in suggestions] == [1, 2, 3, 4]
    assert "positive Trendelenburg (right)" in suggestions[0].reason


def test_pelvic_drop_on_the_squat_does_too():
    assert keys(AssessmentFactory(left__sls_pelvic_drop=True))[:2] == ["clamshell", "sidelying_abduction"]


def test_an_lsi_under_the_flag_suggests_activation_without_the_pelvic_row():
    # Left 130 N, right 180 N at the same lever arm: LSI 130 / 180 = 72.2 %, under 90 %.
    assessment = AssessmentFactory(left__hhd_trial_1_n=130, left__hhd_trial_2_n=None, left__hhd_trial_3_n=None)
    suggestions = suggested_exercises(assessment_id=assessment.pk)
    assert [s.exercise_key for s in suggestions] == ["clamshell", "sidelying_abduction", "wall_press"]
    assert "72.2 %" in suggestions[0].reason


def test_good_control_with_low_endurance_suggests_standing_and_functional_rows():
    # Endurance 40 s involved vs 90 s: symmetry 44.4 %, under the flag; strength and control are fine.
    assessment = AssessmentFactory(left__endurance_s=40)
    assert keys(assessment) == ["band_walk", "lateral_step_up", "eccentric_step_down", "sl_squat_box", "sl_deadlift"]


def test_a_poor_step_down_adds_the_eccentric_step_down():
    assessment = WeakHipAssessmentFactory(left__step_down_knee=2, left__step_down_pelvis=1, left__step_down_trunk=1)
    suggestions = suggested_exercises(assessment_id=assessment.pk)
    assert suggestions[-1].exercise_key == "eccentric_step_down"
    assert "left poor" in suggestions[-1].reason


def test_unremarkable_findings_suggest_nothing():
    assert keys(AssessmentFactory()) == []


def test_every_suggested_key_is_a_library_id():
    assessment = WeakHipAssessmentFactory(left__step_down_knee=2)
    assert set(keys(assessment)) <= set(EXERCISE_NAMES)


def test_an_unknown_assessment_raises_does_not_exist():
    with pytest.raises(Assessment.DoesNotExist):
        suggested_exercises(assessment_id=999999)
