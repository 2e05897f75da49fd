"""HTML pages: the exercise library, the program builder, the patient panel, and the patient's private plan page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinic import audit
from clinic.permissions import CLINICAL_EDIT, CLINICAL_VIEW, EXERCISES_MANAGE, public, require
from patients.models import Patient

from . import selectors, services
from .forms import (
    AddExerciseForm,
    DoseForm,
    ExerciseFilterForm,
    ExerciseForm,
    NewProgramForm,
    PictureForm,
    ProgramForm,
    SaveTemplateForm,
    TemplateItemForm,
)
from .models import Exercise, ExercisePicture, Program, ProgramTemplate, TemplateItem

RETRY_AFTER_SECONDS = 2


def _errors(request, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- exercise library ---------------------------------------------------------------------------------------------


@require(EXERCISES_MANAGE)
def exercise_list(request):
    form = ExerciseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    exercises = selectors.search_exercises(
        q=filters.get("q", ""),
        category=filters.get("category", ""),
        target=filters.get("target", ""),
        equipment=filters.get("equipment", ""),
        include_archived=filters.get("archived", False),
    )
    page = Paginator(exercises, 50).get_page(request.GET.get("page"))
    return render(request, "programs/exercise_list.html", {"form": form, "page": page})


@require(EXERCISES_MANAGE)
def exercise_detail(request, pk: int):
    exercise = get_object_or_404(selectors.search_exercises(include_archived=True), pk=pk)
    exercise = selectors.exercise_with_links(exercise.pk)
    return render(request, "programs/exercise_detail.html", {"exercise": exercise, "picture_form": PictureForm()})


def _save_exercise(request, form, exercise):
    try:
        return services.save_exercise(exercise=exercise, actor=request.user, request=request, **form.service_fields())
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None


@require(EXERCISES_MANAGE)
def exercise_create(request):
    form = ExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        exercise = _save_exercise(request, form, None)
        if exercise is not None:
            messages.success(request, _("Exercise added."))
            return redirect("programs:exercise-detail", pk=exercise.pk)
    return render(request, "programs/exercise_form.html", {"form": form, "exercise": None})


@require(EXERCISES_MANAGE)
def exercise_edit(request, pk: int):
    exercise = get_object_or_404(Exercise, pk=pk)
    form = ExerciseForm(request.POST or None, instance=exercise)
    # ModelForm.is_valid() copies values onto `exercise`; the service saves a fresh copy.
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_exercise(request, form, get_object_or_404(Exercise, pk=pk)) is not None
    ):
        messages.success(request, _("Changes saved."))
        return redirect("programs:exercise-detail", pk=pk)
    return render(request, "programs/exercise_form.html", {"form": form, "exercise": exercise})


@require(EXERCISES_MANAGE)
@require_POST
def exercise_archive(request, pk: int):
    exercise = get_object_or_404(Exercise, pk=pk)
    archived = request.POST.get("archived", "1") == "1"
    services.set_exercise_archived(exercise=exercise, archived=archived, actor=request.user, request=request)
    messages.success(request, _("Exercise archived.") if archived else _("Exercise restored."))
    return redirect("programs:exercise-detail", pk=pk)


@require(EXERCISES_MANAGE)
@require_POST
def picture_add(request, pk: int):
    exercise = get_object_or_404(Exercise, pk=pk)
    form = PictureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_picture(
                exercise=exercise,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
                actor=request.user,
                request=request,
            )
            messages.success(request, _("Picture added."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return redirect("programs:exercise-detail", pk=pk)


@require(EXERCISES_MANAGE)
@require_POST
def picture_remove(request, pk: int, picture_pk: int):
    picture = get_object_or_404(ExercisePicture, pk=picture_pk, exercise_id=pk)
    services.remove_picture(picture=picture, actor=request.user, request=request)
    messages.success(request, _("Picture removed."))
    return redirect("programs:exercise-detail", pk=pk)


# --- programs -----------------------------------------------------------------------------------------------------


@require(CLINICAL_VIEW)
def patient_panel(request, patient_pk: int):
    patient = get_object_or_404(Patient, pk=patient_pk)
    programs = selectors.programs_for_patient(patient.pk)
    audit.record(
        action=audit.Action.VIEW, request=request, obj=patient, patient_id=patient.pk, summary="Viewed programs"
    )
    return render(request, "programs/_panel.html", {"patient": patient, "programs": programs})


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
                        {"exercise": s.exercise, "note": s.reason[:255]}
                        for s in suggestions
                        if not s.exercise.is_archived
                    ],
                )
            messages.success(request, _("Draft program created."))
            return redirect("programs:detail", pk=program.pk)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
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


def pdf_response(content: bytes, *, filename: str, download: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def pdf_pending(request) -> HttpResponse:
    response = render(request, "programs/pdf_pending.html", {"retry": RETRY_AFTER_SECONDS}, status=202)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def pdf_filename(program: Program) -> str:
    return f"exercise-plan-{program.pk}-v{program.version}.pdf"


@require(CLINICAL_VIEW)
def program_pdf(request, pk: int):
    program = get_object_or_404(Program.objects.select_related("patient", "physio"), pk=pk)
    content = services.request_pdf(program=program)
    if content is None:
        return pdf_pending(request)
    audit.record(action=audit.Action.EXPORT, request=request, obj=program, patient_id=program.patient_id, summary="PDF")
    return pdf_response(content, filename=pdf_filename(program), download=request.GET.get("download") == "1")


# --- the patient's private link -------------------------------------------------------------------------------------


def _gone(request):
    # The same answer for an unknown, expired, revoked or archived link: nothing about the patient, not even whether
    # the link ever existed.
    response = render(request, "programs/plan_unavailable.html", status=404)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@public
def plan_page(request, token: str):
    found = selectors.plan_for_token(token)
    if found is None:
        return _gone(request)
    link, program = found
    services.record_link_use(link=link, program=program, request=request, what="page")
    response = render(request, "programs/plan.html", {"program": program, "token": token, "link": link})
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@public
def plan_pdf(request, token: str):
    found = selectors.plan_for_token(token)
    if found is None:
        return _gone(request)
    link, program = found
    content = services.request_pdf(program=program)
    if content is None:
        return pdf_pending(request)
    services.record_link_use(link=link, program=program, request=request, what="pdf")
    return pdf_response(content, filename=pdf_filename(program), download=request.GET.get("download") == "1")
