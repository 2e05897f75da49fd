"""Every write to an assessment, with its rules and its audit entry, in one transaction.

The lifecycle: draft -> signed (version 1) -> amending (with a reason) -> signed (version 2) ... A signed assessment is
never edited in place: start_amendment() opens it again with a reason, and each signature stores a full snapshot, so
every earlier version stays readable. The database refuses edits to signed rows as well (migration 0002).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from clinic import audit, pending_tasks
from clinic.selectors import get_practice
from patients.models import Patient

from . import proms, selectors
from .models import (
    STEP_DOWN_ITEM_MAX,
    STEP_DOWN_ITEMS,
    Assessment,
    AssessmentVersion,
    ProgressReport,
    PromResponse,
    QuestionnairePack,
    SideFindings,
    TestStatus,
)

# The editable visit fields are exactly the ones a signed version keeps (one list, in selectors).
ASSESSMENT_FIELDS = selectors.SNAPSHOT_ASSESSMENT_FIELDS

# Each test's fields on a side, after its status and reason. The first required field(s) must be filled to sign.
TESTS: dict[str, tuple[str, ...]] = {
    "trendelenburg": (
        "trendelenburg_result",
        "trendelenburg_trunk_lean",
        "trendelenburg_hold_s",
        "trendelenburg_pelvic_drop_deg",
    ),
    "sls": (
        "sls_rating",
        "sls_pelvic_drop",
        "sls_pelvic_shift",
        "sls_knee_valgus",
        "sls_knee_wobble",
        "sls_trunk_lean",
        "sls_trunk_flexion",
        "sls_balance_loss",
        "sls_foot_collapse",
    ),
    "step_down": STEP_DOWN_ITEMS,
    "mmt": ("mmt_grade", "mmt_modifier"),
    "hhd": ("hhd_trial_1_n", "hhd_trial_2_n", "hhd_trial_3_n", "hhd_lever_arm_m"),
    "endurance": ("endurance_s", "endurance_stop_reason"),
    "gait": ("gait_pelvic_drop_deg", "gait_trunk_lean_deg"),
}
SIDE_FIELDS = tuple(f for test, fields in TESTS.items() for f in (f"{test}_status", f"{test}_reason", *fields))
TEST_NAMES = {
    "trendelenburg": _lazy("Trendelenburg"),
    "sls": _lazy("Single-leg squat"),
    "step_down": _lazy("Lateral step-down"),
    "mmt": _lazy("Manual muscle test"),
    "hhd": _lazy("Dynamometry"),
    "endurance": _lazy("Endurance"),
    "gait": _lazy("Running gait"),
}


class AssessmentLocked(Exception):
    """The assessment is signed: a change needs an amendment with a reason (HTTP 409)."""


class WrongState(Exception):
    """The action does not fit the assessment's status (e.g. amending a draft) (HTTP 409)."""


def _in_future(day) -> bool:
    return isinstance(day, dt.date) and day > timezone.localdate()


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _audit(*, action: str, assessment: Assessment, actor, request, summary: str, detail: dict | None = None) -> None:
    audit.record(
        action=action,
        request=request,
        actor=actor,
        obj=assessment,
        patient_id=assessment.patient_id,
        summary=summary,
        detail=detail,
    )


@transaction.atomic
def create_assessment(*, patient: Patient, actor, request=None, involved_side: str, **fields: Any) -> Assessment:
    """A new draft with both sides' battery rows.

    Sex for norms defaults to the patient's, the step-down height to the practice's setting."""
    unknown = set(fields) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown assessment fields: {sorted(unknown)}")
    fields.setdefault("sex_for_norms", patient.sex)
    fields.setdefault("step_down_height_cm", get_practice().step_down_height_cm)
    fields = {k: v for k, v in fields.items() if v is not None or k in ("appointment_id",)}
    assessment = Assessment(patient=patient, assessor=actor, involved_side=involved_side, **fields)
    assessment.full_clean(exclude=["signed_by"])
    if _in_future(assessment.assessed_on):
        raise ValidationError({"assessed_on": [_("The assessment date cannot be in the future.")]})
    assessment.save()
    SideFindings.objects.bulk_create([SideFindings(assessment=assessment, side=side) for side in ("left", "right")])
    _audit(
        action=audit.Action.CREATE,
        assessment=assessment,
        actor=actor,
        request=request,
        summary=f"Assessment of {assessment.assessed_on}",
    )
    return assessment


def _lock(assessment: Assessment) -> Assessment:
    # Row lock: an autosave racing a signature must not slip an edit in after the snapshot was taken.
    return Assessment.objects.select_for_update().select_related("patient").get(pk=assessment.pk)


def _require_editable(assessment: Assessment) -> None:
    if assessment.status == Assessment.Status.SIGNED:
        raise AssessmentLocked(
            _("This assessment is signed and locked. Start an amendment (with a reason) to correct it.")
        )


def _apply_side(row: SideFindings, values: Mapping[str, Any], errors: dict[str, list[str]]) -> bool:
    changed = False
    for name, value in values.items():
        if name not in SIDE_FIELDS:
            errors.setdefault(f"{row.side}.{name}", []).append(_("Unknown field."))
            continue
        if value is None and not row._meta.get_field(name).null:
            value = False if isinstance(row._meta.get_field(name).default, bool) else ""
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    for item in STEP_DOWN_ITEMS:
        value = getattr(row, item)
        if value is not None and not 0 <= value <= STEP_DOWN_ITEM_MAX[item]:
            errors.setdefault(f"{row.side}.{item}", []).append(
                _("Score this item 0-%(top)s.") % {"top": STEP_DOWN_ITEM_MAX[item]}
            )
    for test in TESTS:
        if getattr(row, f"{test}_status") == TestStatus.UNABLE and not getattr(row, f"{test}_reason").strip():
            errors.setdefault(f"{row.side}.{test}_reason", []).append(_("Say why the test could not be done."))
    try:
        row.full_clean(exclude=["assessment"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(f"{row.side}.{field}", []).extend(messages)
    return changed


def _save_proms(assessment: Assessment, answers_by_measure: Mapping[str, Mapping], errors: dict) -> list[str]:
    saved = []
    for key, answers in answers_by_measure.items():
        measure = proms.MEASURES.get(key)
        if measure is None:
            errors.setdefault(key, []).append(_("Unknown questionnaire."))
            continue
        try:
            cleaned = proms.clean_answers(measure, answers or {})
        except proms.AnswerError as exc:
            for item, message in exc.errors.items():
                errors.setdefault(f"{key}.{item}", []).append(message)
            continue
        if proms.answered(cleaned) == 0:
            PromResponse.objects.filter(assessment=assessment, measure=key).delete()
            continue
        PromResponse.objects.update_or_create(
            assessment=assessment,
            measure=key,
            defaults={"answers": cleaned, "total": proms.total(measure, cleaned)},
        )
        saved.append(key)
    return saved


@transaction.atomic
def update_assessment(
    *,
    assessment: Assessment,
    actor,
    request=None,
    fields: Mapping[str, Any] | None = None,
    sides: Mapping[str, Mapping[str, Any]] | None = None,
    answers: Mapping[str, Mapping] | None = None,
    autosave: bool = False,
) -> Assessment:
    """Change a draft (or an amendment in progress). All or nothing: any invalid value raises ValidationError
    with keys like "body_mass_kg", "left.hhd_trial_1_n" or "lefs.3", and nothing is saved."""
    assessment = _lock(assessment)
    _require_editable(assessment)
    errors: dict[str, list[str]] = {}
    fields = dict(fields or {})
    unknown = set(fields) - set(ASSESSMENT_FIELDS)
    for name in unknown:
        errors.setdefault(name, []).append(_("Unknown field."))
    changed = sorted(k for k in fields if k in ASSESSMENT_FIELDS and getattr(assessment, k) != fields[k])
    for name in ASSESSMENT_FIELDS:
        if name in fields:
            value = fields[name]
            if value is None and name in ("findings", "plan"):
                value = ""
            setattr(assessment, name, value)
    try:
        assessment.full_clean(exclude=["patient", "assessor", "signed_by"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if _in_future(assessment.assessed_on):
        errors.setdefault("assessed_on", []).append(_("The assessment date cannot be in the future."))
    rows = {row.side: row for row in assessment.sides.all()}
    changed_sides = []
    for side, values in (sides or {}).items():
        if side not in rows:
            errors.setdefault(side, []).append(_("Sides are left and right."))
            continue
        if _apply_side(rows[side], values, errors):
            changed_sides.append(side)
    saved_proms = _save_proms(assessment, answers or {}, errors)
    if errors:
        raise ValidationError(errors)  # leaving the atomic block rolls back the questionnaire rows too
    assessment.updated_at = timezone.now()
    assessment.save()
    for side in changed_sides:
        rows[side].save()
    _audit(
        action=audit.Action.CHANGE,
        assessment=assessment,
        actor=actor,
        request=request,
        summary="Draft autosaved" if autosave else "Assessment updated",
        # Names only: the audit trail must not become a second copy of the clinical record.
        detail={"fields": changed, "sides": changed_sides, "questionnaires": saved_proms},
    )
    return assessment


def _completeness_errors(assessment: Assessment) -> dict[str, list[str]]:
    """What must be true before a signature: each test has a result, or is marked not tested / unable."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    rows = {row.side: row for row in assessment.sides.all()}
    for side, row in rows.items():
        label = str(row.get_side_display()).lower()
        for test, names in TESTS.items():
            status = getattr(row, f"{test}_status")
            if status != TestStatus.TESTED:
                continue
            where = {"test": TEST_NAMES[test], "side": label}
            if test == "step_down":
                missing = [n for n in names if getattr(row, n) is None]
                if missing:
                    add(
                        f"{side}.{missing[0]}",
                        _("%(test)s (%(side)s): score all five items, or mark it not tested.") % where,
                    )
            elif test == "hhd":
                if all(t is None for t in row.hhd_trials):
                    add(
                        f"{side}.hhd_trial_1_n",
                        _("%(test)s (%(side)s): enter at least one trial, or mark it not tested.") % where,
                    )
                if row.hhd_lever_arm_m is None:
                    add(f"{side}.hhd_lever_arm_m", _("%(test)s (%(side)s): enter the lever arm.") % where)
            elif test == "gait":
                if row.gait_pelvic_drop_deg is None and row.gait_trunk_lean_deg is None:
                    add(
                        f"{side}.gait_pelvic_drop_deg",
                        _("%(test)s (%(side)s): enter an angle, or mark it not tested.") % where,
                    )
            elif _blank(getattr(row, names[0])):
                add(f"{side}.{names[0]}", _("%(test)s (%(side)s): enter a result, or mark it not tested.") % where)
            if test == "trendelenburg" and row.trendelenburg_result == "negative":
                # Hardcastle & Nade 1985: a trunk lean over the stance leg, or a hold under 30 s, is a positive test.
                if row.trendelenburg_trunk_lean:
                    add(
                        f"{side}.trendelenburg_result",
                        _("Trendelenburg (%(side)s): a trunk lean over the stance leg makes the test positive.")
                        % where,
                    )
                elif row.trendelenburg_hold_s is not None and row.trendelenburg_hold_s < 30:
                    add(
                        f"{side}.trendelenburg_result",
                        _("Trendelenburg (%(side)s): a hold under 30 s makes the test positive.") % where,
                    )
            if test == "endurance" and row.endurance_s is not None and not row.endurance_stop_reason:
                add(f"{side}.endurance_stop_reason", _("%(test)s (%(side)s): choose why the hold stopped.") % where)
    # The symmetry index needs both sides: one side measured and the other silently skipped is refused.
    if set(rows) == {"left", "right"}:
        left, right = rows["left"].hhd_status, rows["right"].hhd_status
        for side, mine, other in (("left", left, right), ("right", right, left)):
            if mine == TestStatus.TESTED and other == TestStatus.NOT_TESTED:
                other_side = "right" if side == "left" else "left"
                add(
                    f"{other_side}.hhd_status",
                    _(
                        "Dynamometry needs both sides for the symmetry index: measure the %(side)s side too, "
                        "or mark it unable with a reason."
                    )
                    % {"side": _(other_side)},
                )
    if any(row.hhd_status == TestStatus.TESTED for row in rows.values()) and assessment.body_mass_kg is None:
        add("body_mass_kg", _("Enter the body mass: strength is expressed per kilogram."))
    for response in assessment.proms.all():
        measure = proms.MEASURES[response.measure]
        if response.total is None:
            values = {"name": measure.name, "done": proms.answered(response.answers), "items": measure.items}
            if measure.min_answered:
                # HOS: a score from too few answered items is not valid, so it is neither shown nor signed.
                text = _("%(name)s: answer at least %(min)s of %(items)s items (%(done)s so far) or clear it.")
                values["min"] = measure.min_answered
            else:
                text = _("%(name)s: answer every item (%(done)s of %(items)s so far) or clear it.")
            add(response.measure, text % values)
    return errors


@transaction.atomic
def sign_assessment(*, assessment: Assessment, actor, request=None) -> Assessment:
    """Sign a draft or an amendment: lock it and keep a snapshot as the next version."""
    assessment = _lock(assessment)
    if assessment.status == Assessment.Status.SIGNED:
        raise WrongState(_("This assessment is already signed."))
    errors = _completeness_errors(assessment)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    reason = assessment.amendment_reason if assessment.status == Assessment.Status.AMENDING else ""
    assessment.version += 1
    assessment.status = Assessment.Status.SIGNED
    assessment.signed_at = now
    assessment.signed_by = actor
    assessment.amendment_reason = ""
    assessment.updated_at = now
    assessment.save()
    AssessmentVersion.objects.create(
        assessment=assessment,
        number=assessment.version,
        # Round-trip through JSON text: Decimals and dates are stored as strings, exactly as shown.
        snapshot=json.loads(json.dumps(selectors.snapshot(assessment), default=str)),
        reason=reason,
        signed_at=now,
        signed_by=actor,
    )
    _audit(
        action=audit.Action.CHANGE,
        assessment=assessment,
        actor=actor,
        request=request,
        summary=f"Assessment signed (version {assessment.version})" + (" - amendment" if reason else ""),
    )
    return assessment


@transaction.atomic
def start_amendment(*, assessment: Assessment, actor, reason: str, request=None) -> Assessment:
    """Open a signed assessment for correction. The signed version stays as it was; the next signature adds one."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the signed assessment needs an amendment.")]})
    assessment = _lock(assessment)
    if assessment.status != Assessment.Status.SIGNED:
        raise WrongState(_("Only a signed assessment can be amended; a draft can simply be edited."))
    assessment.status = Assessment.Status.AMENDING
    assessment.amendment_reason = reason[:2000]
    assessment.updated_at = timezone.now()
    assessment.save(update_fields=["status", "amendment_reason", "updated_at"])
    _audit(
        action=audit.Action.CHANGE,
        assessment=assessment,
        actor=actor,
        request=request,
        summary="Amendment started",
        detail={"reason": reason[:500]},
    )
    return assessment


@transaction.atomic
def delete_draft(*, assessment: Assessment, actor, request=None) -> None:
    """Throw away a draft that was never signed. Signed assessments are never deleted."""
    assessment = _lock(assessment)
    if assessment.status != Assessment.Status.DRAFT:
        raise AssessmentLocked(_("Only a draft that was never signed can be deleted."))
    _audit(action=audit.Action.DELETE, assessment=assessment, actor=actor, request=request, summary="Draft deleted")
    assessment.delete()


@transaction.atomic
def load_questionnaire_pack(*, data: object, actor=None) -> QuestionnairePack:
    """Validate and activate a practice's licensed questionnaire pack; the previous one is kept, inactive."""
    try:
        cleaned = proms.validate_pack(data)
    except proms.PackError as exc:
        raise ValidationError({"pack": [str(exc)]}) from exc
    QuestionnairePack.objects.select_for_update().filter(is_active=True).update(is_active=False)
    pack = QuestionnairePack.objects.create(
        name=cleaned["name"],
        licence=cleaned["licence"],
        language=cleaned["language"],
        content=cleaned,
        is_active=True,
        loaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(action=audit.Action.CREATE, actor=actor, obj=pack, summary=f"Questionnaire pack {pack.name}")
    return pack


@transaction.atomic
def request_progress_report(*, patient: Patient, audience: str, actor, request=None) -> ProgressReport:
    """Queue a progress report PDF; a worker renders it after this transaction commits."""
    from .tasks import render_progress_report

    if audience not in ProgressReport.Audience.values:
        raise ValidationError({"audience": [_("Choose patient or referring doctor.")]})
    if not selectors.signed_assessments(patient_id=patient.pk).exists():
        raise ValidationError({"__all__": [_("There is no signed assessment to report on yet.")]})
    report = ProgressReport.objects.create(patient=patient, audience=audience, requested_by=actor)
    audit.record(
        action=audit.Action.EXPORT,
        request=request,
        actor=actor,
        obj=report,
        patient_id=patient.pk,
        summary=f"Progress report requested ({audience})",
    )
    pending_tasks.enqueue(render_progress_report, report.pk)
    return report


def store_rendered_report(*, report_id: int, pdf: bytes) -> ProgressReport:
    """Save the PDF (atomically: all of it or nothing, clinic.files), then mark the report ready.

    The stale copy of a re-render is deleted only once the new one is committed, so a failure keeps the old file.
    """
    if not pdf:
        raise ValueError("an empty PDF is never stored")
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report_id)
        stale = report.file.name if report.file else ""
        storage = report.file.storage
        report.file.save("report.pdf", ContentFile(pdf), save=False)  # report_path chooses a random name
        fresh = report.file.name
        transaction.on_commit(lambda: stale and stale != fresh and storage.delete(stale))
        try:
            report.status = ProgressReport.Status.READY
            report.rendered_at = timezone.now()
            report.error = ""
            report.save()
        except BaseException:
            storage.delete(fresh)
            raise
    return report


def mark_report_failed(*, report_id: int, error: str) -> None:
    ProgressReport.objects.filter(pk=report_id).update(status=ProgressReport.Status.FAILED, error=error[:255])


def retry_progress_report(*, report: ProgressReport, actor, request=None) -> ProgressReport:
    """Ask again for a report whose render failed; a worker renders it after commit."""
    from .tasks import render_progress_report

    with transaction.atomic():
        claimed = ProgressReport.objects.filter(pk=report.pk, status=ProgressReport.Status.FAILED).update(
            status=ProgressReport.Status.PENDING, error="", requested_at=timezone.now()
        )
        if not claimed:
            raise ValidationError({"__all__": [_("Only a failed report can be prepared again.")]})
        audit.record(
            action=audit.Action.EXPORT,
            request=request,
            actor=actor,
            obj=report,
            patient_id=report.patient_id,
            summary="Progress report requested again after a failure",
        )
        pending_tasks.enqueue(render_progress_report, report.pk)
    report.refresh_from_db()
    return report


def record_view(*, assessment: Assessment, request, summary: str = "Assessment viewed") -> None:
    _audit(action=audit.Action.VIEW, assessment=assessment, actor=None, request=request, summary=summary)


def record_patient_view(*, patient_id: int, request, summary: str) -> None:
    audit.record(
        action=audit.Action.VIEW,
        request=request,
        object_type="patients.patient",
        object_id=patient_id,
        patient_id=patient_id,
        summary=summary,
    )


def threshold() -> Decimal:
    return Decimal(get_practice().lsi_flag_percent)
