"""Clinic admins' Setup pages for bookings: practitioners and their public profile (appointment types and prices
have their own page under the calendar, bookings.staff_views.type_list)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.forms import add_service_errors
from clinic.images import MAX_UPLOAD_BYTES
from clinic.permissions import STAFF_MANAGE, require
from clinic.roles import Role

from . import practitioners as practitioner_services
from .models import AppointmentType, Practitioner, Resource


class PractitionerForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Staff account"), required=False)
    display_name = forms.CharField(label=gettext_lazy("Name on the booking page"), max_length=120)
    bio = forms.CharField(
        label=gettext_lazy("Short bio"),
        required=False,
        max_length=practitioner_services.BIO_MAX,
        widget=forms.Textarea({"rows": 3}),
        help_text=gettext_lazy("Two or three sentences patients see when they choose who to book with."),
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo"),
        required=False,
        widget=forms.ClearableFileInput({"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        help_text=gettext_lazy("JPEG, PNG, WebP or GIF, up to 5 MB. It is shown on the public booking page."),
    )
    remove_photo = forms.BooleanField(label=gettext_lazy("Remove the photo"), required=False)
    appointment_types = forms.ModelMultipleChoiceField(
        queryset=AppointmentType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Appointment types offered"),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Taking appointments"), required=False, initial=True)
    order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            User = get_user_model()
            self.fields["user"].queryset = (
                User.objects.filter(
                    is_active=True, groups__name__in=[Role.PHYSIO.value, Role.ADMIN.value], practitioner__isnull=True
                )
                .distinct()
                .order_by("last_name", "first_name")
            )
            self.fields["user"].required = True
            self.fields["user"].label_from_instance = lambda u: f"{u.get_full_name() or u.email} ({u.email})"
        else:
            del self.fields["user"]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The picture is too large; the limit is 5 MB."))
        return photo


@require(STAFF_MANAGE)
def practitioner_list(request):
    items = Practitioner.objects.select_related("user").prefetch_related("appointment_types")
    return render(request, "bookings/setup/practitioners.html", {"practitioners": items})


@require(STAFF_MANAGE)
def practitioner_edit(request, pk: int | None = None):
    practitioner = get_object_or_404(Practitioner, pk=pk) if pk is not None else None
    initial = {}
    if practitioner is not None:
        initial = {
            "display_name": practitioner.display_name,
            "bio": practitioner.bio,
            "appointment_types": list(practitioner.appointment_types.values_list("pk", flat=True)),
            "is_active": practitioner.is_active,
            "order": practitioner.order,
        }
    form = PractitionerForm(request.POST or None, request.FILES or None, initial=initial, creating=practitioner is None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = practitioner_services.save_practitioner(
                    practitioner=practitioner,
                    user=data.get("user"),
                    display_name=data["display_name"],
                    bio=data["bio"],
                    appointment_types=data["appointment_types"],
                    is_active=data["is_active"],
                    order=data["order"],
                    photo=data["photo"] or None,
                    remove_photo=data["remove_photo"],
                    actor=request.user,
                    request=request,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": saved.display_name})
                return redirect("bookings:setup-practitioners")
        status = 400
    return render(
        request,
        "bookings/setup/practitioner_form.html",
        {"form": form, "practitioner": practitioner},
        status=status,
    )


class ResourceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Resource.Kind.choices)


@require(STAFF_MANAGE)
def resource_list(request):
    form = ResourceForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.POST.get("toggle", "").isdigit():
            resource = get_object_or_404(Resource, pk=int(request.POST["toggle"]))
            practitioner_services.set_resource_active(
                resource=resource, active=not resource.is_active, actor=request.user, request=request
            )
            return redirect("bookings:setup-resources")
        if form.is_valid():
            try:
                practitioner_services.add_resource(actor=request.user, request=request, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s added.") % {"name": form.cleaned_data["name"]})
                return redirect("bookings:setup-resources")
        status = 400
    resources = Resource.objects.prefetch_related("appointment_types")
    return render(request, "bookings/setup/resources.html", {"form": form, "resources": resources}, status=status)
