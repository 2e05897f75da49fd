"""Forms for the front-desk pages. They check shape only; every rule lives in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from patients.models import Patient

from .models import AppointmentType, Practitioner, Resource, TimeOff, Weekday


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _active_types():
    return AppointmentType.objects.filter(is_active=True)


def _active_practitioners():
    return Practitioner.objects.filter(is_active=True)


class PatientChoice(forms.IntegerField):
    """A patient id chosen with the search-as-you-type list; an unknown id is a clear error, not a 500."""

    widget = forms.HiddenInput

    def clean(self, value):
        pk = super().clean(value)
        if pk is None:
            return None
        patient = Patient.objects.filter(pk=pk, is_archived=False).first()
        if patient is None:
            raise forms.ValidationError(_("Unknown patient: search again and pick one from the list."))
        return patient


class ConfirmMixin(forms.Form):
    confirm_outside_rules = forms.BooleanField(
        label=_("Yes, book outside the online rules"),
        required=False,
        help_text=_("Needed for times online patients could not book: outside hours, short notice, in the past."),
    )


class BookForm(ConfirmMixin):
    patient = PatientChoice(required=False)
    new_first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    new_last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    new_date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    new_email = forms.EmailField(label=_("Email"), required=False)
    new_phone = PhoneNumberField(label=_("Mobile phone"), required=False)
    new_consent_email = forms.BooleanField(label=_("Patient agrees to emails"), required=False, initial=True)
    appointment_type = forms.ModelChoiceField(queryset=AppointmentType.objects.none(), label=_("Appointment type"))
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.none(), label=_("Practitioner"))
    start = forms.DateTimeField(label=_("Start"), widget=DateTimeInput())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))
    repeat_weeks = forms.IntegerField(
        label=_("Every week at this time, for (weeks)"),
        min_value=1,
        max_value=26,
        initial=1,
        required=False,
        help_text=_("1 books this one only. Weeks that clash are skipped and listed."),
    )

    NEW_PATIENT_FIELDS = ("new_first_name", "new_last_name", "new_date_of_birth", "new_email", "new_phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].queryset = _active_types()
        self.fields["practitioner"].queryset = _active_practitioners()

    def clean(self):
        data = super().clean()
        adding = any(data.get(f) for f in self.NEW_PATIENT_FIELDS)
        if data.get("patient") is None and not adding and "patient" not in self.errors:
            self.add_error("patient", _("Choose a patient, or add a new one."))
        if data.get("patient") is None and adding:
            for name in ("new_first_name", "new_last_name"):
                if not data.get(name):
                    self.add_error(name, _("Needed for a new patient."))
        return data

    def new_patient_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data["new_first_name"].strip(),
            "last_name": data["new_last_name"].strip(),
            "date_of_birth": data["new_date_of_birth"],
            "email": data["new_email"],
            "phone": data["new_phone"] or "",
            "consent_email": data["new_consent_email"],
        }


class MoveForm(ConfirmMixin):
    start = forms.DateTimeField(label=_("New start"), widget=DateTimeInput())
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.none(), label=_("Practitioner"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = _active_practitioners()


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)
    notify_patient = forms.BooleanField(label=_("Tell the patient by email"), required=False, initial=True)


class StatusForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("check_in", _("Check in")), ("complete", _("Complete")), ("no_show", _("No-show"))]
    )


class WeeklyHoursForm(forms.Form):
    # The blank choice lets the empty extra rows of the formset stay unchanged (and so be skipped) when saved.
    weekday = forms.TypedChoiceField(label=_("Day"), choices=[("", "---------"), *Weekday.choices], coerce=int)
    start_time = forms.TimeField(label=_("From"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput())

    def clean(self):
        data = super().clean()
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("The end must be after the start."))
        return data


WeeklyHoursFormSet = forms.formset_factory(WeeklyHoursForm, extra=2, can_delete=True, max_num=50, validate_max=True)


class TimeOffForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TimeOff.Kind.choices)
    start = forms.DateTimeField(label=_("From"), widget=DateTimeInput())
    end = forms.DateTimeField(label=_("Until"), widget=DateTimeInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data


class ExtraHoursForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("From"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput())

    def clean(self):
        data = super().clean()
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("The end must be after the start."))
        return data


class AppointmentTypeForm(forms.ModelForm):
    practitioners = forms.ModelMultipleChoiceField(
        queryset=Practitioner.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Offered by"),
    )

    class Meta:
        model = AppointmentType
        fields = (
            "name",
            "description",
            "duration_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "price",
            "resources",
            "colour",
            "online_bookable",
            "is_active",
            "order",
        )
        widgets = {
            "colour": forms.TextInput({"type": "color"}),
            "description": forms.Textarea({"rows": 2}),
            "resources": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resources"].queryset = Resource.objects.filter(is_active=True)
        if self.instance.pk:
            self.fields["practitioners"].initial = list(self.instance.practitioners.values_list("pk", flat=True))


class WaitlistForm(forms.Form):
    patient = PatientChoice(required=True)
    appointment_type = forms.ModelChoiceField(queryset=AppointmentType.objects.none(), label=_("Appointment type"))
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.none(), label=_("Practitioner"), required=False, empty_label=_("Anyone")
    )
    earliest_date = forms.DateField(label=_("From date"), required=False, widget=DateInput())
    latest_date = forms.DateField(label=_("Until date"), required=False, widget=DateInput())
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"), choices=Weekday.choices, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    time_from = forms.TimeField(label=_("Not before"), required=False, widget=TimeInput())
    time_until = forms.TimeField(label=_("Finished by"), required=False, widget=TimeInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].queryset = _active_types()
        self.fields["practitioner"].queryset = _active_practitioners()
        self.fields["patient"].error_messages["required"] = _("Choose a patient.")
