from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from clinic.templatetags.medius import money

from .models import AppointmentType


class DateInput(forms.DateInput):
    input_type = "date"


class ChooseForm(forms.Form):
    """Step one of /book/: what kind of appointment, with whom. Submitted by GET, so every step has its own URL."""

    type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.none(),
        label=_("Appointment type"),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    practitioner = forms.TypedChoiceField(label=_("With"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, types, practitioners, currency: str = "GBP", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = types

        def label(t: AppointmentType) -> str:
            if t.price is None:
                return _("%(name)s (%(minutes)d minutes)") % {"name": t.name, "minutes": t.duration_minutes}
            return _("%(name)s (%(minutes)d minutes, %(price)s)") % {
                "name": t.name,
                "minutes": t.duration_minutes,
                "price": money(t.price, currency),
            }

        self.fields["type"].label_from_instance = label
        self.fields["practitioner"].choices = [("", _("Anyone available")), *((p.pk, str(p)) for p in practitioners)]


class DetailsForm(forms.Form):
    """The patient's details. The time travels with the form so nothing typed is lost if it has to change."""

    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput({"autocomplete": "family-name"})
    )
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput({"autocomplete": "email"}))
    phone = PhoneNumberField(label=_("Mobile phone"), widget=forms.TextInput({"autocomplete": "tel", "type": "tel"}))
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=DateInput(format="%Y-%m-%d", attrs={"autocomplete": "bday"})
    )
    # One random token per form shown: a second POST of the same form (a double tap, a resend after Back) gets the
    # first booking back instead of a second one (bookings.views.book_details).
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    notes = forms.CharField(
        label=_("Anything we should know? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_date_of_birth(self) -> dt.date:
        dob = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if dob.year < today.year - 120:
            raise forms.ValidationError(_("Please check the year of birth."))
        return dob


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=255)
