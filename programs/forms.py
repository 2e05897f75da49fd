from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .dose import Frequency, Side
from .images import MAX_UPLOAD_BYTES
from .models import Equipment, Exercise, Muscle, ProgramTemplate


class LinesField(forms.CharField):
    """A list of strings edited as a textarea, one per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class ExerciseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    target = forms.ChoiceField(label=_("Target muscle"), required=False)
    equipment = forms.ChoiceField(label=_("Equipment"), required=False)
    archived = forms.BooleanField(label=_("Include archived"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("Any"))]
        self.fields["category"].choices = every + list(Exercise.Category.choices)
        self.fields["target"].choices = every + list(Muscle.objects.values_list("key", "name"))
        self.fields["equipment"].choices = every + list(Equipment.objects.values_list("key", "name"))


class ExerciseForm(forms.ModelForm):
    steps = LinesField(label=_("Steps (one per line, in order)"))
    cues = LinesField(label=_("Coaching cues (one per line)"), required=False)
    faults = LinesField(label=_("Common faults (one per line)"), required=False)
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    sets = forms.IntegerField(label=_("Sets"), min_value=1, max_value=20)
    reps = forms.IntegerField(label=_("Reps"), min_value=1, max_value=200, required=False)
    hold_seconds = forms.IntegerField(label=_("Hold (seconds)"), min_value=1, max_value=600, required=False)

    class Meta:
        model = Exercise
        fields = (
            "name",
            "key",
            "category",
            "position",
            "targets",
            "equipment",
            "starting_position",
            "steps",
            "cues",
            "faults",
            "sets",
            "reps",
            "hold_seconds",
            "side",
            "frequency",
            "load",
            "regressions",
            "progressions",
            "regression_note",
            "progression_note",
            "video_url",
            "evidence",
        )
        widgets = {
            "targets": forms.CheckboxSelectMultiple,
            "equipment": forms.CheckboxSelectMultiple,
            "starting_position": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"key": _("Short unique name used in links and the API, e.g. wall_press.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = Exercise.objects.filter(is_archived=False)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["regressions"].queryset = others
        self.fields["progressions"].queryset = others

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        related = {name: data.pop(name) for name in ("targets", "equipment", "regressions", "progressions")}
        return {**data, **related}


class PictureForm(forms.Form):
    image = forms.FileField(
        label=_("Picture"), help_text=_("JPEG, PNG, WebP or GIF, up to %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20}
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)


class ProgramForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    review_date = forms.DateField(
        label=_("Review date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label=_("Notes for the patient"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        start, review = data.get("start_date"), data.get("review_date")
        if start and review and review < start:
            self.add_error("review_date", _("The review date cannot be before the start date."))
        return data


class NewProgramForm(ProgramForm):
    template = forms.ModelChoiceField(
        label=_("Start from a template"),
        queryset=ProgramTemplate.objects.all(),
        required=False,
        empty_label=_("No template: an empty program"),
    )


class DoseForm(forms.Form):
    sets = forms.IntegerField(label=_("Sets"), min_value=1, max_value=20)
    reps = forms.IntegerField(label=_("Reps"), min_value=1, max_value=200, required=False)
    hold_seconds = forms.IntegerField(label=_("Hold (s)"), min_value=1, max_value=600, required=False)
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices)
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices)
    load = forms.CharField(label=_("Load"), required=False, max_length=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("sets", "reps", "hold_seconds"):
            self.fields[name].widget.attrs["min"] = 1

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("reps") is None and data.get("hold_seconds") is None:
            raise forms.ValidationError(_("Give repetitions, a hold time, or both."))
        return data


class AddExerciseForm(DoseForm):
    exercise = forms.ModelChoiceField(label=_("Exercise"), queryset=Exercise.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("sets", "side", "frequency"):
            self.fields[name].required = False

    def clean(self):
        # Empty dose fields take the exercise's default dose (filled in by the view).
        return forms.Form.clean(self)


class TemplateItemForm(forms.Form):
    template = forms.ModelChoiceField(queryset=ProgramTemplate.objects.all())
    template_item = forms.IntegerField(required=False)


class SaveTemplateForm(forms.Form):
    name = forms.CharField(label=_("Template name"), max_length=150)
