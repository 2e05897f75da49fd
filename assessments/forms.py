"""The one-page entry form: the visit, then each test with left and right side by side, then the questionnaires.

The same ranges as the models (assessments.metrics.LIMITS) become HTML min/max, so the browser checks as the physio
types and the server checks again on save.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import proms
from .metrics import LIMITS
from .models import STEP_DOWN_ITEM_MAX, Assessment, SideFindings, TestStatus
from .services import SIDE_FIELDS, TESTS

VISIT_FIELDS = (
    "assessed_on",
    "involved_side",
    "body_mass_kg",
    "height_cm",
    "sex_for_norms",
    "hhd_position",
    "hhd_mode",
    "step_down_height_cm",
    "nprs_now",
    "nprs_worst_24h",
    "nprs_running",
    "findings",
    "plan",
)

FIELD_LIMITS = {
    "body_mass_kg": ("body_mass_kg", "0.1"),
    "height_cm": ("height_cm", "0.1"),
    "step_down_height_cm": ("step_cm", "1"),
    "nprs_now": ("nprs", "1"),
    "nprs_worst_24h": ("nprs", "1"),
    "nprs_running": ("nprs", "1"),
    "trendelenburg_hold_s": ("hold_s", "1"),
    "trendelenburg_pelvic_drop_deg": ("degrees", "0.5"),
    "mmt_grade": ("mmt_grade", "1"),
    "hhd_trial_1_n": ("force_n", "0.1"),
    "hhd_trial_2_n": ("force_n", "0.1"),
    "hhd_trial_3_n": ("force_n", "0.1"),
    "hhd_lever_arm_m": ("lever_arm_m", "0.005"),
    "endurance_s": ("endurance_s", "1"),
    "gait_pelvic_drop_deg": ("degrees", "0.5"),
    "gait_trunk_lean_deg": ("degrees", "0.5"),
}


def _number_attrs(name: str) -> dict[str, str]:
    kind, step = FIELD_LIMITS[name]
    low, high = LIMITS[kind]
    return {"min": str(low), "max": str(high), "step": step, "inputmode": "decimal" if step != "1" else "numeric"}


class _RangeMixin:
    def _apply_limits(self) -> None:
        for name, field in self.fields.items():
            if name in FIELD_LIMITS:
                field.widget.attrs.update(_number_attrs(name))
                kind = FIELD_LIMITS[name][0]
                low, high = LIMITS[kind]
                field.error_messages["min_value"] = _("Enter a value from %(low)s to %(high)s.") % {
                    "low": low,
                    "high": high,
                }
                field.error_messages["max_value"] = field.error_messages["min_value"]

    def validate_unique(self):
        # The services check the rules with clear messages; the database constraints stay the last line.
        pass


class VisitForm(_RangeMixin, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = VISIT_FIELDS
        widgets = {
            "assessed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "findings": forms.Textarea(attrs={"rows": 3}),
            "plan": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._apply_limits()


class SideForm(_RangeMixin, forms.ModelForm):
    """One side's battery (prefix "left" or "right")."""

    class Meta:
        model = SideFindings
        fields = SIDE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._apply_limits()
        for item, top in STEP_DOWN_ITEM_MAX.items():
            self.fields[item] = forms.TypedChoiceField(
                label=self.fields[item].label,
                choices=[("", "–")] + [(str(v), str(v)) for v in range(top + 1)],  # noqa: RUF001
                coerce=int,
                empty_value=None,
                required=False,
            )
        for test in TESTS:
            self.fields[f"{test}_status"].widget.attrs["class"] = "status"
            self.fields[f"{test}_reason"].widget.attrs["placeholder"] = _("reason")

    def clean(self):
        data = super().clean()
        for test in TESTS:
            status = data.get(f"{test}_status")
            if status == TestStatus.UNABLE and not (data.get(f"{test}_reason") or "").strip():
                self.add_error(f"{test}_reason", _("Say why the test could not be done."))
                data.pop(f"{test}_status", None)  # keep the stored status until the reason is given
        return data


class PromForm(forms.Form):
    """A questionnaire's items (prefix = the measure key). With a pack: its wording and options; without: numbers."""

    def __init__(self, *args, measure_key: str, items: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = proms.MEASURES[measure_key]
        self.view = items
        for item in items["items"]:
            label = (
                f"{item['number']}. {item['text']}"
                if item["text"]
                else _("%(measure)s item %(n)s") % {"measure": self.measure.name, "n": item["number"]}
            )
            name = f"item_{item['number']}"
            if item["options"]:
                choices = [("", "–")] + [  # noqa: RUF001
                    ("na" if o["value"] is None else str(o["value"]), o["label"]) for o in item["options"]
                ]
                self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False)
            elif item["points"] != list(range(item["max"] + 1)):
                # AKPS: only the item's published answer points (item 1: 0, 3 or 5), so a list, not a number box.
                choices = [("", "–")] + [(str(p), str(p)) for p in item["points"]]  # noqa: RUF001
                self.fields[name] = forms.TypedChoiceField(
                    label=label, choices=choices, coerce=int, empty_value=None, required=False
                )
            else:
                self.fields[name] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_value=item["max"],
                    widget=forms.NumberInput(attrs={"min": 0, "max": item["max"], "inputmode": "numeric"}),
                    error_messages={
                        "min_value": _("Answers to this item are 0-%(max)s.") % {"max": item["max"]},
                        "max_value": _("Answers to this item are 0-%(max)s.") % {"max": item["max"]},
                    },
                )

    def answers(self) -> dict[str, int | None]:
        out = {}
        for name, value in self.cleaned_data.items():
            number = name.removeprefix("item_")
            out[number] = None if value in (None, "", "na") else int(value)
        return out


class AmendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Kept with the new version; the signed version stays readable."),
    )


class NewAssessmentForm(forms.Form):
    involved_side = forms.ChoiceField(label=_("Involved side"), choices=Assessment.InvolvedSide.choices)
    # A calendar can post its appointment id here to tie the assessment to that visit.
    appointment_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Report for"), choices=[("patient", _("Patient")), ("doctor", _("Referring doctor"))]
    )


class PackUploadForm(forms.Form):
    file = forms.FileField(label=_("Questionnaire pack (JSON)"))
