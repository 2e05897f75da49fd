"""The hip abductor assessment: one row per visit, one row per side with the battery, PROM answers, signed versions.

Raw inputs only; every derived figure comes from assessments.metrics. A signed assessment is locked: services refuse
edits, and on PostgreSQL triggers refuse them too (migration 0002). A correction is an amendment with a reason, and
every signed version is kept as an AssessmentVersion snapshot that can be read back.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.storage import get_private_storage

from .metrics import LIMITS


def _range(kind: str) -> list:
    low, high = LIMITS[kind]
    return [MinValueValidator(low), MaxValueValidator(high)]


def _range_check(table: str, field: str, kind: str) -> models.CheckConstraint:
    low, high = LIMITS[kind]
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=f"{table}_{field}_range",
    )


class Side(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")


class TestStatus(models.TextChoices):
    TESTED = "tested", _("Tested")
    NOT_TESTED = "not_tested", _("Not tested")
    UNABLE = "unable", _("Unable")


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        AMENDING = "amending", _("Amendment in progress")

    class InvolvedSide(models.TextChoices):
        LEFT = "left", _("Left")
        RIGHT = "right", _("Right")
        BOTH = "both", _("Both")

    class SexForNorms(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other / not stated")

    class Position(models.TextChoices):
        SIDE_LYING = "side_lying", _("Side-lying")
        SUPINE = "supine", _("Supine")
        STANDING = "standing", _("Standing")

    class Mode(models.TextChoices):
        MAKE = "make", _("Make")
        BREAK = "break", _("Break")

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="assessments")
    # Plain id: assessments may not import bookings (shared/ARCHITECTURE.md); the visit it belongs to, if any.
    appointment_id = models.BigIntegerField(_("appointment"), null=True, blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("date"), default=timezone.localdate)
    involved_side = models.CharField(_("involved side"), max_length=5, choices=InvolvedSide.choices)
    body_mass_kg = models.DecimalField(
        _("body mass (kg)"), max_digits=4, decimal_places=1, null=True, blank=True, validators=_range("body_mass_kg")
    )
    height_cm = models.DecimalField(
        _("height (cm)"), max_digits=4, decimal_places=1, null=True, blank=True, validators=_range("height_cm")
    )
    sex_for_norms = models.CharField(_("sex for norms"), max_length=6, choices=SexForNorms.choices)

    hhd_position = models.CharField(
        _("dynamometry position"), max_length=10, choices=Position.choices, default=Position.SIDE_LYING
    )
    hhd_mode = models.CharField(_("dynamometry mode"), max_length=5, choices=Mode.choices, default=Mode.BREAK)
    step_down_height_cm = models.PositiveSmallIntegerField(
        _("step-down height (cm)"), default=20, validators=_range("step_cm")
    )

    nprs_now = models.PositiveSmallIntegerField(_("pain now (0-10)"), null=True, blank=True, validators=_range("nprs"))
    nprs_worst_24h = models.PositiveSmallIntegerField(
        _("worst pain in 24 h (0-10)"), null=True, blank=True, validators=_range("nprs")
    )
    nprs_running = models.PositiveSmallIntegerField(
        _("pain during running (0-10)"), null=True, blank=True, validators=_range("nprs")
    )
    findings = models.TextField(_("findings"), blank=True)
    plan = models.TextField(_("plan"), blank=True)

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT, db_index=True)
    version = models.PositiveIntegerField(default=0, help_text=_("Number of signed versions."))
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["patient", "assessed_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "signed", "amending"]), name="assessment_status"),
            models.CheckConstraint(
                condition=Q(status="draft", version=0)
                | Q(version__gte=1, signed_at__isnull=False, signed_by__isnull=False),
                name="assessment_signed_has_signer",
            ),
            models.CheckConstraint(
                condition=~Q(status="amending") | ~Q(amendment_reason=""), name="assessment_amendment_has_reason"
            ),
            _range_check("assessment", "body_mass_kg", "body_mass_kg"),
            _range_check("assessment", "height_cm", "height_cm"),
            _range_check("assessment", "nprs_now", "nprs"),
            _range_check("assessment", "nprs_worst_24h", "nprs"),
            _range_check("assessment", "nprs_running", "nprs"),
            _range_check("assessment", "step_down_height_cm", "step_cm"),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk} of patient {self.patient_id} on {self.assessed_on}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.AMENDING)


class SideFindings(models.Model):
    """The battery for one side. Every test has a status: tested, not tested, or unable (with a reason)."""

    class Trendelenburg(models.TextChoices):
        NEGATIVE = "negative", _("Negative")
        POSITIVE = "positive", _("Positive")

    class Rating(models.TextChoices):
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")
        POOR = "poor", _("Poor")

    class Modifier(models.TextChoices):
        NONE = "", _("none")
        PLUS = "+", "+"
        MINUS = "-", "-"

    class StopReason(models.TextChoices):
        LEG_DROPS = "leg_drops", _("Leg drops")
        HIP_FLEXES = "hip_flexes", _("Hip flexes")
        PELVIS_ROLLS = "pelvis_rolls", _("Pelvis rolls")
        PAIN = "pain", _("Pain")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sides")
    side = models.CharField(max_length=5, choices=Side.choices)

    # Trendelenburg (single-leg stance on this side, up to 30 s).
    trendelenburg_status = models.CharField(max_length=10, choices=TestStatus.choices, default=TestStatus.TESTED)
    trendelenburg_reason = models.CharField(max_length=200, blank=True)
    trendelenburg_result = models.CharField(_("result"), max_length=8, choices=Trendelenburg.choices, blank=True)
    trendelenburg_trunk_lean = models.BooleanField(_("trunk lean over stance leg"), default=False)
    trendelenburg_hold_s = models.PositiveSmallIntegerField(
        _("hold (s)"), null=True, blank=True, validators=_range("hold_s")
    )
    trendelenburg_pelvic_drop_deg = models.DecimalField(
        _("pelvic drop (°)"), max_digits=3, decimal_places=1, null=True, blank=True, validators=_range("degrees")
    )

    # Single-leg squat (5 slow repetitions): fault flags and overall rating.
    sls_status = models.CharField(max_length=10, choices=TestStatus.choices, default=TestStatus.TESTED)
    sls_reason = models.CharField(max_length=200, blank=True)
    sls_pelvic_drop = models.BooleanField(_("contralateral pelvic drop"), default=False)
    sls_pelvic_shift = models.BooleanField(_("pelvic shift or rotation"), default=False)
    sls_knee_valgus = models.BooleanField(_("knee medial to foot"), default=False)
    sls_knee_wobble = models.BooleanField(_("knee wobble"), default=False)
    sls_trunk_lean = models.BooleanField(_("trunk lateral lean"), default=False)
    sls_trunk_flexion = models.BooleanField(_("excess trunk flexion"), default=False)
    sls_balance_loss = models.BooleanField(_("loss of balance or arm use"), default=False)
    sls_foot_collapse = models.BooleanField(_("foot collapse"), default=False)
    sls_rating = models.CharField(_("rating"), max_length=4, choices=Rating.choices, blank=True)

    # Lateral step-down (Piva 2006): five items, total 0-6.
    step_down_status = models.CharField(max_length=10, choices=TestStatus.choices, default=TestStatus.TESTED)
    step_down_reason = models.CharField(max_length=200, blank=True)
    step_down_arm = models.PositiveSmallIntegerField(_("arm strategy"), null=True, blank=True)
    step_down_trunk = models.PositiveSmallIntegerField(_("trunk lean"), null=True, blank=True)
    step_down_pelvis = models.PositiveSmallIntegerField(_("pelvis out of level"), null=True, blank=True)
    step_down_knee = models.PositiveSmallIntegerField(_("knee position"), null=True, blank=True)
    step_down_unsteady = models.PositiveSmallIntegerField(_("unsteady or steps down"), null=True, blank=True)

    # Manual muscle test (Oxford 0-5, optional +/-).
    mmt_status = models.CharField(max_length=10, choices=TestStatus.choices, default=TestStatus.TESTED)
    mmt_reason = models.CharField(max_length=200, blank=True)
    mmt_grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True, validators=_range("mmt_grade"))
    mmt_modifier = models.CharField(_("+/-"), max_length=1, choices=Modifier.choices, blank=True)

    # Hand-held dynamometry: up to three trials (N) and the lever arm (m); position, mode and mass are per visit.
    hhd_status = models.CharField(max_length=10, choices=TestStatus.choices, default=TestStatus.TESTED)
    hhd_reason = models.CharField(max_length=200, blank=True)
    hhd_trial_1_n = models.DecimalField(
        _("trial 1 (N)"), max_digits=5, decimal_places=1, null=True, blank=True, validators=_range("force_n")
    )
    hhd_trial_2_n = models.DecimalField(
        _("trial 2 (N)"), max_digits=5, decimal_places=1, null=True, blank=True, validators=_range("force_n")
    )
    hhd_trial_3_n = models.DecimalField(
        _("trial 3 (N)"), max_digits=5, decimal_places=1, null=True, blank=True, validators=_range("force_n")
    )
    hhd_lever_arm_m = models.DecimalField(
        _("lever arm (m)"), max_digits=4, decimal_places=3, null=True, blank=True, validators=_range("lever_arm_m")
    )

    # Side-lying abduction endurance.
    endurance_status = models.CharField(max_length=10, choices=TestStatus.choices, default=TestStatus.TESTED)
    endurance_reason = models.CharField(max_length=200, blank=True)
    endurance_s = models.PositiveSmallIntegerField(
        _("hold (s)"), null=True, blank=True, validators=_range("endurance_s")
    )
    endurance_stop_reason = models.CharField(_("stop reason"), max_length=12, choices=StopReason.choices, blank=True)

    # Running gait observation (optional, so not tested unless recorded).
    gait_status = models.CharField(max_length=10, choices=TestStatus.choices, default=TestStatus.NOT_TESTED)
    gait_reason = models.CharField(max_length=200, blank=True)
    gait_pelvic_drop_deg = models.DecimalField(
        _("contralateral pelvic drop (°)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_range("degrees"),
    )
    gait_trunk_lean_deg = models.DecimalField(
        _("trunk forward lean (°)"), max_digits=3, decimal_places=1, null=True, blank=True, validators=_range("degrees")
    )

    class Meta:
        ordering = ["assessment", "side"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "side"], name="one_findings_row_per_side"),
            models.CheckConstraint(condition=Q(side__in=["left", "right"]), name="sidefindings_side"),
            *(
                models.CheckConstraint(
                    condition=~Q(**{f"{test}_status": "unable"}) | ~Q(**{f"{test}_reason": ""}),
                    name=f"sidefindings_{test}_unable_has_reason",
                )
                for test in ("trendelenburg", "sls", "step_down", "mmt", "hhd", "endurance", "gait")
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": top}),
                    name=f"sidefindings_{field}_range",
                )
                for field, top in (
                    ("step_down_arm", 1),
                    ("step_down_trunk", 1),
                    ("step_down_pelvis", 1),
                    ("step_down_knee", 2),
                    ("step_down_unsteady", 1),
                )
            ),
            _range_check("sidefindings", "trendelenburg_hold_s", "hold_s"),
            _range_check("sidefindings", "trendelenburg_pelvic_drop_deg", "degrees"),
            _range_check("sidefindings", "mmt_grade", "mmt_grade"),
            _range_check("sidefindings", "hhd_trial_1_n", "force_n"),
            _range_check("sidefindings", "hhd_trial_2_n", "force_n"),
            _range_check("sidefindings", "hhd_trial_3_n", "force_n"),
            _range_check("sidefindings", "hhd_lever_arm_m", "lever_arm_m"),
            _range_check("sidefindings", "endurance_s", "endurance_s"),
            _range_check("sidefindings", "gait_pelvic_drop_deg", "degrees"),
            _range_check("sidefindings", "gait_trunk_lean_deg", "degrees"),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} side of assessment {self.assessment_id}"

    @property
    def hhd_trials(self) -> tuple:
        return (self.hhd_trial_1_n, self.hhd_trial_2_n, self.hhd_trial_3_n)

    @property
    def sls_faults(self) -> tuple[bool, ...]:
        return tuple(getattr(self, name) for name in SLS_FAULTS)

    @property
    def step_down_items(self) -> tuple:
        return tuple(getattr(self, name) for name in STEP_DOWN_ITEMS)


SLS_FAULTS = (
    "sls_pelvic_drop",
    "sls_pelvic_shift",
    "sls_knee_valgus",
    "sls_knee_wobble",
    "sls_trunk_lean",
    "sls_trunk_flexion",
    "sls_balance_loss",
    "sls_foot_collapse",
)
STEP_DOWN_ITEMS = ("step_down_arm", "step_down_trunk", "step_down_pelvis", "step_down_knee", "step_down_unsteady")
STEP_DOWN_ITEM_MAX = {"step_down_arm": 1, "step_down_trunk": 1, "step_down_pelvis": 1, "step_down_knee": 2,
                      "step_down_unsteady": 1}  # fmt: skip


class PromResponse(models.Model):
    """A questionnaire's answers by item number ({"1": 3, ...}; null = not answered) and its computed total."""

    class MeasureKey(models.TextChoices):
        LEFS = "lefs", "LEFS"
        AKPS = "akps", "AKPS (Kujala)"
        HOS_ADL = "hos_adl", "HOS ADL"
        HOS_SPORTS = "hos_sports", "HOS Sports"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="proms")
    measure = models.CharField(max_length=10, choices=MeasureKey.choices)
    answers = models.JSONField(default=dict)
    total = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["assessment", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "measure"], name="one_response_per_measure"),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gte=0, total__lte=100), name="prom_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} for assessment {self.assessment_id}"


class AssessmentVersion(models.Model):
    """A signed version: a complete snapshot (inputs and derived values) as it was signed. Append-only."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    reason = models.TextField(blank=True, help_text=_("Empty for the first signature; the amendment reason after."))
    signed_at = models.DateTimeField(default=timezone.now)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["assessment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="one_version_number_per_assessment"),
            models.CheckConstraint(condition=Q(number=1) | ~Q(reason=""), name="amended_version_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of assessment {self.assessment_id}"


class QuestionnairePack(models.Model):
    """A practice's licensed questionnaire wording (assessments.proms.validate_pack). One pack is active."""

    name = models.CharField(max_length=200)
    licence = models.TextField(blank=True)
    language = models.CharField(max_length=10, default="en")
    content = models.JSONField()
    is_active = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-loaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_pack"),
        ]

    def __str__(self) -> str:
        return self.name


def report_path(report: ProgressReport, filename: str) -> str:
    # A random name in the private storage: no patient id, name or date to guess (the download's name is set by the
    # view, clinic.files).
    return f"progress-reports/{secrets.token_urlsafe(24)}.pdf"


class ProgressReport(models.Model):
    """A one-page progress report PDF, rendered by a Celery worker (assessments.tasks)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Audience(models.TextChoices):
        PATIENT = "patient", _("Patient")
        DOCTOR = "doctor", _("Referring doctor")

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(max_length=7, choices=Audience.choices, default=Audience.PATIENT)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=report_path, storage=get_private_storage, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Progress report {self.pk} for patient {self.patient_id}"
