"""Exercise library, program templates, home-exercise programs (versioned), their PDFs and patients' private links."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import Patient

from .dose import Frequency, Side, describe_dose


class Muscle(models.Model):
    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Equipment(models.Model):
    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("equipment")

    def __str__(self) -> str:
        return self.name


class DoseFields(models.Model):
    """Sets and reps or a hold, which side, how often: the same shape for defaults, template and program items."""

    sets = models.PositiveSmallIntegerField(_("sets"), default=3)
    reps = models.PositiveSmallIntegerField(_("reps"), null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(_("hold (seconds)"), null=True, blank=True)
    side = models.CharField(_("side"), max_length=10, choices=Side.choices, default=Side.EACH)
    frequency = models.CharField(_("how often"), max_length=15, choices=Frequency.choices, default=Frequency.DAILY)

    class Meta:
        abstract = True

    @classmethod
    def dose_constraints(cls, prefix: str) -> list[models.BaseConstraint]:
        # A dose the patient cannot follow must never be stored: at least one set, and reps or a hold, both positive.
        return [
            models.CheckConstraint(condition=Q(sets__gte=1), name=f"{prefix}_sets_positive"),
            models.CheckConstraint(condition=Q(reps__isnull=True) | Q(reps__gte=1), name=f"{prefix}_reps_positive"),
            models.CheckConstraint(
                condition=Q(hold_seconds__isnull=True) | Q(hold_seconds__gte=1), name=f"{prefix}_hold_positive"
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=False) | Q(hold_seconds__isnull=False), name=f"{prefix}_reps_or_hold"
            ),
        ]


class Exercise(DoseFields):
    class Category(models.TextChoices):
        ACTIVATION = "activation", _("Activation")
        STRENGTH = "strength", _("Strength")
        ISOMETRIC = "isometric", _("Isometric")
        PELVIC_CONTROL = "pelvic_control", _("Pelvic control")
        DYNAMIC = "dynamic", _("Dynamic")
        CORE_HIP = "core_hip", _("Core and hip")
        POSTERIOR_CHAIN = "posterior_chain", _("Posterior chain")
        FUNCTIONAL = "functional", _("Functional")

    class Position(models.TextChoices):
        SIDE_LYING = "side_lying", _("Side-lying")
        SUPINE = "supine", _("Lying on the back")
        STANDING = "standing", _("Standing")
        SIDE_PLANK = "side_plank", _("Side plank")

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, db_index=True)
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    targets = models.ManyToManyField(Muscle, verbose_name=_("target muscles"), related_name="exercises", blank=True)
    equipment = models.ManyToManyField(Equipment, verbose_name=_("equipment"), related_name="exercises", blank=True)
    starting_position = models.TextField(_("starting position"))
    steps = models.JSONField(_("steps"), default=list, help_text=_("One step per line, in order."))
    cues = models.JSONField(_("coaching cues"), default=list, blank=True)
    faults = models.JSONField(_("common faults"), default=list, blank=True)
    load = models.CharField(_("default load"), max_length=100, blank=True)
    regressions = models.ManyToManyField(
        "self", symmetrical=False, related_name="regression_of", blank=True, verbose_name=_("regressions")
    )
    progressions = models.ManyToManyField(
        "self", symmetrical=False, related_name="progression_of", blank=True, verbose_name=_("progressions")
    )
    regression_note = models.CharField(_("how to make it easier"), max_length=255, blank=True)
    progression_note = models.CharField(_("how to make it harder"), max_length=255, blank=True)
    illustration = models.CharField(
        _("built-in illustration"), max_length=200, blank=True, help_text=_("Path under static/, e.g. programs/x.svg")
    )
    video_url = models.URLField(_("video link"), blank=True)
    evidence = models.TextField(_("evidence note"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = DoseFields.dose_constraints("exercise")

    def __str__(self) -> str:
        return self.name

    @property
    def default_dose(self) -> str:
        return describe_dose(
            sets=self.sets,
            reps=self.reps,
            hold_seconds=self.hold_seconds,
            side=self.side,
            frequency=self.frequency,
            load=self.load,
        )


def picture_path(instance: ExercisePicture, filename: str) -> str:
    # A random name: the original file name can carry a person's name or a date.
    return f"exercises/{instance.exercise_id}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1].lower()}"


class ExercisePicture(models.Model):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="pictures")
    image = models.ImageField(_("picture"), upload_to=picture_path, width_field="width", height_field="height")
    print_image = models.ImageField(upload_to=picture_path, blank=True, editable=False)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class ProgramTemplate(models.Model):
    """A reusable list of exercises with doses, e.g. "Hip stability, phase 1 to 3"."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ItemFields(DoseFields):
    load = models.CharField(_("load"), max_length=100, blank=True, help_text=_('e.g. "red band", "2 kg"'))
    note = models.CharField(_("note"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True

    @property
    def dose(self) -> str:
        return describe_dose(
            sets=self.sets,
            reps=self.reps,
            hold_seconds=self.hold_seconds,
            side=self.side,
            frequency=self.frequency,
            load=self.load,
        )


class TemplateItem(ItemFields):
    template = models.ForeignKey(ProgramTemplate, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["order", "id"]
        constraints = DoseFields.dose_constraints("templateitem")

    def __str__(self) -> str:
        return f"{self.exercise} ({self.dose})"


class Program(models.Model):
    """One version of a patient's home-exercise program.

    Versions of the same program share a `lineage`. Changing an active program never rewrites it: the change is saved
    as the next version, which becomes active, and the old one is kept read-only as superseded.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        SUPERSEDED = "superseded", _("Superseded")
        ARCHIVED = "archived", _("Archived")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="programs")
    physio = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="programs")
    title = models.CharField(_("title"), max_length=150)
    start_date = models.DateField(_("start date"), default=timezone.localdate)
    review_date = models.DateField(_("review date"), null=True, blank=True)
    notes = models.TextField(_("notes for the patient"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version", editable=False
    )
    source_assessment_id = models.BigIntegerField(null=True, blank=True, editable=False)
    activated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Claimed with a conditional UPDATE by the task that emails the link, so a redelivered task sends nothing twice.
    link_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="program_version_unique"),
            # Two active versions of one program would give the patient two different plans.
            models.UniqueConstraint(
                fields=["lineage"], condition=Q(status="active"), name="program_one_active_version"
            ),
            models.CheckConstraint(
                condition=Q(review_date__isnull=True) | Q(review_date__gte=models.F("start_date")),
                name="program_review_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.ACTIVE)


class ProgramItem(ItemFields):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="program_items")

    class Meta:
        ordering = ["order", "id"]
        constraints = DoseFields.dose_constraints("programitem")

    def __str__(self) -> str:
        return f"{self.exercise} ({self.dose})"


class ProgramPdf(models.Model):
    """The rendered sheet of one program version, kept until what it shows changes (see selectors.pdf_fingerprint)."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="pdf")
    fingerprint = models.CharField(max_length=64, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    # The render asked for and when: a second request for the same fingerprint does not queue a second render.
    requested_fingerprint = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    # A render that failed (a full disk, a broken picture): the page says so and offers to try again instead of
    # "being prepared" for ever. Cleared by the next successful render or an explicit retry.
    failed_fingerprint = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"PDF of {self.program_id}"


class AccessLink(models.Model):
    """A patient's private link to their plan. Only a hash of the token is stored; the token is in the email/QR code.

    The link follows the program's lineage, so it always opens the version that is active now.
    """

    class Purpose(models.TextChoices):
        EMAIL = "email", _("emailed to the patient")
        SHEET = "sheet", _("printed on the sheet (QR code)")
        STAFF = "staff", _("issued by staff")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="links")
    lineage = models.UUIDField(db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.EMAIL)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"link {self.pk} for program {self.program_id}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
