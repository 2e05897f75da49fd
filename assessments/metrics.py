"""Derived values of the hip abductor battery: pure Python, no Django, Decimal throughout.

Every figure a physio sees is computed here from the raw inputs stored on the assessment, never typed in
(shared/DOMAIN.md). Values are computed at full precision and rounded once, for display, by the helpers below, so a
flag and the number shown beside it always agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

GRAVITY = Decimal("9.81")  # m/s², as in %BW = F / (mass x 9.81) x 100

# Input ranges, shared by the model validators, the database constraints, the HTML min/max attributes and the API.
LIMITS: dict[str, tuple[Decimal, Decimal]] = {
    "force_n": (Decimal(0), Decimal(1000)),
    "lever_arm_m": (Decimal("0.2"), Decimal("1.2")),
    "body_mass_kg": (Decimal(20), Decimal(250)),
    "height_cm": (Decimal(100), Decimal(230)),
    "nprs": (Decimal(0), Decimal(10)),
    "hold_s": (Decimal(0), Decimal(30)),
    "degrees": (Decimal(0), Decimal(45)),
    "endurance_s": (Decimal(0), Decimal(600)),
    "mmt_grade": (Decimal(0), Decimal(5)),
    "step_cm": (Decimal(5), Decimal(40)),
}

# Ramskov et al. 2014 (831 novice runners, eccentric hip abduction): expected Nm/kg by age and sex, SD 0.354.
# The equation holds only for what was studied: break (eccentric) tests in side-lying, in adults aged 18-65.
RAMSKOV_INTERCEPT = Decimal("1.600")
RAMSKOV_PER_YEAR = Decimal("0.005")
RAMSKOV_MALE = Decimal("0.215")
RAMSKOV_SD = Decimal("0.354")
RAMSKOV_AGES = (18, 65)
RAMSKOV_POSITION, RAMSKOV_MODE = "side_lying", "break"

# Hand-held dynamometry varies between sessions (Widler 2009 limits of agreement: side-lying 6.9 %, supine 8.4 %,
# standing 7.5 %; Thorborg 2010: 3-12 %). An LSI that close to the cut-off is borderline, not weak.
HHD_ERROR_PERCENT = {"side_lying": Decimal("6.9"), "supine": Decimal("8.4"), "standing": Decimal("7.5")}

# Side-lying abduction endurance (one study, healthy women): ICC 0.84, SEM 11.5 s, MDC 32.8 s. No runner norms, so
# only a side difference or a change over time larger than the MDC is flagged.
ENDURANCE_SEM_S = Decimal("11.5")
ENDURANCE_MDC_S = Decimal("32.8")

# Pain-monitoring model (Thomeé 1997; Silbernagel 2007): pain above 5/10 is the high-risk zone, so at 6 or more no
# loaded single-leg exercise is suggested.
PAIN_HIGH_NPRS = 6

# Lateral step-down (Piva 2006): total 0-1 good, 2-3 moderate, 4-6 poor.
STEP_DOWN_BANDS = ((1, "good"), (3, "moderate"), (6, "poor"))


def rounded(value: Decimal | None, places: int) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def best_force(trials: Iterable[Decimal | None]) -> Decimal | None:
    """The highest of up to three dynamometer trials (N); None when no trial was recorded."""
    values = [t for t in trials if t is not None]
    return max(values) if values else None


def torque(force_n: Decimal | None, lever_arm_m: Decimal | None) -> Decimal | None:
    """Torque (Nm) = force (N) x lever arm (m)."""
    if force_n is None or lever_arm_m is None:
        return None
    return force_n * lever_arm_m


def per_kg(value: Decimal | None, body_mass_kg: Decimal | None) -> Decimal | None:
    if value is None or not body_mass_kg:
        return None
    return value / body_mass_kg


def percent_body_weight(force_n: Decimal | None, body_mass_kg: Decimal | None) -> Decimal | None:
    """%BW = F / (mass x 9.81) x 100: the force as a share of the patient's body weight."""
    if force_n is None or not body_mass_kg:
        return None
    return force_n / (body_mass_kg * GRAVITY) * 100


def ramskov_expected(*, age: int | None, sex: str) -> Decimal | None:
    """Expected Nm/kg = 1.600 - 0.005 x age + 0.215 x (1 if male else 0).

    The reference was published for men and women only: for any other sex there is no reference, and None says so
    rather than guessing.
    """
    if age is None or sex not in ("female", "male"):
        return None
    return RAMSKOV_INTERCEPT - RAMSKOV_PER_YEAR * age + (RAMSKOV_MALE if sex == "male" else 0)


def reference_band(expected: Decimal | None) -> tuple[Decimal, Decimal] | None:
    """The expected value +/- 1 SD (Ramskov 2014): about two in three of the studied runners fall inside it."""
    if expected is None:
        return None
    return expected - RAMSKOV_SD, expected + RAMSKOV_SD


def band_position(value: Decimal | None, band: tuple[Decimal, Decimal] | None, places: int = 2) -> str | None:
    """ "below", "within" or "above" the band, judged on the rounded value that is shown."""
    shown = rounded(value, places)
    if shown is None or band is None:
        return None
    low, high = (rounded(b, places) for b in band)
    return "below" if shown < low else "above" if shown > high else "within"


def within_error(value: Decimal | None, threshold: Decimal, error: Decimal, places: int = 1) -> bool:
    """Whether the shown value lies within `error` points of the threshold (inclusive) on either side."""
    shown = rounded(value, places)
    return shown is not None and abs(shown - threshold) <= error


def percent_of(value: Decimal | None, reference: Decimal | None) -> Decimal | None:
    if value is None or not reference:
        return None
    return value / reference * 100


def limb_symmetry_index(involved: Decimal | None, uninvolved: Decimal | None) -> Decimal | None:
    """LSI (%) = involved / uninvolved x 100; None when either side is missing or the uninvolved side is zero."""
    if involved is None or not uninvolved:
        return None
    return involved / uninvolved * 100


def below_threshold(value: Decimal | None, threshold: Decimal, places: int = 1) -> bool:
    """Flag on the rounded value, so that '90.0 %' is never shown flagged under a 90 % threshold."""
    shown = rounded(value, places)
    return shown is not None and shown < threshold


def step_down_total(items: Iterable[int | None]) -> int | None:
    """Sum of the five Piva items (0-6); None unless every item was scored."""
    values = list(items)
    if any(v is None for v in values):
        return None
    return sum(values)


def step_down_band(total: int | None) -> str | None:
    if total is None:
        return None
    for upper, band in STEP_DOWN_BANDS:
        if total <= upper:
            return band
    raise ValueError(f"step-down total {total} is outside 0-6")


def fault_count(flags: Iterable[bool]) -> int:
    return sum(1 for flag in flags if flag)


@dataclass(frozen=True)
class Strength:
    """One side's dynamometry, derived. Full precision; round with `rounded` for display."""

    best_force_n: Decimal | None
    torque_nm: Decimal | None
    nm_per_kg: Decimal | None
    percent_bw: Decimal | None
    expected_nm_per_kg: Decimal | None
    percent_of_expected: Decimal | None


def strength(
    *,
    trials: Iterable[Decimal | None],
    lever_arm_m: Decimal | None,
    body_mass_kg: Decimal | None,
    age: int | None,
    sex: str,
) -> Strength:
    force = best_force(trials)
    moment = torque(force, lever_arm_m)
    normalised = per_kg(moment, body_mass_kg)
    expected = ramskov_expected(age=age, sex=sex)
    return Strength(
        best_force_n=force,
        torque_nm=moment,
        nm_per_kg=normalised,
        percent_bw=percent_body_weight(force, body_mass_kg),
        expected_nm_per_kg=expected,
        percent_of_expected=percent_of(normalised, expected),
    )
