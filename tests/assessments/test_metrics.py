"""Each formula against a worked example done by hand (the arithmetic is written beside each check)."""

from decimal import Decimal as D

import pytest

from assessments import metrics


def test_best_force_is_the_highest_recorded_trial():
    assert metrics.best_force([D("182.5"), None, D("190.0")]) == D("190.0")
    assert metrics.best_force([None, None, None]) is None


def test_torque_is_force_times_lever_arm():
    # 200 N x 0.80 m = 160 Nm
    assert metrics.torque(D(200), D("0.80")) == D(160)


def test_torque_per_kilogram():
    # 160 Nm / 70 kg = 2.2857... -> 2.29 Nm/kg
    assert metrics.rounded(metrics.per_kg(D(160), D(70)), 2) == D("2.29")


def test_percent_body_weight():
    # 200 N / (70 kg x 9.81 m/s²) x 100 = 200 / 686.7 x 100 = 29.124... -> 29.1 %BW
    assert metrics.rounded(metrics.percent_body_weight(D(200), D(70)), 1) == D("29.1")


@pytest.mark.parametrize(
    ("age", "sex", "expected"),
    [
        (30, "female", D("1.450")),  # 1.600 - 0.005 x 30 = 1.450
        (30, "male", D("1.665")),  # 1.600 - 0.150 + 0.215 = 1.665
        (45, "male", D("1.590")),  # 1.600 - 0.225 + 0.215 = 1.590
        (20, "female", D("1.500")),  # 1.600 - 0.100 = 1.500
    ],
)
def test_ramskov_expected_torque_by_age_and_sex(age, sex, expected):
    assert metrics.ramskov_expected(age=age, sex=sex) == expected


def test_there_is_no_ramskov_reference_for_other_sex_rather_than_a_guess():
    assert metrics.ramskov_expected(age=30, sex="other") is None
    result = metrics.strength(trials=[D(200)], lever_arm_m=D("0.8"), body_mass_kg=D(70), age=30, sex="other")
    assert result.nm_per_kg is not None
    assert result.expected_nm_per_kg is None
    assert result.percent_of_expected is None


def test_percent_of_expected():
    # 2.2857 Nm/kg / 1.450 x 100 = 157.6 -> 158 %
    result = metrics.strength(
        trials=[D(190), D(200), None], lever_arm_m=D("0.80"), body_mass_kg=D(70), age=30, sex="female"
    )
    assert result.best_force_n == D(200)
    assert result.torque_nm == D("160.00")
    assert metrics.rounded(result.percent_of_expected, 0) == D(158)


def test_limb_symmetry_index_is_involved_over_uninvolved():
    # involved 150 N x 0.8 m = 120 Nm; uninvolved 200 N x 0.8 m = 160 Nm; 120 / 160 x 100 = 75.0 %
    assert metrics.limb_symmetry_index(D(120), D(160)) == D(75)
    assert metrics.limb_symmetry_index(D(120), None) is None
    assert metrics.limb_symmetry_index(D(120), D(0)) is None


def test_the_flag_uses_the_value_as_shown():
    # 89.96 is shown as 90.0 and is therefore not flagged under a 90 % threshold; 89.94 -> 89.9 is.
    assert metrics.below_threshold(D("89.96"), D(90)) is False
    assert metrics.below_threshold(D("89.94"), D(90)) is True
    assert metrics.below_threshold(None, D(90)) is False


@pytest.mark.parametrize(
    ("items", "total", "band"),
    [
        ((0, 0, 0, 0, 0), 0, "good"),
        ((1, 0, 0, 0, 0), 1, "good"),
        ((1, 0, 0, 1, 0), 2, "moderate"),
        ((1, 1, 0, 1, 0), 3, "moderate"),
        ((1, 1, 1, 1, 0), 4, "poor"),
        ((1, 1, 1, 2, 1), 6, "poor"),
    ],
)
def test_step_down_total_and_band(items, total, band):
    assert metrics.step_down_total(items) == total
    assert metrics.step_down_band(total) == band


def test_step_down_total_needs_every_item():
    assert metrics.step_down_total((1, None, 0, 0, 0)) is None
    assert metrics.step_down_band(None) is None


def test_fault_count_counts_the_flags_set():
    assert metrics.fault_count([True, False, True, False, False, False, False, True]) == 3
