from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.models import Notification


class OutboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Recipient or reference"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Notification.Status.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *Notification.Channel.choices]
    )
    patient = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any")), *Notification.Kind.choices])
