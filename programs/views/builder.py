"""Programs: the patient panel, new program, the builder and its actions, the staff PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic import audit
from clinic.forms import add_service_errors
from clinic.permissions import CLINICAL_EDIT, CLINICAL_VIEW, require
from patients.models import Patient

from .. import selectors, services
from ..forms import (
    AddExerciseForm,
    DoseForm,
    ExerciseFilterForm,
    NewProgramForm,
    ProgramForm,
    SaveTemplateForm,
    TemplateItemForm,
)
from ..models import Exercise, Program, ProgramTemplate, TemplateItem
from ._common import _errors, _form_errors, pdf_failed, pdf_filename, pdf_pending, pdf_response


@require(CLINICAL_VIEW)
def patient_panel(request, patient_pk: int):
    patient = get_object_or_404(Patient, pk=patient_pk)
    programs = selectors.programs_for_patient(patient.pk)
    audit.record(
        action=audit.Action.VIEW, request=request, obj=patient, patient_id=patient.pk, summary="Viewed programs"
    )
    return render(request, "programs/_panel.html", {"patient": patient, "programs": programs})


@require(CLINICAL_VIEW)
def patient_summary(request, patient_pk: int):
    """One line for a physio's day: the patient's current program (the day's list itself is bookings')."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    programs = list(selectors.programs_for_patient(patient.pk).filter(status=Program.Status.ACTIVE)[:1])
    audit.record(
        action=audit.Action.VIEW, request=request, obj=patient, patient_id=patient.pk, summary="Program (today)"
    )
    return render(request, "programs/_summary.html", {"patient": patient, "program": programs[0] if programs else None})


@require(CLINICAL_EDIT)
def program_new(request):
    """A new draft for a patient (?patient=), from an assessment's suggestions (?assessment=), or a copy (?copy=)."""
    assessment_id = _int(request.GET.get("assessment"))
    copy_id = _int(request.GET.get("copy"))
    suggestions = []
    if assessment_id:
        found = selectors.assessment_suggestions(assessment_id)
        if found is None:
            return render(request, "programs/not_found.html", {"what": _("assessment")}, status=404)
        patient_id, suggestions = found
    elif copy_id:
        source = get_object_or_404(Program, pk=copy_id)
        patient_id = source.patient_id
    else:
        patient_id = _int(request.GET.get("patient"))
    patient = get_object_or_404(Patient, pk=patient_id or 0)
    title = _("Home exercise program")
    form = NewProgramForm(request.POST or None, initial={"title": title, "start_date": _today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if copy_id:
                program = services.copy_program(source=source, physio=request.user, actor=request.user, request=request)
                program = services.update_program(
                    program=program,
                    actor=request.user,
                    request=request,
                    **{k: data[k] for k in ("title", "start_date", "review_date", "notes")},
                )
            else:
                program = services.create_program(
                    patient=patient,
                    physio=request.user,
                    actor=request.user,
                    request=request,
                    title=data["title"],
                    start_date=data["start_date"],
                    review_date=data["review_date"],
                    notes=data["notes"],
                    template=data["template"],
                    source_assessment_id=assessment_id,
                    items=[
                        # The item note is what the patient reads: plain words, not the clinician's reasoning.
                        {"exercise": s.exercise, "note": s.patient_note[:255]}
                        for s in suggestions
                        if not s.exercise.is_archived
                    ],
                )
            messages.success(request, _("Draft program created."))
            return redirect("programs:detail", pk=program.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "programs/program_new.html",
        {"form": form, "patient": patient, "suggestions": suggestions, "copy_id": copy_id},
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _today():
    from django.utils import timezone

    return timezone.localdate()


@require(CLINICAL_VIEW)
def program_detail(request, pk: int):
    program = get_object_or_404(selectors.programs_with_items(), pk=pk)
    audit.record(
        action=audit.Action.VIEW, request=request, obj=program, patient_id=program.patient_id, summary="Viewed program"
    )
    context = {
        "program": program,
        "items": [
            (item, DoseForm(initial=_dose_initial(item), prefix=f"item{item.pk}")) for item in program.items.all()
        ],
        "versions": selectors.versions_of(program).select_related("physio"),
        "can_edit": program.is_editable,
    }
    if program.is_editable:
        filters = ExerciseFilterForm(request.GET or None)
        chosen = filters.cleaned_data if filters.is_valid() else {}
        context.update(
            library=selectors.search_exercises(
                q=chosen.get("q", ""),
                category=chosen.get("category", ""),
                target=chosen.get("target", ""),
                equipment=chosen.get("equipment", ""),
            ),
            filters=filters,
            templates=selectors.templates_with_items(),
            save_template_form=SaveTemplateForm(),
        )
    return render(request, "programs/program_detail.html", context)


def _dose_initial(item) -> dict:
    return {name: getattr(item, name) for name in services.DOSE_FIELDS}


def _after_change(request, result, fallback_pk: int, message: str):
    program = result.program if hasattr(result, "program") else result
    if program.pk != fallback_pk:
        messages.success(
            request,
            _("Saved as version %(v)s; the previous version is kept as superseded.") % {"v": program.version},
        )
    else:
        messages.success(request, message)
    return redirect("programs:detail", pk=program.pk)


def _run(request, pk: int, message: str, fn, **kwargs):
    program = get_object_or_404(Program, pk=pk)
    try:
        result = fn(program=program, actor=request.user, request=request, **kwargs)
    except (ValidationError, services.ProgramConflict) as exc:
        _errors(request, exc)
        return redirect("programs:detail", pk=pk)
    return _after_change(request, result, pk, message)


@require(CLINICAL_EDIT)
def program_edit(request, pk: int):
    program = get_object_or_404(Program, pk=pk)
    if request.method == "GET":
        audit.record(
            action=audit.Action.VIEW, request=request, obj=program, patient_id=program.patient_id, summary="Edit form"
        )
    form = ProgramForm(
        request.POST or None,
        initial={name: getattr(program, name) for name in services.PROGRAM_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.update_program(program=program, actor=request.user, request=request, **form.cleaned_data)
            return _after_change(request, result, pk, _("Changes saved."))
        except (ValidationError, services.ProgramConflict) as exc:
            _errors(request, exc)
    return render(request, "programs/program_edit.html", {"form": form, "program": program})


@require(CLINICAL_EDIT)
@require_POST
def item_add(request, pk: int):
    form = AddExerciseForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("programs:detail", pk=pk)
    exercise = form.cleaned_data["exercise"]
    dose = {k: v for k, v in form.cleaned_data.items() if k != "exercise" and v not in (None, "")}
    return _run(
        request, pk, _("%(name)s added.") % {"name": exercise.name}, services.add_item, exercise=exercise, **dose
    )


@require(CLINICAL_EDIT)
@require_POST
def item_update(request, pk: int, item_pk: int):
    form = DoseForm(request.POST, prefix=f"item{item_pk}")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("programs:detail", pk=pk)
    return _run(request, pk, _("Dose saved."), services.update_item, item_id=item_pk, **form.cleaned_data)


@require(CLINICAL_EDIT)
@require_POST
def item_remove(request, pk: int, item_pk: int):
    return _run(request, pk, _("Exercise removed."), services.remove_item, item_id=item_pk)


@require(CLINICAL_EDIT)
@require_POST
def item_move(request, pk: int, item_pk: int):
    up = request.POST.get("direction") == "up"
    return _run(request, pk, _("Order changed."), services.move_item, item_id=item_pk, up=up)


@require(CLINICAL_EDIT)
@require_POST
def item_swap(request, pk: int, item_pk: int, exercise_pk: int):
    exercise = get_object_or_404(Exercise, pk=exercise_pk)
    return _run(
        request,
        pk,
        _("Swapped for %(name)s.") % {"name": exercise.name},
        services.swap_item,
        item_id=item_pk,
        exercise=exercise,
    )


@require(CLINICAL_EDIT)
@require_POST
def template_add(request, pk: int):
    form = TemplateItemForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("programs:detail", pk=pk)
    template: ProgramTemplate = form.cleaned_data["template"]
    item_id = form.cleaned_data["template_item"]
    template_item = get_object_or_404(TemplateItem, pk=item_id, template=template) if item_id else None
    return _run(
        request,
        pk,
        _("Added from %(name)s.") % {"name": template.name},
        services.add_from_template,
        template=template,
        template_item=template_item,
    )


@require(CLINICAL_EDIT)
@require_POST
def program_activate(request, pk: int):
    return _run(
        request,
        pk,
        _("The program is active. The patient will get an email with a private link."),
        services.activate_program,
    )


@require(CLINICAL_EDIT)
@require_POST
def program_archive(request, pk: int):
    return _run(request, pk, _("Program archived."), services.archive_program)


@require(CLINICAL_EDIT)
@require_POST
def program_save_template(request, pk: int):
    program = get_object_or_404(Program, pk=pk)
    form = SaveTemplateForm(request.POST)
    if form.is_valid():
        try:
            services.save_as_template(
                program=program, name=form.cleaned_data["name"], actor=request.user, request=request
            )
            messages.success(request, _("Saved as a template."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return redirect("programs:detail", pk=pk)


@require(CLINICAL_EDIT)
@require_POST
def links_revoke(request, pk: int):
    program = get_object_or_404(Program, pk=pk)
    count = services.revoke_links(program=program, actor=request.user, request=request)
    messages.success(request, _("%(n)d private links withdrawn.") % {"n": count})
    return redirect("programs:detail", pk=pk)


@require(CLINICAL_EDIT)
@require_POST
def links_send(request, pk: int):
    return _run(request, pk, _("A new private link is on its way to the patient."), _resend)


def _resend(*, program, actor, request):
    services.resend_link(program=program, actor=actor, request=request)
    return program


@require(CLINICAL_VIEW)
def program_pdf(request, pk: int):
    program = get_object_or_404(Program.objects.select_related("patient", "physio"), pk=pk)
    try:
        content = services.request_pdf(program=program, retry=request.method == "POST")
    except services.PdfFailed as failed:
        return pdf_failed(request, reason=failed.reason, show_reason=True)
    if content is None:
        return pdf_pending(request)
    audit.record(action=audit.Action.EXPORT, request=request, obj=program, patient_id=program.patient_id, summary="PDF")
    return pdf_response(content, filename=pdf_filename(program), download=request.GET.get("download") == "1")
