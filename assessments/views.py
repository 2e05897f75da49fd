"""HTML views: thin. Parse with forms, act through services, read through selectors. Physios and admins only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from clinic import audit
from clinic.files import private_file_response
from clinic.permissions import CLINICAL_EDIT, CLINICAL_VIEW, require
from patients.models import Patient

from . import proms, selectors, services, suggestions
from .forms import AmendForm, NewAssessmentForm, PromForm, ReportForm, SideForm, VisitForm
from .models import Assessment, ProgressReport
from .selectors import SIDES

SIDE_LABELS = {"left": _lazy("Left"), "right": _lazy("Right")}
# Rows of the entry form: (test key, title, field names after status and reason).
FORM_TESTS = [(test, services.TEST_NAMES[test], names) for test, names in services.TESTS.items()]


def _assessment_or_404(pk: int) -> Assessment:
    try:
        return selectors.get_assessment(pk)
    except Assessment.DoesNotExist:
        raise Http404 from None


def _build_forms(assessment: Assessment, data=None):
    pack = selectors.active_pack()
    rows = {row.side: row for row in assessment.sides.all()}
    visit = VisitForm(data, instance=assessment)
    sides = {side: SideForm(data, instance=rows[side], prefix=side) for side in SIDES}
    responses = {r.measure: r for r in assessment.proms.all()}
    prom_forms = {}
    for key in proms.MEASURES:
        items = selectors.prom_form_items(measure_key=key, pack=pack)
        answers = responses[key].answers if key in responses else {}
        initial = {f"item_{n}": v for n, v in answers.items() if v is not None}
        prom_forms[key] = PromForm(data, prefix=key, measure_key=key, items=items, initial=initial)
    return pack, visit, sides, prom_forms


def _apply_errors(exc: ValidationError, visit, sides, prom_forms) -> None:
    for key, messages_ in exc.message_dict.items():
        head, _dot, rest = key.partition(".")
        if head in sides and rest in sides[head].fields:
            sides[head].add_error(rest, messages_)
        elif head in prom_forms:
            name = f"item_{rest}" if rest else None
            prom_forms[head].add_error(name if name in prom_forms[head].fields else None, messages_)
        elif key in visit.fields:
            visit.add_error(key, messages_)
        else:
            visit.add_error(None, messages_)


def _save(request, assessment: Assessment, visit, sides, prom_forms, *, autosave: bool) -> bool:
    """Save every valid value (an invalid one keeps its old stored value); True when the whole form was valid."""
    valid = all(
        [visit.is_valid(), *(f.is_valid() for f in sides.values()), *(f.is_valid() for f in prom_forms.values())]
    )
    try:
        services.update_assessment(
            assessment=assessment,
            actor=request.user,
            request=request,
            fields=dict(visit.cleaned_data),
            sides={side: dict(form.cleaned_data) for side, form in sides.items()},
            answers={key: form.answers() for key, form in prom_forms.items() if not form.errors},
            autosave=autosave,
        )
    except ValidationError as exc:
        _apply_errors(exc, visit, sides, prom_forms)
        return False
    except services.AssessmentLocked as exc:  # signed by someone else a moment ago
        visit.add_error(None, str(exc))
        return False
    return valid


def _error_list(visit, sides, prom_forms) -> list[dict]:
    """Every error with the label of its field and the id to jump to, for the autosave status line."""
    out = []
    for prefix, form in [("", visit), *sides.items(), *prom_forms.items()]:
        for name, errors in form.errors.items():
            if name == "__all__":
                out += [{"label": "", "id": "", "message": e} for e in errors]
                continue
            bound = form[name]
            label = str(bound.label)
            if prefix in SIDES:
                label = f"{SIDE_LABELS[prefix]} {label[:1].lower()}{label[1:]}"
            elif prefix:
                label = f"{proms.MEASURES[prefix].name} {label}"
            out += [{"label": label, "id": bound.id_for_label, "message": e} for e in errors]
    return out


def _entry_context(assessment, pack, visit, sides, prom_forms) -> dict:
    def cells(name: str, label: str, title: str) -> list:
        # Each input's accessible name says side, test and field: "Left Dynamometry trial 1 (N)".
        return [(sides[s][name], f"{SIDE_LABELS[s]} {title} {label[:1].lower()}{label[1:]}") for s in SIDES]

    tests = []
    for test, title, names in FORM_TESTS:
        rows = [(_("Status"), cells(f"{test}_status", str(_("status")), title))]
        rows.append((_("Reason if not done"), cells(f"{test}_reason", str(_("reason")), title)))
        rows += [(sides["left"][n].label, cells(n, str(sides["left"][n].label), title)) for n in names]
        tests.append({"key": test, "title": title, "rows": rows})
    return {
        "assessment": assessment,
        "patient": assessment.patient,
        "visit": visit,
        "sides": sides,
        "tests": tests,
        "prom_forms": list(prom_forms.values()),
        "pack": pack,
        "errors": _error_list(visit, sides, prom_forms),
        "result": _result_context(assessment, selectors.derive(assessment), list(assessment.proms.all())),
    }


@require(CLINICAL_VIEW)
def patient_panel(request, patient_id: int):
    patient = get_object_or_404(Patient, pk=patient_id)
    assessments = list(selectors.assessments_for_patient(patient_id=patient.pk))
    threshold = selectors.lsi_threshold()
    rows = [(a, selectors.derive(a, threshold=threshold)) for a in assessments]
    services.record_patient_view(patient_id=patient.pk, request=request, summary="Assessments panel viewed")
    return render(
        request,
        "assessments/_panel.html",
        {"patient": patient, "rows": rows, "new_form": NewAssessmentForm(prefix=f"new{patient.pk}")},
    )


@require(CLINICAL_EDIT)
@require_POST
def assessment_create(request, patient_id: int):
    patient = get_object_or_404(Patient, pk=patient_id)
    form = NewAssessmentForm(request.POST, prefix=f"new{patient.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose the involved side to start an assessment."))
        return redirect("patients:detail", pk=patient.pk)
    assessment = services.create_assessment(
        patient=patient,
        actor=request.user,
        request=request,
        involved_side=form.cleaned_data["involved_side"],
        appointment_id=form.cleaned_data["appointment_id"],
    )
    return redirect("assessments:edit", pk=assessment.pk)


@require(CLINICAL_VIEW)
def assessment_detail(request, pk: int):
    assessment = _assessment_or_404(pk)
    derived = selectors.derive(assessment)
    services.record_view(assessment=assessment, request=request)
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "patient": assessment.patient,
            "result": _result_context(assessment, derived, list(assessment.proms.all())),
            "versions": selectors.versions_of(assessment_id=assessment.pk),
            "suggestions": [
                {"key": s.exercise_key, "name": suggestions.EXERCISE_NAMES[s.exercise_key], "reason": s.reason}
                for s in suggestions.suggest(derived)
            ],
            "program_url": f"/programs/new/?assessment={assessment.pk}",
        },
    )


def _result_context(assessment, derived, responses) -> dict:
    values = selectors.derived_as_dict(derived)
    rows = derived.sides
    return {
        "a": assessment,
        "d": derived,
        "v": values,
        "left": rows["left"].row,
        "right": rows["right"].row,
        "pairs": [(rows[s].row, values["sides"][s], rows[s]) for s in SIDES],
        "lsi_text": selectors.lsi_text(derived) if derived.lsi is not None else "",
        "references": [
            (SIDE_LABELS[s], text) for s in SIDES if (text := selectors.reference_text(rows[s])) is not None
        ],
        "responses": [
            {
                "measure": proms.MEASURES[r.measure],
                "total": r.total,
                "answered": proms.answered(r.answers),
                "needed": proms.MEASURES[r.measure].min_answered or proms.MEASURES[r.measure].items,
            }
            for r in responses
        ],
        "tests": [(t, services.TEST_NAMES[t]) for t in services.TESTS],
    }


@require(CLINICAL_VIEW)
def assessment_version(request, pk: int, number: int):
    assessment = _assessment_or_404(pk)
    try:
        view = selectors.version_view(assessment=assessment, number=number)
    except selectors.AssessmentVersion.DoesNotExist:
        raise Http404 from None
    services.record_view(assessment=assessment, request=request, summary=f"Assessment version {number} viewed")
    return render(
        request,
        "assessments/version.html",
        {
            "assessment": assessment,
            "patient": assessment.patient,
            "version": view.version,
            "result": _result_context(view.assessment, view.derived, view.responses),
            "versions": selectors.versions_of(assessment_id=assessment.pk),
        },
    )


@require(CLINICAL_EDIT)
def assessment_edit(request, pk: int):
    assessment = _assessment_or_404(pk)
    if assessment.is_locked:
        messages.warning(request, _("This assessment is signed. To correct it, start an amendment with a reason."))
        return redirect("assessments:amend", pk=pk)
    if request.method == "POST":
        pack, visit, sides, prom_forms = _build_forms(assessment, request.POST)
        action = request.POST.get("action", "save")
        signed = False
        # One transaction for save-then-sign, so a late autosave cannot slip older values in between the two. A
        # refused signature rolls back only its own savepoint: the entries saved just before stay saved.
        with transaction.atomic():
            saved = _save(request, assessment, visit, sides, prom_forms, autosave=False)
            if saved and action == "sign":
                try:
                    services.sign_assessment(assessment=assessment, actor=request.user, request=request)
                    signed = True
                except ValidationError as exc:
                    _apply_errors(exc, visit, sides, prom_forms)
                    messages.error(
                        request, _("Not signed yet: complete the fields marked below (your entries are saved).")
                    )
                except services.WrongState as exc:
                    messages.error(request, str(exc))
        if signed:
            messages.success(request, _("Assessment signed and locked."))
            return redirect("assessments:detail", pk=pk)
        if saved and action != "sign":
            messages.success(request, _("Draft saved."))
            return redirect("assessments:edit", pk=pk)
        if not saved:
            messages.error(request, _("Some values need attention; everything else is saved."))
        context = _entry_context(selectors.get_assessment(pk), pack, visit, sides, prom_forms)
        return render(request, "assessments/edit.html", context, status=400)
    pack, visit, sides, prom_forms = _build_forms(assessment)
    services.record_view(assessment=assessment, request=request, summary="Assessment opened for editing")
    return render(request, "assessments/edit.html", _entry_context(assessment, pack, visit, sides, prom_forms))


@require(CLINICAL_EDIT)
@require_POST
def assessment_autosave(request, pk: int):
    assessment = _assessment_or_404(pk)
    if assessment.is_locked:
        return render(
            request,
            "assessments/_autosave_status.html",
            {"locked": True, "errors": [], "saved_at": None},
        )
    _pack, visit, sides, prom_forms = _build_forms(assessment, request.POST)
    _save(request, assessment, visit, sides, prom_forms, autosave=True)
    fresh = selectors.get_assessment(pk)
    return render(
        request,
        "assessments/_autosave_status.html",
        {
            "errors": _error_list(visit, sides, prom_forms),
            "saved_at": timezone.localtime(),
            "result": _result_context(fresh, selectors.derive(fresh), list(fresh.proms.all())),
        },
    )


@require(CLINICAL_EDIT)
def assessment_amend(request, pk: int):
    assessment = _assessment_or_404(pk)
    form = AmendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.start_amendment(
                assessment=assessment, actor=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except services.WrongState as exc:
            messages.error(request, str(exc))
            return redirect("assessments:detail", pk=pk)
        messages.success(request, _("Amendment started. Correct the values, then sign again."))
        return redirect("assessments:edit", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "assessments/amend.html", {"assessment": assessment, "patient": assessment.patient, "form": form},
        status=status,
    )  # fmt: skip


@require(CLINICAL_VIEW)
def patient_progress(request, patient_id: int):
    patient = get_object_or_404(Patient, pk=patient_id)
    progress = selectors.progress(patient_id=patient.pk)
    services.record_patient_view(patient_id=patient.pk, request=request, summary="Assessment progress viewed")
    reports = ProgressReport.objects.filter(patient=patient)[:5]
    return render(
        request,
        "assessments/progress.html",
        {
            "patient": patient,
            "progress": progress,
            "charts": selectors.progress_charts(progress),
            "report_form": ReportForm(),
            "reports": reports,
        },
    )


@require(CLINICAL_VIEW)
@require_POST
def report_request(request, patient_id: int):
    patient = get_object_or_404(Patient, pk=patient_id)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose who the report is for."))
        return redirect("assessments:progress", patient_id=patient.pk)
    try:
        services.request_progress_report(
            patient=patient, audience=form.cleaned_data["audience"], actor=request.user, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The progress report is being prepared; it appears below when ready."))
    return redirect(reverse("assessments:progress", args=[patient.pk]) + "#reports")


@require(CLINICAL_VIEW)
@require_POST
def report_retry(request, pk: int):
    report = get_object_or_404(ProgressReport, pk=pk)
    try:
        services.retry_progress_report(report=report, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The progress report is being prepared again."))
    return redirect(reverse("assessments:progress", args=[report.patient_id]) + "#reports")


@require(CLINICAL_VIEW)
def report_status(request, pk: int):
    report = get_object_or_404(ProgressReport, pk=pk)
    return render(request, "assessments/_report_row.html", {"report": report})


def _file_size(report: ProgressReport) -> int:
    try:
        return report.file.size
    except OSError:  # the file is missing (a restore without media, a disk fault)
        return 0


@require(CLINICAL_VIEW)
def report_download(request, pk: int):
    report = get_object_or_404(ProgressReport, pk=pk)
    # A report is served only when ready and its file is whole (files are written atomically, clinic.files): never
    # an empty PDF, whatever happened on the disk.
    if report.status != ProgressReport.Status.READY or not report.file or not _file_size(report):
        raise Http404
    audit.record(
        action=audit.Action.EXPORT,
        request=request,
        obj=report,
        patient_id=report.patient_id,
        summary="Progress report downloaded",
    )
    return private_file_response(
        report.file, filename=f"progress-report-{report.pk}.pdf", content_type="application/pdf"
    )


@require(CLINICAL_VIEW)
def patient_summary(request, patient_id: int):
    """One line for a physio's day: the last signed assessment's findings (the day's list itself is bookings')."""
    patient = get_object_or_404(Patient, pk=patient_id)
    latest = selectors.signed_assessments(patient_id=patient.pk).last()  # oldest first: the last is the latest
    derived = selectors.derive(latest, threshold=selectors.lsi_threshold()) if latest else None
    services.record_patient_view(patient_id=patient.pk, request=request, summary="Last findings (today)")
    return render(request, "assessments/_summary.html", {"patient": patient, "latest": latest, "d": derived})
