from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic import audit
from clinic.forms import add_service_errors
from clinic.panels import patient_panels_for
from clinic.permissions import PATIENTS_EDIT, PATIENTS_VIEW, require

from . import selectors, services
from .forms import PatientForm
from .models import Patient


@require(PATIENTS_VIEW)
def patient_list(request):
    q = request.GET.get("q", "").strip()
    show_archived = request.GET.get("archived") == "1"
    page = Paginator(selectors.search_patients(q=q, include_archived=show_archived), 25).get_page(
        request.GET.get("page")
    )
    audit.record_shown(
        request=request,
        patient_ids=[p.pk for p in page.object_list],
        object_type="patients.patient",
        summary="Patient list",
    )
    template = "patients/_rows.html" if request.htmx and request.htmx.target == "patient-rows" else "patients/list.html"
    return render(request, template, {"page": page, "q": q, "show_archived": show_archived})


@require(PATIENTS_VIEW)
def patient_detail(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    services.record_view(patient=patient, request=request)
    return render(request, "patients/detail.html", {"patient": patient, "panels": patient_panels_for(request.user)})


def _save(request, form: PatientForm, patient: Patient | None):
    try:
        if patient is None:
            return services.create_patient(actor=request.user, request=request, **form.patient_fields())
        return services.update_patient(patient=patient, actor=request.user, request=request, **form.patient_fields())
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@require(PATIENTS_EDIT)
def patient_create(request):
    form = PatientForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = list(
            selectors.likely_duplicates(
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                email=data["email"],
            )
        )
        if not duplicates or data["confirm_not_duplicate"]:
            patient = _save(request, form, None)
            if patient is not None:
                messages.success(request, _("Patient record created."))
                return redirect("patients:detail", pk=patient.pk)
    if not duplicates:
        form.fields["confirm_not_duplicate"].widget = forms.HiddenInput()
    return render(request, "patients/form.html", {"form": form, "duplicates": duplicates, "patient": None})


@require(PATIENTS_EDIT)
def patient_edit(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    form = PatientForm(request.POST or None, instance=patient)
    form.fields.pop("confirm_not_duplicate")
    if request.method == "POST" and form.is_valid():
        # ModelForm.is_valid() copies values onto the instance; the service saves and audits them.
        fresh = get_object_or_404(Patient, pk=pk)
        if _save(request, form, fresh) is not None:
            messages.success(request, _("Changes saved."))
            return redirect("patients:detail", pk=pk)
    return render(request, "patients/form.html", {"form": form, "duplicates": [], "patient": patient})


@require(PATIENTS_EDIT)
@require_POST
def patient_archive(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    archived = request.POST.get("archived", "1") == "1"
    services.set_archived(patient=patient, archived=archived, actor=request.user, request=request)
    messages.success(request, _("Patient archived.") if archived else _("Patient restored."))
    return redirect("patients:detail", pk=pk)
