"""Reads shared by the views, the API, the PDF task and other apps (programs uses suggested_exercises)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from clinic.selectors import get_practice

from . import metrics, proms
from .models import Assessment, AssessmentVersion, PromResponse, QuestionnairePack, SideFindings, TestStatus

SIDES = ("left", "right")


def lsi_threshold() -> Decimal:
    return Decimal(get_practice().lsi_flag_percent)


def assessments_with_data() -> QuerySet[Assessment]:
    return Assessment.objects.select_related("patient", "assessor", "signed_by").prefetch_related(
        Prefetch("sides", queryset=SideFindings.objects.order_by("side")),
        Prefetch("proms", queryset=PromResponse.objects.order_by("measure")),
    )


def get_assessment(assessment_id: int) -> Assessment:
    return assessments_with_data().get(pk=assessment_id)


def assessments_for_patient(*, patient_id: int) -> QuerySet[Assessment]:
    return assessments_with_data().filter(patient_id=patient_id).order_by("-assessed_on", "-id")


def signed_assessments(*, patient_id: int) -> QuerySet[Assessment]:
    """Signed assessments, oldest first (an amendment in progress still counts with its last signed values)."""
    return (
        assessments_with_data()
        .filter(patient_id=patient_id, status=Assessment.Status.SIGNED)
        .order_by("assessed_on", "id")
    )


def versions_of(*, assessment_id: int) -> QuerySet[AssessmentVersion]:
    return AssessmentVersion.objects.filter(assessment_id=assessment_id).select_related("signed_by").order_by("number")


def active_pack() -> QuestionnairePack | None:
    return QuestionnairePack.objects.filter(is_active=True).first()


# --- derived values -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SideResult:
    side: str
    row: SideFindings
    strength: metrics.Strength
    sls_fault_count: int | None
    step_down_total: int | None
    step_down_band: str | None
    reference_band: tuple[Decimal, Decimal] | None = None  # expected Nm/kg +/- 1 SD, when the reference applies
    reference_position: str | None = None  # below | within | above that band


@dataclass(frozen=True)
class Derived:
    age: int | None
    sex: str
    sides: dict[str, SideResult]
    involved: str  # left | right | both
    lsi: Decimal | None
    lsi_flag: bool  # under the practice's cut-off
    lsi_basis: str  # how the index was formed, in words
    endurance_lsi: Decimal | None
    endurance_flag: bool  # the involved (or weaker) side held shorter by more than the MDC
    threshold: Decimal
    prom_totals: dict[str, Decimal | None] = field(default_factory=dict)
    lsi_error: Decimal = metrics.HHD_ERROR_PERCENT["side_lying"]  # between-session error of this test position
    lsi_borderline: bool = False  # within that error of the cut-off, either side of it
    endurance_difference: Decimal | None = None  # involved minus other side (s); both involved: weaker minus stronger
    reference_note: str | None = None  # why no runner reference is shown; None when it is
    nprs: dict[str, int | None] = field(default_factory=dict)

    @property
    def left(self) -> SideResult:
        return self.sides["left"]

    @property
    def right(self) -> SideResult:
        return self.sides["right"]

    @property
    def involved_result(self) -> SideResult | None:
        return self.sides.get(self.involved)

    @property
    def lsi_weak(self) -> bool:
        """Under the cut-off by more than the dynamometer's measurement error: weak, not borderline."""
        return self.lsi_flag and not self.lsi_borderline

    @property
    def weaker_results(self) -> list[SideResult]:
        """The side(s) whose strength matters for the runner reference: the involved side, or both."""
        return list(self.sides.values()) if self.involved == "both" else [self.sides[self.involved]]


def _tested(row: SideFindings, test: str) -> bool:
    return getattr(row, f"{test}_status") == TestStatus.TESTED


def _symmetry(involved: str, values: dict[str, Decimal | None]) -> tuple[Decimal | None, str]:
    if involved in SIDES:
        other = "right" if involved == "left" else "left"
        return metrics.limb_symmetry_index(values[involved], values[other]), f"{involved} / {other}"
    # Both sides involved: there is no healthy side, so the weaker side is compared with the stronger one.
    if values["left"] is None or values["right"] is None:
        return None, "weaker / stronger"
    weaker, stronger = sorted((values["left"], values["right"]))
    return metrics.limb_symmetry_index(weaker, stronger), "weaker / stronger"


def reference_note(*, age: int | None, sex: str, position: str, mode: str) -> str | None:
    """Why the Ramskov 2014 runner reference does not apply to this test, or None when it does."""
    if sex not in ("female", "male"):
        return _("No strength reference: Ramskov 2014 published values for men and women only.")
    if position != metrics.RAMSKOV_POSITION or mode != metrics.RAMSKOV_MODE:
        return _(
            "No strength reference: the runner values (Ramskov 2014) come from break (eccentric) tests in "
            "side-lying; this test was %(position)s, %(mode)s."
        ) % {
            "position": str(Assessment.Position(position).label).lower(),
            "mode": str(Assessment.Mode(mode).label).lower(),
        }
    low, high = metrics.RAMSKOV_AGES
    if age is None or not low <= age <= high:
        return _("No strength reference: the runner values (Ramskov 2014) come from adults aged %(low)s-%(high)s.") % {
            "low": low,
            "high": high,
        }
    return None


def derive(
    assessment: Assessment,
    *,
    rows: dict[str, SideFindings] | None = None,
    responses: list[PromResponse] | None = None,
    age: int | None = None,
    threshold: Decimal | None = None,
) -> Derived:
    """Every derived value of an assessment (or of a stored version, passing its rows, age and threshold)."""
    if rows is None:
        rows = {row.side: row for row in assessment.sides.all()}
    if responses is None:
        responses = list(assessment.proms.all())
    if age is None:
        age = assessment.patient.age_on(assessment.assessed_on)
    if threshold is None:
        threshold = lsi_threshold()
    note = reference_note(
        age=age, sex=assessment.sex_for_norms, position=assessment.hhd_position, mode=assessment.hhd_mode
    )
    results = {}
    for side in SIDES:
        row = rows[side]
        hhd = _tested(row, "hhd")
        strength = metrics.strength(
            trials=row.hhd_trials if hhd else (),
            lever_arm_m=row.hhd_lever_arm_m if hhd else None,
            body_mass_kg=assessment.body_mass_kg,
            age=age,
            # The reference is only computed where it applies (sex, position, mode, age), so no figure can leak.
            sex=assessment.sex_for_norms if note is None else "",
        )
        band = metrics.reference_band(strength.expected_nm_per_kg)
        total = metrics.step_down_total(row.step_down_items) if _tested(row, "step_down") else None
        results[side] = SideResult(
            side=side,
            row=row,
            strength=strength,
            sls_fault_count=metrics.fault_count(row.sls_faults) if _tested(row, "sls") else None,
            step_down_total=total,
            step_down_band=metrics.step_down_band(total),
            reference_band=band,
            reference_position=metrics.band_position(strength.nm_per_kg, band),
        )
    # LSI on torque: the same body mass cancels out, and differing lever arms are accounted for.
    lsi, basis = _symmetry(assessment.involved_side, {s: results[s].strength.torque_nm for s in SIDES})
    error = metrics.HHD_ERROR_PERCENT.get(assessment.hhd_position, max(metrics.HHD_ERROR_PERCENT.values()))
    endurance = {
        s: Decimal(rows[s].endurance_s) if _tested(rows[s], "endurance") and rows[s].endurance_s is not None else None
        for s in SIDES
    }
    endurance_lsi, _unused = _symmetry(assessment.involved_side, endurance)
    difference = _difference(assessment.involved_side, endurance)
    return Derived(
        age=age,
        sex=assessment.sex_for_norms,
        sides=results,
        involved=assessment.involved_side,
        lsi=lsi,
        lsi_flag=metrics.below_threshold(lsi, threshold),
        lsi_basis=basis,
        endurance_lsi=endurance_lsi,
        # No runner norms and a large measurement error: only a shortfall beyond the MDC is flagged (never a ratio).
        endurance_flag=difference is not None and -difference > metrics.ENDURANCE_MDC_S,
        threshold=threshold,
        prom_totals={r.measure: r.total for r in responses},
        lsi_error=error,
        lsi_borderline=metrics.within_error(lsi, threshold, error),
        endurance_difference=difference,
        reference_note=note,
        nprs={
            "now": assessment.nprs_now,
            "worst_24h": assessment.nprs_worst_24h,
            "running": assessment.nprs_running,
        },
    )


def _difference(involved: str, values: dict[str, Decimal | None]) -> Decimal | None:
    """Involved minus the other side; with both sides involved, the shorter minus the longer (never positive)."""
    if values["left"] is None or values["right"] is None:
        return None
    if involved in SIDES:
        other = "right" if involved == "left" else "left"
        return values[involved] - values[other]
    return -abs(values["left"] - values["right"])


def _r(value: Decimal | None, places: int) -> str | None:
    shown = metrics.rounded(value, places)
    return None if shown is None else str(shown)


def derived_as_dict(derived: Derived) -> dict[str, Any]:
    """Derived values rounded for display: the API's read-only block and the snapshot's record of what was shown."""
    sides = {}
    for side, result in derived.sides.items():
        s = result.strength
        band = result.reference_band
        sides[side] = {
            "best_force_n": _r(s.best_force_n, 1),
            "torque_nm": _r(s.torque_nm, 1),
            "nm_per_kg": _r(s.nm_per_kg, 2),
            "percent_body_weight": _r(s.percent_bw, 1),
            "expected_nm_per_kg": _r(s.expected_nm_per_kg, 2),
            "expected_low_nm_per_kg": _r(band[0], 2) if band else None,
            "expected_high_nm_per_kg": _r(band[1], 2) if band else None,
            "reference_position": result.reference_position,
            "percent_of_expected": _r(s.percent_of_expected, 0),
            "sls_fault_count": result.sls_fault_count,
            "step_down_total": result.step_down_total,
            "step_down_band": result.step_down_band,
        }
    return {
        "age": derived.age,
        "sides": sides,
        "lsi_percent": _r(derived.lsi, 1),
        "lsi_basis": derived.lsi_basis,
        "lsi_flag": derived.lsi_flag,
        "lsi_borderline": derived.lsi_borderline,
        "lsi_error_percent": _r(derived.lsi_error, 1),
        "lsi_threshold_percent": _r(derived.threshold, 1),
        "endurance_lsi_percent": _r(derived.endurance_lsi, 1),
        "endurance_difference_s": _r(derived.endurance_difference, 0),
        "endurance_flag": derived.endurance_flag,
        "reference_note": derived.reference_note,
        "questionnaire_totals": {k: _r(v, 1) for k, v in derived.prom_totals.items()},
    }


# --- versions ---------------------------------------------------------------------------------------------------------

SNAPSHOT_ASSESSMENT_FIELDS = (
    "assessed_on",
    "appointment_id",
    "involved_side",
    "body_mass_kg",
    "height_cm",
    "sex_for_norms",
    "hhd_position",
    "hhd_mode",
    "step_down_height_cm",
    "nprs_now",
    "nprs_worst_24h",
    "nprs_running",
    "findings",
    "plan",
)


def _side_field_names() -> list[str]:
    return [f.name for f in SideFindings._meta.concrete_fields if f.name not in ("id", "assessment", "side")]


def snapshot(assessment: Assessment) -> dict[str, Any]:
    """Everything needed to show this assessment exactly as signed, later, whatever changes afterwards."""
    rows = {row.side: row for row in assessment.sides.all()}
    derived = derive(assessment, rows=rows)
    return {
        "assessment": {name: getattr(assessment, name) for name in SNAPSHOT_ASSESSMENT_FIELDS},
        "assessor": str(assessment.assessor),
        "sides": {side: {name: getattr(rows[side], name) for name in _side_field_names()} for side in SIDES},
        "questionnaires": {r.measure: {"answers": r.answers, "total": r.total} for r in assessment.proms.all()},
        "age": derived.age,
        "lsi_threshold": derived.threshold,
        "derived": derived_as_dict(derived),
    }


@dataclass(frozen=True)
class VersionView:
    version: AssessmentVersion
    assessment: Assessment  # unsaved, rebuilt from the snapshot
    rows: dict[str, SideFindings]
    responses: list[PromResponse]
    derived: Derived


def _to_python(model, name: str, value):
    return model._meta.get_field(name).to_python(value)


def version_view(*, assessment: Assessment, number: int) -> VersionView:
    version = AssessmentVersion.objects.select_related("signed_by").get(assessment=assessment, number=number)
    data = version.snapshot
    rebuilt = Assessment(
        pk=assessment.pk,
        patient=assessment.patient,
        assessor=assessment.assessor,
        status=Assessment.Status.SIGNED,
        version=version.number,
        signed_at=version.signed_at,
        signed_by=version.signed_by,
        **{k: _to_python(Assessment, k, v) for k, v in data["assessment"].items()},
    )
    rows = {
        side: SideFindings(side=side, **{k: _to_python(SideFindings, k, v) for k, v in data["sides"][side].items()})
        for side in SIDES
    }
    responses = [
        PromResponse(measure=k, answers=v["answers"], total=_to_python(PromResponse, "total", v["total"]))
        for k, v in data["questionnaires"].items()
    ]
    derived = derive(
        rebuilt, rows=rows, responses=responses, age=data["age"], threshold=Decimal(str(data["lsi_threshold"]))
    )
    return VersionView(version=version, assessment=rebuilt, rows=rows, responses=responses, derived=derived)


# --- suggestions (the interface programs/ relies on; the rules live in assessments/suggestions.py) ----------------


def suggested_exercises(*, assessment_id: int):
    """Exercises (DOMAIN.md ids) suggested by an assessment's findings, best first. Raises Assessment.DoesNotExist."""
    from .suggestions import suggest

    return suggest(derive(get_assessment(assessment_id)))


# --- progress -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureDef:
    key: str
    label: str
    unit: str
    places: int
    higher_is_better: bool
    mcid: Decimal | None = None  # important change: at least this much
    mcid_percent: Decimal | None = None  # ... or at least this share of the earlier value (NPRS)
    mdc: Decimal | None = None  # beyond measurement error: more than this
    patient_label: str = ""  # the same measure in plain words, for the patient's report

    @property
    def sep(self) -> str:
        """No space before "/10", a space before "Nm/kg" or "%"."""
        return "" if self.unit.startswith("/") else " "

    @property
    def mcid_text(self) -> str:
        if self.mcid is None:
            return ""
        text = _fmt(self.mcid)
        if self.mcid_percent is not None:
            text = _("%(points)s points or %(percent)s %%") % {"points": text, "percent": _fmt(self.mcid_percent)}
        return text


PROM_PATIENT_LABELS = {
    "lefs": _lazy("Leg function questionnaire"),
    "akps": _lazy("Knee pain questionnaire"),
    "hos_adl": _lazy("Hip questionnaire, daily activities"),
    "hos_sports": _lazy("Hip questionnaire, sport"),
}
_NPRS = {"mcid": proms.NPRS_MCID, "mcid_percent": proms.NPRS_MCID_PERCENT}
_ENDURANCE = {"mdc": metrics.ENDURANCE_MDC_S}

MEASURE_DEFS = (
    MeasureDef("lsi", _lazy("Abduction strength symmetry (LSI)"), "%", 1, True,
               patient_label=_lazy("Strength of the sore side compared with the other side")),
    MeasureDef("nm_per_kg_left", _lazy("Abduction torque, left"), "Nm/kg", 2, True),
    MeasureDef("nm_per_kg_right", _lazy("Abduction torque, right"), "Nm/kg", 2, True),
    MeasureDef("endurance_left", _lazy("Abduction endurance, left"), "s", 0, True, **_ENDURANCE,
               patient_label=_lazy("Side-lying leg hold, left")),
    MeasureDef("endurance_right", _lazy("Abduction endurance, right"), "s", 0, True, **_ENDURANCE,
               patient_label=_lazy("Side-lying leg hold, right")),
    MeasureDef("step_down_left", _lazy("Lateral step-down, left"), "/6", 0, False),
    MeasureDef("step_down_right", _lazy("Lateral step-down, right"), "/6", 0, False),
    MeasureDef("nprs_now", _lazy("Pain now (NPRS)"), "/10", 0, False, **_NPRS, patient_label=_lazy("Pain now")),
    MeasureDef("nprs_worst_24h", _lazy("Worst pain in 24 h (NPRS)"), "/10", 0, False, **_NPRS,
               patient_label=_lazy("Worst pain in the last day")),
    MeasureDef("nprs_running", _lazy("Pain during running (NPRS)"), "/10", 0, False, **_NPRS,
               patient_label=_lazy("Pain when running")),
    *(
        MeasureDef(m.key, m.name, m.unit or f"/{m.total_max}", 1 if m.percent_of_answered else 0, True, m.mcid,
                   patient_label=PROM_PATIENT_LABELS[m.key])
        for m in proms.MEASURES.values()
    ),
)  # fmt: skip
PATIENT_MEASURES = ("nprs_now", "nprs_worst_24h", "nprs_running", "lsi", "endurance_left", "endurance_right",
                    *proms.MEASURES)  # fmt: skip


def measure_values(assessment: Assessment, derived: Derived) -> dict[str, Decimal | None]:
    def dec(value):
        return None if value is None else Decimal(value)

    values = {
        "lsi": derived.lsi,
        "nprs_now": dec(assessment.nprs_now),
        "nprs_worst_24h": dec(assessment.nprs_worst_24h),
        "nprs_running": dec(assessment.nprs_running),
    }
    for side in SIDES:
        result = derived.sides[side]
        values[f"nm_per_kg_{side}"] = result.strength.nm_per_kg
        row = result.row
        values[f"endurance_{side}"] = dec(row.endurance_s) if _tested(row, "endurance") else None
        values[f"step_down_{side}"] = dec(result.step_down_total)
    values.update({k: derived.prom_totals.get(k) for k in proms.MEASURES})
    return {d.key: metrics.rounded(values.get(d.key), d.places) for d in MEASURE_DEFS}


@dataclass(frozen=True)
class Row:
    measure: MeasureDef
    previous: Decimal | None
    latest: Decimal | None
    change: proms.Change | None


@dataclass(frozen=True)
class Visit:
    assessment: Assessment
    derived: Derived
    values: dict[str, Decimal | None]


@dataclass(frozen=True)
class Progress:
    visits: list[Visit]
    comparison: list[Row]
    summary: list[str]
    patient_summary: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[str]:
        """The summary without the change lines (the one-page report has the changes in its table)."""
        changes = set(change_lines(self))
        return [line for line in self.summary if line not in changes]

    @property
    def latest(self) -> Visit | None:
        return self.visits[-1] if self.visits else None

    @property
    def previous(self) -> Visit | None:
        return self.visits[-2] if len(self.visits) > 1 else None

    @property
    def patient_comparison(self) -> list[Row]:
        """The rows a patient is shown, in plain order: pain, then strength side to side, hold times, questionnaires."""
        rows = {row.measure.key: row for row in self.comparison}
        return [rows[key] for key in PATIENT_MEASURES if key in rows]

    def important_change(self, key: str, index: int) -> bool:
        """Whether visit `index` changed `key` by at least its MCID since the visit before."""
        if index == 0:
            return False
        measure = next(d for d in MEASURE_DEFS if d.key == key)
        found = compare(measure, self.visits[index - 1].values.get(key), self.visits[index].values.get(key))
        return bool(found and found.important)


def compare(measure: MeasureDef, previous: Decimal | None, latest: Decimal | None) -> proms.Change | None:
    # Without an MCID (strength, endurance, step-down) a change is shown but never called important; endurance has an
    # MDC, so a change there can still be "beyond measurement error".
    return proms.change(
        previous=previous,
        latest=latest,
        mcid=measure.mcid,
        mcid_percent=measure.mcid_percent,
        mdc=measure.mdc,
        higher_is_better=measure.higher_is_better,
    )


def progress(*, patient_id: int) -> Progress:
    threshold = lsi_threshold()
    visits = []
    for assessment in signed_assessments(patient_id=patient_id):
        derived = derive(assessment, threshold=threshold)
        visits.append(Visit(assessment=assessment, derived=derived, values=measure_values(assessment, derived)))
    comparison = []
    if visits:
        latest = visits[-1].values
        previous = visits[-2].values if len(visits) > 1 else {}
        for measure in MEASURE_DEFS:
            if latest.get(measure.key) is None and previous.get(measure.key) is None:
                continue
            comparison.append(
                Row(
                    measure=measure,
                    previous=previous.get(measure.key),
                    latest=latest.get(measure.key),
                    change=compare(measure, previous.get(measure.key), latest.get(measure.key)),
                )
            )
    result = Progress(visits=visits, comparison=comparison, summary=[])
    return Progress(
        visits=visits,
        comparison=comparison,
        summary=plain_summary(result),
        patient_summary=patient_summary(result),
    )


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def lsi_text(derived: Derived) -> str:
    """ "89.0 %, within measurement error (6.9 %) of 90 %": the LSI with the dynamometer's uncertainty."""
    values = {"lsi": _r(derived.lsi, 1), "flag": _r(derived.threshold, 0), "error": _r(derived.lsi_error, 1)}
    if derived.lsi_borderline:
        return _("%(lsi)s %%, within measurement error (%(error)s %%) of %(flag)s %%") % values
    if derived.lsi_flag:
        return _("%(lsi)s %%, under %(flag)s %% by more than the measurement error (%(error)s %%)") % values
    return _("%(lsi)s %%") % values


def reference_text(result: SideResult) -> str | None:
    """The runner reference beside the value, with its +/-1 SD band and what it applies to."""
    if result.reference_band is None or result.strength.nm_per_kg is None:
        return None
    low, high = result.reference_band
    where = {"below": _("below the band"), "within": _("within the band"), "above": _("above the band")}
    return _(
        "%(nm)s Nm/kg, %(pct)s %% of the %(expected)s expected for an adult novice runner of this age and sex "
        "(band %(low)s-%(high)s, ±1 SD; eccentric side-lying test, Ramskov 2014): %(where)s."
    ) % {
        "nm": _r(result.strength.nm_per_kg, 2),
        "pct": _r(result.strength.percent_of_expected, 0),
        "expected": _r(result.strength.expected_nm_per_kg, 2),
        "low": _r(low, 2),
        "high": _r(high, 2),
        "where": where[result.reference_position],
    }


def plain_summary(progress: Progress) -> list[str]:
    """The latest findings for clinicians (progress page, referrer's report): numbers and their uncertainty."""
    latest = progress.latest
    if latest is None:
        return []
    d, a = latest.derived, latest.assessment
    lines = []
    if d.lsi is not None:
        values = {
            "side": _("on the weaker side") if d.involved == "both" else _("on the involved side"),
            "lsi": _r(d.lsi, 1),
            "flag": _r(d.threshold, 0),
            "error": _r(d.lsi_error, 1),
        }
        text = _("Hip abduction strength %(side)s is %(lsi)s %% of the other side") % values
        if d.lsi_borderline:
            text += _(" (within measurement error, %(error)s %%, of the %(flag)s %% mark).") % values
        elif d.lsi_flag:
            text += _(", under the %(flag)s %% mark by more than the measurement error (%(error)s %%).") % values
        else:
            text += "."
        lines.append(text)
    involved = d.involved_result
    if involved and reference_text(involved):
        lines.append(_("Involved side: %(text)s") % {"text": reference_text(involved)})
    elif d.reference_note and any(r.strength.nm_per_kg is not None for r in d.sides.values()):
        lines.append(d.reference_note)
    positive = [
        s
        for s in SIDES
        if _tested(d.sides[s].row, "trendelenburg") and d.sides[s].row.trendelenburg_result == "positive"
    ]
    if positive:
        lines.append(
            _("Trendelenburg test positive on the %(sides)s side.") % {"sides": _(" and ").join(_(s) for s in positive)}
        )
    squat = []
    for s in SIDES:
        result = d.sides[s]
        if result.sls_fault_count is None or not result.row.sls_rating:
            continue
        faults = ngettext("%(n)s fault", "%(n)s faults", result.sls_fault_count) % {"n": result.sls_fault_count}
        rating = str(result.row.get_sls_rating_display()).lower()
        squat.append(_("%(side)s %(rating)s (%(faults)s)") % {"side": _(s), "rating": rating, "faults": faults})
    if squat:
        lines.append(_("Single-leg squat: %(sides)s.") % {"sides": ", ".join(squat)})
    if d.endurance_difference is not None:
        values = {"diff": _r(abs(d.endurance_difference), 0), "mdc": _r(metrics.ENDURANCE_MDC_S, 1)}
        if d.endurance_flag:
            lines.append(_("Endurance %(diff)s s shorter on the involved side: beyond measurement error (%(mdc)s s).")
                         % values)  # fmt: skip
        else:
            lines.append(_("Endurance side difference %(diff)s s: within measurement error (%(mdc)s s).") % values)
    if a.nprs_now is not None:
        lines.append(_("Pain now %(n)s/10.") % {"n": a.nprs_now})
    return lines + change_lines(progress)


def change_lines(progress: Progress) -> list[str]:
    """The changes since the previous visit that matter (MCID) or exceed measurement error (MDC), in words."""
    lines = []
    for row in progress.comparison:
        if not row.change:
            continue
        values = {
            "measure": row.measure.label,
            "before": _fmt(row.previous),
            "after": _fmt(row.latest),
            "mcid": row.measure.mcid_text,
            "mdc": _fmt(row.measure.mdc),
        }
        if row.change.important:
            if row.change.improved:
                text = _("%(measure)s: %(before)s → %(after)s, an important change (better; MCID %(mcid)s).")
            else:
                text = _("%(measure)s: %(before)s → %(after)s, an important change (worse; MCID %(mcid)s).")
            lines.append(text % values)
        elif row.change.beyond_error:
            lines.append(_("%(measure)s: %(before)s → %(after)s, beyond measurement error (MDC %(mdc)s).") % values)
    return lines


def _side_name(side: str) -> str:
    return str(_("left")) if side == "left" else str(_("right"))


def patient_summary(progress: Progress) -> list[str]:
    """The latest findings in the patient's own terms: no indices, units of torque or test names."""
    latest = progress.latest
    if latest is None:
        return []
    d = latest.derived
    lines = []
    if d.lsi is not None:
        if d.involved in SIDES:
            other = "right" if d.involved == "left" else "left"
            names = {"hip": _side_name(d.involved), "other": _side_name(other)}
        else:
            names = {"hip": _("weaker"), "other": _("other")}
        if d.lsi >= 100 - d.lsi_error:
            text = _("Your %(hip)s hip is now about as strong as your %(other)s hip.")
        elif not d.lsi_weak:
            text = _("Your %(hip)s hip is now nearly as strong as your %(other)s hip.")
        else:
            text = _("Your %(hip)s hip is still weaker than your %(other)s hip; your exercises work on this.")
        lines.append(text % names)
    stance = [
        s
        for s in SIDES
        if _tested(d.sides[s].row, "trendelenburg") and d.sides[s].row.trendelenburg_result == "positive"
    ]
    for side in stance:
        lines.append(
            _("When you stand on your %(side)s leg, your hips still tilt a little; the exercises help with this.")
            % {"side": _side_name(side)}
        )
    if d.endurance_flag:
        lines.append(_("The muscles on the side of your sore hip still tire sooner than on the other side."))
    for row in progress.patient_comparison:
        if row.change and row.change.important and row.measure.key.startswith(("nprs", *proms.MEASURES)):
            values = {"measure": row.measure.patient_label, "before": _fmt(row.previous), "after": _fmt(row.latest)}
            if row.change.improved:
                text = _("%(measure)s: from %(before)s to %(after)s since your last visit, a clear improvement.")
            else:
                text = _("%(measure)s: from %(before)s to %(after)s since your last visit, clearly worse.")
            lines.append(text % values)
    return lines


def prom_form_items(*, measure_key: str, pack: QuestionnairePack | None) -> dict[str, Any]:
    """What the form shows for a questionnaire: the pack's wording and options, or numbered items with a range."""
    measure = proms.MEASURES[measure_key]
    content = (pack.content.get("measures", {}) if pack else {}).get(measure_key)
    items = []
    for number in measure.item_numbers():
        text = content["items"][number - 1]["text"] if content else ""
        options = content["items"][number - 1]["options"] if content else None
        items.append(
            {
                "number": number,
                "text": text,
                "options": options,
                "max": measure.item_max[number - 1],
                "points": list(measure.item_points[number - 1]),
            }
        )
    return {
        "measure": measure,
        "title": content["title"] if content else measure.name,
        "instructions": content["instructions"] if content else "",
        "has_wording": content is not None,
        "items": items,
    }


def days_between(first: dt.date, second: dt.date) -> int:
    return (second - first).days


class Chart(NamedTuple):
    title: str
    svg: str
    table: str  # the same data as a table: the chart's text alternative


def progress_charts(progress: Progress, *, audience: str = "clinician") -> list[Chart]:
    """The charts of the progress page and report, each measure over time, with its data as a table. For the patient
    ("patient") only pain, strength side to side and the questionnaires, under plain titles."""
    from . import charts

    patient = audience == "patient"

    def series(label: str, key: str) -> charts.Series:
        return charts.Series(
            label=label,
            points=[
                charts.Point(
                    day=v.assessment.assessed_on, value=v.values.get(key), real_change=progress.important_change(key, i)
                )
                for i, v in enumerate(progress.visits)
            ],
        )

    threshold = progress.latest.derived.threshold if progress.latest else lsi_threshold()
    expected = progress.latest.derived.involved_result if progress.latest else None
    reference = None
    if expected and expected.strength.expected_nm_per_kg is not None:
        value = metrics.rounded(expected.strength.expected_nm_per_kg, 2)
        reference = (value, _("expected %(value)s") % {"value": value})
    mark = f"{threshold:.0f} %"
    strength_symmetry = (
        _("Strength of the sore side compared with the other side (%)") if patient else _("Strength symmetry (LSI, %)"),
        [series(_("Strength") if patient else "LSI", "lsi")],
        0,
        110,
        "%",
        (threshold, mark if patient else _("flag %(flag)s %%") % {"flag": f"{threshold:.0f}"}),
    )
    torque = (
        _("Abduction torque (Nm/kg)"),
        [series(_("Left"), "nm_per_kg_left"), series(_("Right"), "nm_per_kg_right")],
        0,
        2,
        "",
        reference,
    )
    pain = (
        _("Pain (0-10, lower is better)") if patient else _("Pain (NPRS 0-10, lower is better)"),
        [
            series(_("Now"), "nprs_now"),
            series(_("Worst in a day") if patient else _("Worst 24 h"), "nprs_worst_24h"),
            series(_("Running"), "nprs_running"),
        ],
        0,
        10,
        "",
        None,
    )
    short = {"lefs": _("Leg"), "akps": _("Knee"), "hos_adl": _("Hip, daily"), "hos_sports": _("Hip, sport")}
    questionnaires = (
        _("Questionnaires (higher is better)"),
        [series(short[m.key] if patient else m.name, m.key) for m in proms.MEASURES.values()],
        0,
        100,
        "",
        None,
    )
    wanted = [pain, strength_symmetry, questionnaires] if patient else [strength_symmetry, torque, pain, questionnaires]
    out = []
    for title, lines, low, high, unit, ref in wanted:
        lines = [s for s in lines if any(p.value is not None for p in s.points)]
        if lines:
            svg = charts.line_chart(title=title, series=lines, y_min=low, y_max=high, unit=unit, reference=ref)
            out.append(Chart(title, svg, charts.data_table(title=title, series=lines, unit=unit)))
    return out
