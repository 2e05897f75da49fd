"""Exercise suggestions from an assessment's findings, read as a careful physiotherapist would.

DOMAIN.md: a positive Trendelenburg, SLS pelvic drop or an abduction LSI under the flag suggests the activation and
strength rows first; good control with low endurance the standing and functional rows; order side-lying activation
-> isometric holds -> weight-bearing single-leg work. On top of that:
- "good control" means no control finding at all: Trendelenburg, squat faults (pelvic drop, knee medial to foot,
  trunk lean), a moderate or poor step-down, and no "unable" result;
- an LSI within the dynamometer's measurement error of the cut-off is borderline, not weak;
- "unable" (to stand on the leg, to be tested) is a finding and starts at the easiest level;
- high pain (NPRS 6 or more, or pain stopping a test) means no loaded single-leg work: the regression is offered.

Each suggestion carries the clinician's reason (staff pages, the referrer's report) and a note in plain words for the
patient's plan, which never shows the reasoning or its jargon.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import metrics
from .selectors import SIDES, Derived, _r, _tested

EXERCISE_NAMES = {
    "clamshell": _lazy("Clamshell"),
    "sidelying_abduction": _lazy("Side-lying hip abduction"),
    "wall_press": _lazy("Standing wall press"),
    "hip_hitch": _lazy("Hip hitch (pelvic drop)"),
    "band_walk": _lazy("Lateral band walk"),
    "side_plank_abduction": _lazy("Side plank with hip abduction"),
    "copenhagen": _lazy("Copenhagen adductor plank"),
    "single_leg_bridge": _lazy("Single-leg bridge"),
    "lateral_step_up": _lazy("Lateral step-up"),
    "eccentric_step_down": _lazy("Eccentric step-down"),
    "sl_squat_box": _lazy("Single-leg squat to box or chair"),
    "sl_deadlift": _lazy("Single-leg deadlift"),
}

# What the patient reads beside the exercise on the plan: why it is there, in plain words.
PATIENT_NOTES = {
    "clamshell": _lazy("A gentle start: wakes up the muscles on the side of your hip."),
    "sidelying_abduction": _lazy("Builds strength in the side of your hip."),
    "wall_press": _lazy("A steady hold that works the hip you stand on, without impact."),
    "hip_hitch": _lazy("Helps you keep your hips level when you stand on one leg."),
    "band_walk": _lazy("Builds staying power in your hip muscles."),
    "lateral_step_up": _lazy("Builds staying power and control on one leg."),
    "eccentric_step_down": _lazy(
        "Trains control of your hip and knee on a step. Hold a rail or a wall with one hand at first; "
        "put your hands on your waist once your knee stays in line with your foot."
    ),
    "sl_squat_box": _lazy("Builds strength and control on one leg."),
    "sl_deadlift": _lazy("Builds strength and balance on one leg."),
}


@dataclass(frozen=True)
class Suggestion:
    exercise_key: str
    reason: str  # the clinician's reasoning: staff pages and the referrer's report only
    priority: int  # lower = first
    patient_note: str = ""  # plain words for the patient's plan


@dataclass(frozen=True)
class Findings:
    """What the battery found, each in the clinician's words, grouped the way the suggestions use them."""

    pelvic: list[str] = field(default_factory=list)  # Trendelenburg, squat pelvic drop
    control: list[str] = field(default_factory=list)  # every control finding, pelvic ones included
    step_down: list[str] = field(default_factory=list)  # sides with a moderate or poor step-down
    strength: list[str] = field(default_factory=list)  # weak: beyond measurement error, or under the reference band
    borderline: list[str] = field(default_factory=list)  # near the cut-off, within measurement error
    unable: list[str] = field(default_factory=list)
    endurance: list[str] = field(default_factory=list)
    pain: list[str] = field(default_factory=list)

    @property
    def good_control(self) -> bool:
        return not self.control and not self.unable


def _side(side: str) -> str:
    return str(_(side))


def findings(derived: Derived) -> Findings:
    f = Findings()
    for side in SIDES:
        result = derived.sides[side]
        row = result.row
        where = {"side": _side(side)}
        if row.trendelenburg_status == "unable":
            f.unable.append(_("unable to stand on the %(side)s leg for the Trendelenburg test") % where)
        elif _tested(row, "trendelenburg"):
            if row.trendelenburg_result == "positive":
                f.pelvic.append(_("positive Trendelenburg (%(side)s)") % where)
            elif row.trendelenburg_trunk_lean:
                # Level only by leaning over the stance leg: a compensated Trendelenburg (Hardcastle & Nade 1985).
                f.pelvic.append(_("trunk lean over the stance leg in single-leg stance (%(side)s)") % where)
        if row.sls_status == "unable":
            f.unable.append(_("unable to do the single-leg squat (%(side)s)") % where)
        elif _tested(row, "sls"):
            if row.sls_pelvic_drop:
                f.pelvic.append(_("pelvic drop on the single-leg squat (%(side)s)") % where)
            if row.sls_knee_valgus:
                f.control.append(_("knee medial to foot on the single-leg squat (%(side)s)") % where)
            if row.sls_trunk_lean:
                f.control.append(_("trunk lean on the single-leg squat (%(side)s)") % where)
        if row.step_down_status == "unable":
            f.unable.append(_("unable to do the lateral step-down (%(side)s)") % where)
        elif result.step_down_band in ("moderate", "poor"):
            text = _("lateral step-down %(total)s/6, %(band)s (%(side)s)") % {
                "total": result.step_down_total,
                "band": _(result.step_down_band),
                **where,
            }
            f.step_down.append(text)
        if row.hhd_status == "unable":
            f.unable.append(_("unable to do dynamometry (%(side)s)") % where)
        if _tested(row, "endurance") and row.endurance_stop_reason == "pain":
            f.pain.append(_("pain stopped the endurance test (%(side)s)") % where)
    f.control[:0] = f.pelvic
    f.control.extend(f.step_down)

    below_band = [r for r in derived.weaker_results if r.reference_position == "below"]
    values = {"lsi": _r(derived.lsi, 1), "flag": _r(derived.threshold, 0), "error": _r(derived.lsi_error, 1)}
    if derived.lsi_weak:
        f.strength.append(
            _("abduction strength symmetry %(lsi)s %% (under %(flag)s %%, beyond the %(error)s %% measurement error)")
            % values
        )
    elif derived.lsi_flag:
        text = _("abduction strength symmetry %(lsi)s %%, within measurement error (%(error)s %%) of %(flag)s %%")
        text %= values
        # Borderline symmetry is weakness only when the side is also under the runner reference band; when the
        # reference puts it within or above the band, it is not a finding at all.
        reassured = any(r.reference_position in ("within", "above") for r in derived.weaker_results)
        if below_band:
            f.strength.append(text)
        elif not reassured:
            f.borderline.append(text)
    for result in below_band:
        low, _high = result.reference_band
        f.strength.append(
            _("%(side)s side %(value)s Nm/kg, under the runner reference band (from %(low)s)")
            % {"side": _side(result.side), "value": _r(result.strength.nm_per_kg, 2), "low": _r(low, 2)}
        )
    if derived.endurance_flag:
        f.endurance.append(
            _("endurance %(diff)s s shorter than the other side (more than the %(mdc)s s measurement error)")
            % {"diff": _r(-derived.endurance_difference, 0), "mdc": _r(metrics.ENDURANCE_MDC_S, 1)}
        )
    scores = {k: v for k, v in derived.nprs.items() if k in ("now", "worst_24h") and v is not None}
    if scores and max(scores.values()) >= metrics.PAIN_HIGH_NPRS:
        f.pain.insert(0, _("pain %(n)s/10") % {"n": max(scores.values())})
    return f


def suggest(derived: Derived) -> list[Suggestion]:
    """Exercises for these findings, easiest first, each with the clinician's reason and a note for the patient."""
    f = findings(derived)
    out: list[Suggestion] = []

    def add(key: str, reason: str, note: str | None = None) -> None:
        if key not in {s.exercise_key for s in out}:
            out.append(Suggestion(key, reason, len(out) + 1, str(note if note is not None else PATIENT_NOTES[key])))

    pain = "; ".join(f.pain)
    no_load = _("no loaded single-leg work while %(pain)s") % {"pain": pain} if pain else ""

    if f.unable:
        # Unable to stand on the leg or to be tested is itself a finding: start at the easiest level, off the leg.
        why = "; ".join(f.unable + f.pain)
        add("clamshell", _("Easiest level first: %(why)s") % {"why": why})
        add("sidelying_abduction", _("Side-lying strength through a short range: %(why)s") % {"why": why})
        return out

    deficits = f.control + f.strength
    if deficits:
        because = "; ".join(deficits)
        add("clamshell", _("Activation first: %(why)s") % {"why": because})
        add("sidelying_abduction", _("Strength in side-lying: %(why)s") % {"why": because})
        wall = _("Isometric hold before weight-bearing work: %(why)s") % {"why": because}
        add("wall_press", f"{wall}; {no_load}" if no_load else wall)
        if f.pelvic and not pain:
            add("hip_hitch", _("Pelvic control in standing: %(why)s") % {"why": "; ".join(f.pelvic)})
        if f.step_down and not pain:
            add(
                "eccentric_step_down",
                _("Mirrors the lateral step-down test (%(why)s); regression: hold a rail or wall with one hand")
                % {"why": "; ".join(f.step_down)},
            )
        return out

    if f.endurance:
        because = _("good control, low endurance: %(why)s") % {"why": "; ".join(f.endurance)}
        if pain:
            # The regression of the standing and functional rows: an isometric hold and side-lying work.
            add("wall_press", _("Isometric hold instead of functional work (%(why)s; %(pain)s)") % {
                "why": because, "pain": no_load})  # fmt: skip
            add("sidelying_abduction", _("Side-lying endurance work: %(why)s") % {"why": because})
            return out
        functional = _("Functional single-leg work: %(why)s") % {"why": because}
        add("band_walk", _("Standing work: %(why)s") % {"why": because})
        add("lateral_step_up", functional)
        add("eccentric_step_down", functional)
        add("sl_squat_box", functional)
        add("sl_deadlift", functional)
        return out

    if f.borderline:
        # Near the cut-off, within measurement error, with no reference to say the side is weak: retest, do not
        # send the runner back to activation.
        add(
            "sidelying_abduction",
            _("Borderline: %(why)s; retest before calling it weakness") % {"why": "; ".join(f.borderline)},
        )
    return out
