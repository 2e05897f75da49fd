from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Patient
from .services import EDITABLE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class PatientForm(forms.ModelForm):
    confirm_not_duplicate = forms.BooleanField(
        required=False, label=_("This is a different person: create a new record anyway")
    )

    class Meta:
        model = Patient
        fields = EDITABLE_FIELDS
        widgets = {
            "date_of_birth": DateInput(format="%Y-%m-%d", attrs={"autocomplete": "bday"}),
            "data_consent_at": DateInput(format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        if dob and dob > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return dob

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def patient_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}
