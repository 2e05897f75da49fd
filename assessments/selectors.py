"""Reads shared by the views, the API, the PDF task and other apps (programs uses suggested_exercises)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

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


@dataclass(frozen=True)
class Derived:
    age: int | None
    sex: str
    sides: dict[str, SideResult]
    involved: str  # left | right | both
    lsi: Decimal | None
    lsi_flag: bool
    lsi_basis: str  # how the index was formed, in words
    endurance_lsi: Decimal | None
    endurance_flag: bool
    threshold: Decimal
    prom_totals: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def left(self) -> SideResult:
        return self.sides["left"]

    @property
    def right(self) -> SideResult:
        return self.sides["right"]

    @property
    def involved_result(self) -> SideResult | None:
        return self.sides.get(self.involved)


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
    results = {}
    for side in SIDES:
        row = rows[side]
        hhd = _tested(row, "hhd")
        strength = metrics.strength(
            trials=row.hhd_trials if hhd else (),
            lever_arm_m=row.hhd_lever_arm_m if hhd else None,
            body_mass_kg=assessment.body_mass_kg,
            age=age,
            sex=assessment.sex_for_norms,
        )
        total = metrics.step_down_total(row.step_down_items) if _tested(row, "step_down") else None
        results[side] = SideResult(
            side=side,
            row=row,
            strength=strength,
            sls_fault_count=metrics.fault_count(row.sls_faults) if _tested(row, "sls") else None,
            step_down_total=total,
            step_down_band=metrics.step_down_band(total),
        )
    # LSI on torque: the same body mass cancels out, and differing lever arms are accounted for.
    lsi, basis = _symmetry(assessment.involved_side, {s: results[s].strength.torque_nm for s in SIDES})
    endurance = {
        s: Decimal(rows[s].endurance_s) if _tested(rows[s], "endurance") and rows[s].endurance_s is not None else None
        for s in SIDES
    }
    endurance_lsi, _ = _symmetry(assessment.involved_side, endurance)
    return Derived(
        age=age,
        sex=assessment.sex_for_norms,
        sides=results,
        involved=assessment.involved_side,
        lsi=lsi,
        lsi_flag=metrics.below_threshold(lsi, threshold),
        lsi_basis=basis,
        endurance_lsi=endurance_lsi,
        endurance_flag=metrics.below_threshold(endurance_lsi, threshold),
        threshold=threshold,
        prom_totals={r.measure: r.total for r in responses},
    )


def _r(value: Decimal | None, places: int) -> str | None:
    shown = metrics.rounded(value, places)
    return None if shown is None else str(shown)


def derived_as_dict(derived: Derived) -> dict[str, Any]:
    """Derived values rounded for display: the API's read-only block and the snapshot's record of what was shown."""
    sides = {}
    for side, result in derived.sides.items():
        s = result.strength
        sides[side] = {
            "best_force_n": _r(s.best_force_n, 1),
            "torque_nm": _r(s.torque_nm, 1),
            "nm_per_kg": _r(s.nm_per_kg, 2),
            "percent_body_weight": _r(s.percent_bw, 1),
            "expected_nm_per_kg": _r(s.expected_nm_per_kg, 2),
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
        "lsi_threshold_percent": _r(derived.threshold, 1),
        "endurance_lsi_percent": _r(derived.endurance_lsi, 1),
        "endurance_flag": derived.endurance_flag,
        "reference_note": None
        if derived.sex in ("female", "male")
        else _("No strength reference: Ramskov 2014 published values for men and women only."),
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


# --- suggestions (the interface programs/ relies on) ------------------------------------------------------------------

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
    "sl_squat_box": _lazy("Single-leg squat to box (chair)"),
    "sl_deadlift": _lazy("Single-leg deadlift"),
}


@dataclass(frozen=True)
class Suggestion:
    exercise_key: str
    reason: str
    priority: int  # lower = first


def suggest(derived: Derived) -> list[Suggestion]:
    """DOMAIN.md: a positive Trendelenburg, pelvic drop on the single-leg squat or an abduction LSI under the flag
    suggests the activation and strength rows first; good control with low endurance the standing and functional rows.
    Order follows side-lying activation -> isometric holds -> weight-bearing single-leg work."""
    pelvic, deficits = [], []
    for side in SIDES:
        row = derived.sides[side].row
        if _tested(row, "trendelenburg") and row.trendelenburg_result == "positive":
            pelvic.append(_("positive Trendelenburg (%(side)s)") % {"side": _(side)})
        if _tested(row, "sls") and row.sls_pelvic_drop:
            pelvic.append(_("pelvic drop on the single-leg squat (%(side)s)") % {"side": _(side)})
    deficits.extend(pelvic)
    if derived.lsi_flag:
        deficits.append(
            _("abduction strength symmetry %(lsi)s %% (under %(flag)s %%)")
            % {"lsi": _r(derived.lsi, 1), "flag": _r(derived.threshold, 0)}
        )
    out: list[Suggestion] = []
    if deficits:
        because = "; ".join(deficits)
        out += [
            Suggestion("clamshell", _("Activation first: %(why)s") % {"why": because}, 1),
            Suggestion("sidelying_abduction", _("Strength in side-lying: %(why)s") % {"why": because}, 2),
            Suggestion("wall_press", _("Isometric hold before weight-bearing work: %(why)s") % {"why": because}, 3),
        ]
        if pelvic:
            out.append(
                Suggestion("hip_hitch", _("Pelvic control in standing: %(why)s") % {"why": "; ".join(pelvic)}, 4)
            )
    elif derived.endurance_flag:
        because = _("good control, low endurance (symmetry %(lsi)s %%)") % {"lsi": _r(derived.endurance_lsi, 1)}
        functional = _("Functional single-leg work: %(why)s") % {"why": because}
        out += [
            Suggestion("band_walk", _("Standing work: %(why)s") % {"why": because}, 1),
            Suggestion("lateral_step_up", functional, 2),
            Suggestion("eccentric_step_down", functional, 3),
            Suggestion("sl_squat_box", functional, 4),
            Suggestion("sl_deadlift", functional, 5),
        ]
    poor_step = [s for s in SIDES if derived.sides[s].step_down_band in ("moderate", "poor")]
    if poor_step and not any(s.exercise_key == "eccentric_step_down" for s in out):
        bands = ", ".join(f"{_(s)} {_(derived.sides[s].step_down_band)}" for s in poor_step)
        out.append(
            Suggestion(
                "eccentric_step_down",
                _("Mirrors the lateral step-down test (%(bands)s)") % {"bands": bands},
                len(out) + 1,
            )
        )
    return sorted(out, key=lambda s: s.priority)


def suggested_exercises(*, assessment_id: int) -> list[Suggestion]:
    """Exercises (DOMAIN.md ids) suggested by an assessment's findings, best first. Raises Assessment.DoesNotExist."""
    return suggest(derive(get_assessment(assessment_id)))


# --- progress -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureDef:
    key: str
    label: str
    unit: str
    places: int
    higher_is_better: bool
    mcid: Decimal | None = None

    @property
    def sep(self) -> str:
        """No space before "/10", a space before "Nm/kg" or "%"."""
        return "" if self.unit.startswith("/") else " "


MEASURE_DEFS = (
    MeasureDef("lsi", _lazy("Abduction strength symmetry (LSI)"), "%", 1, True),
    MeasureDef("nm_per_kg_left", _lazy("Abduction torque, left"), "Nm/kg", 2, True),
    MeasureDef("nm_per_kg_right", _lazy("Abduction torque, right"), "Nm/kg", 2, True),
    MeasureDef("endurance_left", _lazy("Abduction endurance, left"), "s", 0, True),
    MeasureDef("endurance_right", _lazy("Abduction endurance, right"), "s", 0, True),
    MeasureDef("step_down_left", _lazy("Lateral step-down, left"), "/6", 0, False),
    MeasureDef("step_down_right", _lazy("Lateral step-down, right"), "/6", 0, False),
    MeasureDef("nprs_now", _lazy("Pain now (NPRS)"), "/10", 0, False, proms.NPRS_MCID),
    MeasureDef("nprs_worst_24h", _lazy("Worst pain in 24 h (NPRS)"), "/10", 0, False, proms.NPRS_MCID),
    MeasureDef("nprs_running", _lazy("Pain during running (NPRS)"), "/10", 0, False, proms.NPRS_MCID),
    *(
        MeasureDef(m.key, m.name, m.unit or f"/{m.total_max}", 1 if m.percent_of_answered else 0, True, m.mcid)
        for m in proms.MEASURES.values()
    ),
)


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

    @property
    def latest(self) -> Visit | None:
        return self.visits[-1] if self.visits else None

    @property
    def previous(self) -> Visit | None:
        return self.visits[-2] if len(self.visits) > 1 else None

    def real_change(self, key: str, index: int) -> bool:
        """Whether visit `index` changed `key` by more than its MCID since the visit before."""
        if index == 0:
            return False
        measure = next(d for d in MEASURE_DEFS if d.key == key)
        found = proms.change(
            previous=self.visits[index - 1].values.get(key),
            latest=self.visits[index].values.get(key),
            mcid=measure.mcid if measure.mcid is not None else Decimal("Infinity"),
            higher_is_better=measure.higher_is_better,
        )
        return bool(found and found.real)


def compare(measure: MeasureDef, previous: Decimal | None, latest: Decimal | None) -> proms.Change | None:
    return proms.change(
        previous=previous,
        latest=latest,
        # Without an MCID (strength, endurance, step-down) a change is shown but never called "real".
        mcid=measure.mcid if measure.mcid is not None else Decimal("Infinity"),
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
    return Progress(visits=visits, comparison=comparison, summary=plain_summary(result))


def _fmt(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:f}"


def plain_summary(progress: Progress) -> list[str]:
    """The latest findings in plain words, for the progress page and the report."""
    latest = progress.latest
    if latest is None:
        return []
    d, a = latest.derived, latest.assessment
    lines = []
    if d.lsi is not None:
        values = {"lsi": _r(d.lsi, 1), "flag": _r(d.threshold, 0)}
        if d.involved == "both":
            text = _("Hip abduction strength on the weaker side is %(lsi)s %% of the other side") % values
        else:
            text = _("Hip abduction strength on the involved side is %(lsi)s %% of the other side") % values
        text += (_(", under the %(flag)s %% mark.") % values) if d.lsi_flag else "."
        lines.append(text)
    involved = d.involved_result
    if involved and involved.strength.percent_of_expected is not None:
        lines.append(
            _(
                "Involved-side strength is %(nm)s Nm/kg, %(pct)s %% of the value expected for a runner of this age "
                "and sex."
            )
            % {"nm": _r(involved.strength.nm_per_kg, 2), "pct": _r(involved.strength.percent_of_expected, 0)}
        )
    elif d.sex not in ("female", "male") and any(r.strength.nm_per_kg is not None for r in d.sides.values()):
        lines.append(_("No runner reference is available for this patient's sex, so strength is not compared to one."))
    positive = [
        s
        for s in SIDES
        if _tested(d.sides[s].row, "trendelenburg") and d.sides[s].row.trendelenburg_result == "positive"
    ]
    if positive:
        lines.append(
            _("Trendelenburg test positive on the %(sides)s side.") % {"sides": _(" and ").join(_(s) for s in positive)}
        )
    squat = [
        _("%(side)s %(rating)s (%(n)s faults)")
        % {
            "side": _(s),
            "rating": str(d.sides[s].row.get_sls_rating_display()).lower(),
            "n": d.sides[s].sls_fault_count,
        }
        for s in SIDES
        if d.sides[s].sls_fault_count is not None and d.sides[s].row.sls_rating
    ]
    if squat:
        lines.append(_("Single-leg squat: %(sides)s.") % {"sides": ", ".join(squat)})
    if a.nprs_now is not None:
        lines.append(_("Pain now %(n)s/10.") % {"n": a.nprs_now})
    for row in progress.comparison:
        if row.change and row.change.real:
            values = {
                "measure": row.measure.label,
                "before": _fmt(row.previous),
                "after": _fmt(row.latest),
                "mcid": _fmt(row.measure.mcid),
            }
            if row.change.improved:
                text = _("%(measure)s: %(before)s → %(after)s, a real change (better, more than the MCID of %(mcid)s).")
            else:
                text = _("%(measure)s: %(before)s → %(after)s, a real change (worse, more than the MCID of %(mcid)s).")
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
        items.append({"number": number, "text": text, "options": options, "max": measure.item_max[number - 1]})
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


def progress_charts(progress: Progress) -> list[Chart]:
    """The charts of the progress page and report, each measure over time."""
    from . import charts

    def series(label: str, key: str) -> charts.Series:
        return charts.Series(
            label=label,
            points=[
                charts.Point(
                    day=v.assessment.assessed_on, value=v.values.get(key), real_change=progress.real_change(key, i)
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
    wanted = [
        (
            _("Strength symmetry (LSI, %)"),
            [series("LSI", "lsi")],
            0,
            110,
            "%",
            (threshold, _("flag %(flag)s %%") % {"flag": f"{threshold:.0f}"}),
        ),
        (
            _("Abduction torque (Nm/kg)"),
            [series(_("Left"), "nm_per_kg_left"), series(_("Right"), "nm_per_kg_right")],
            0,
            2,
            "",
            reference,
        ),
        (
            _("Pain (NPRS 0-10, lower is better)"),
            [
                series(_("Now"), "nprs_now"),
                series(_("Worst 24 h"), "nprs_worst_24h"),
                series(_("Running"), "nprs_running"),
            ],
            0,
            10,
            "",
            None,
        ),
        (
            _("Questionnaires (higher is better)"),
            [series(m.name, m.key) for m in proms.MEASURES.values()],
            0,
            100,
            "",
            None,
        ),
    ]
    out = []
    for title, lines, low, high, unit, ref in wanted:
        lines = [s for s in lines if any(p.value is not None for p in s.points)]
        if lines:
            svg = charts.line_chart(title=title, series=lines, y_min=low, y_max=high, unit=unit, reference=ref)
            out.append(Chart(title, svg, charts.data_table(title=title, series=lines, unit=unit)))
    return out
