from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from . import images
from .models import AuditEvent, Practice

LOGO_SIDE = 600  # px: the logo prints at most a few centimetres wide


class LogoCleaningMixin:
    """The practice logo gets the exercise pictures' limits (5 MB, 40 megapixels) and is shrunk and re-encoded: every
    PDF embeds it."""

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not isinstance(logo, UploadedFile):
            return logo  # unchanged (the stored file), or False when "clear" was ticked
        try:
            return images.clean_picture(logo, max_side=LOGO_SIDE, stem="logo", field="logo")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["logo"]) from None


class PracticeForm(LogoCleaningMixin, forms.ModelForm):
    class Meta:
        model = Practice
        fields = (
            "name",
            "address",
            "phone",
            "email",
            "logo",
            "time_zone",
            "currency",
            "min_notice_minutes",
            "horizon_days",
            "cancellation_cutoff_hours",
            "slot_step_minutes",
            "lsi_flag_percent",
            "step_down_height_cm",
            "reminder_lead_hours",
            "sms_quiet_start",
            "sms_quiet_end",
            "paper_size",
            "require_two_factor",
        )
        help_texts = {
            "reminder_lead_hours": _(
                "Hours before the appointment, comma separated; half hours allowed, e.g. 24,2 or 48,24,1.5."
            ),
        }
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "sms_quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "sms_quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean_currency(self):
        value = self.cleaned_data["currency"].strip().upper()
        if len(value) != 3 or not value.isalpha():
            raise forms.ValidationError(_("Use a three-letter currency code, e.g. GBP or EUR."))
        return value

    def clean_time_zone(self):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value = self.cleaned_data["time_zone"]
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(_("Not a known time zone, e.g. Europe/London.")) from None
        return value

    def clean_reminder_lead_hours(self):
        """Hours before the start, comma separated; half hours allowed ("48,24,1.5"), as the reminder docs say."""
        value = self.cleaned_data["reminder_lead_hours"]
        try:
            hours = [Decimal(part.strip()) for part in value.split(",") if part.strip()]
        except InvalidOperation:
            raise forms.ValidationError(_("Hours separated by commas, e.g. 24,2 or 48,24,1.5.")) from None
        if not hours or any(not h.is_finite() or h <= 0 or h > 24 * 14 for h in hours):
            raise forms.ValidationError(_("Each lead time must be between half an hour and 336 hours."))
        if any(h * 2 != int(h * 2) for h in hours):
            raise forms.ValidationError(_("Use whole or half hours, e.g. 1.5."))
        return ",".join(f"{float(h):g}" for h in sorted(set(hours), reverse=True))


class AuditSearchForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    action = forms.ChoiceField(required=False, choices=[("", _("Any action")), *AuditEvent.Action.choices])
    patient = forms.IntegerField(required=False, min_value=1, label=_("Patient id"))
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("From"))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("To"))


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields where they exist, otherwise above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
