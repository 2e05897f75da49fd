from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from .roles import Role, role_of


def default_practice_time_zone() -> str:
    return settings.CLINIC_TIME_ZONE


def default_require_two_factor() -> bool:
    return settings.TWO_FACTOR_REQUIRED_DEFAULT


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        # Email addresses are stored lower-case; logging in with "Physio@Clinic.test" must still work.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff. Patients have no accounts: they reach their data through private links."""

    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def role(self) -> Role:
        return role_of(self)


class Practice(models.Model):
    """The practice's own settings: one row (pk=1), read through clinic.selectors.get_practice()."""

    class PaperSize(models.TextChoices):
        A4 = "A4", "A4"
        LETTER = "Letter", "Letter"

    name = models.CharField(_("name"), max_length=200, default="Medius Physiotherapy")
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="practice/", blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_practice_time_zone)
    currency = models.CharField(
        _("currency"), max_length=3, default="GBP", help_text=_("For prices on the booking page, e.g. GBP, EUR, USD.")
    )

    # Booking rules (online booking, rescheduling and cancelling).
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=120)
    horizon_days = models.PositiveIntegerField(
        _("booking horizon (days)"), default=60, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    cancellation_cutoff_hours = models.PositiveIntegerField(_("cancel/reschedule cutoff (hours)"), default=24)
    slot_step_minutes = models.PositiveIntegerField(
        _("slot step (minutes)"), default=15, validators=[MinValueValidator(5), MaxValueValidator(120)]
    )

    # Clinical cut-offs (defaults from shared/DOMAIN.md). The ranges keep them clinically meaningful: a symmetry flag
    # is a share of the other side (50-100 %), and the step height matches the assessment's own range (5-40 cm).
    lsi_flag_percent = models.DecimalField(
        _("LSI flag below (%)"),
        max_digits=5,
        decimal_places=1,
        default=90,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text=_("50-100 %. 90 % is common in return-to-sport practice; it is not validated for the hip."),
    )
    step_down_height_cm = models.PositiveIntegerField(
        _("step-down height (cm)"), default=20, validators=[MinValueValidator(5), MaxValueValidator(40)]
    )

    # Reminders and messages.
    reminder_lead_hours = models.CharField(
        _("reminder lead times (hours, comma separated)"), max_length=100, default="24,2"
    )
    sms_quiet_start = models.TimeField(_("no SMS from"), default="21:00")
    sms_quiet_end = models.TimeField(_("no SMS until"), default="08:00")

    # Sign-in (docs/security.md).
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in for all staff"),
        default=default_require_two_factor,
        help_text=_("Staff without an authenticator app or passkey are asked to set one up after their password."),
    )

    # Printed programs.
    paper_size = models.CharField(_("paper size"), max_length=6, choices=PaperSize.choices, default=PaperSize.A4)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("practice settings")
        verbose_name_plural = _("practice settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="practice_is_singleton"),
            models.CheckConstraint(
                condition=models.Q(lsi_flag_percent__gte=50, lsi_flag_percent__lte=100), name="practice_lsi_flag_range"
            ),
            models.CheckConstraint(
                condition=models.Q(step_down_height_cm__gte=5, step_down_height_cm__lte=40),
                name="practice_step_down_height_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AuditEvent(models.Model):
    """Append-only record of access to patient data and of sign-ins.

    Never updated or deleted: on PostgreSQL a trigger refuses both (migration 0002). The actor and patient are stored
    as plain ids without foreign keys, so deleting a user or a patient cannot rewrite or cascade into history.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        DELETE = "delete", _("deleted")
        EXPORT = "export", _("exported")
        LOGIN = "login", _("signed in")
        LOGIN_FAILED = "login_failed", _("failed sign-in")
        LOGOUT = "logout", _("signed out")
        OTP_VERIFIED = "otp_verified", _("passed two-factor check")
        OTP_FAILED = "otp_failed", _("failed two-factor check")
        TWO_FACTOR_CHANGE = "two_factor_change", _("changed two-factor devices")
        LOCKED_OUT = "locked_out", _("locked out")
        UNLOCKED = "unlocked", _("unlocked")
        TOKEN_CREATED = "token_created", _("created an API token")
        TOKEN_REVOKED = "token_revoked", _("revoked an API token")
        TOKEN_REFUSED = "token_refused", _("refused an API token")
        PASSWORD_RESET = "password_reset", _("asked for a password reset")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    summary = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"


def new_message_id() -> str:
    """A globally unique RFC 5322 Message-ID for a new notification, e.g. <notification-3f2a...@clinic.example>."""
    host = urlsplit(settings.SITE_URL).hostname or "medius.invalid"
    return f"<notification-{uuid.uuid4().hex}@{host}>"


class Notification(models.Model):
    """One message to one recipient: a confirmation, a reminder, a cancellation... (clinic.notifications sends it).

    What it is about is a generic reference (subject_type "bookings.appointment", subject_id "42") because clinic
    imports no app. The unique constraint makes a duplicate impossible: one row per subject, kind, channel and due
    time, whoever schedules it and however often. `due_at` is that identity and never changes; `next_attempt_at` is
    when the dispatcher may try next (moved by retries with backoff and by SMS quiet hours).
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        REMINDER = "reminder", _("Reminder")
        RESCHEDULE = "reschedule", _("Rescheduled")
        CANCELLATION = "cancellation", _("Cancellation")
        PROGRAM_READY = "program_ready", _("Program ready")
        WAITLIST_OFFER = "waitlist_offer", _("Waiting-list offer")
        WAITLIST_GONE = "waitlist_gone", _("Waiting-list slot taken")
        PRACTICE_NOTICE = "practice_notice", _("Notice to the practice")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")
        # Not sent because it was far too late to be useful (an outage, a restored backup): see docs/reminders.md.
        EXPIRED = "expired", _("Expired")

    subject_type = models.CharField(_("about (type)"), max_length=60)
    subject_id = models.CharField(_("about (id)"), max_length=64)
    subject_label = models.CharField(_("about"), max_length=100, blank=True, help_text=_("E.g. the booking reference."))
    patient_id = models.BigIntegerField(_("patient"), null=True, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    due_at = models.DateTimeField(_("due"))
    next_attempt_at = models.DateTimeField(_("next attempt"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("reason"), max_length=255, blank=True, help_text=_("Why it was skipped or failed."))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider id"), max_length=255, blank=True)
    # The claim: a worker sets status=sending with its own token; every later write checks the token (a fence), so
    # a worker that lost its claim (stale, taken over after a crash timeout) can never record a second send.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Fixed when the row is created and sent with every attempt (the Message-ID header, the SMS gateway's
    # Idempotency-Key): a repeat after a crash carries the same id, so mail systems and gateways can drop it. Random
    # rather than the pk, because after a restore the same pk can name a different message.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True, default=new_message_id, editable=False)
    # What the renderer needs besides the subject itself, e.g. the previous time of a moved appointment.
    data = models.JSONField(default=dict, blank=True)
    title = models.CharField(_("subject line"), max_length=255, blank=True)
    body = models.TextField(_("text as sent"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind", "channel", "due_at"],
                name="notification_once_per_subject_kind_channel_due",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sending") | models.Q(claim_token__isnull=False, claimed_at__isnull=False),
                name="notification_sending_is_claimed",
            ),
        ]
        indexes = [
            # The dispatcher's query: due pending rows, oldest first. Partial, so sent history does not slow it.
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="notification_due"),
            models.Index(fields=["claimed_at"], condition=models.Q(status="sending"), name="notification_claimed"),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject"),
            models.Index(fields=["status", "-due_at"], name="notification_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_channel_display()} to {self.recipient} ({self.status})"


class ApiToken(AbstractAuthToken):
    """An API token for one client (a script, an app on the reception PC), stored as a SHA-512 digest (knox).

    The token itself is shown once when it is made. One token per user and client name: asking again for the same
    name replaces the old token. Every token expires (settings.API_TOKEN_DAYS) and all of a user's tokens are revoked
    on a password change, deactivation and a two-factor reset (clinic.security.services).
    """

    name = models.CharField(_("client name"), max_length=100)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["user_id", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="api_token_one_per_user_and_client")]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class PendingTask(models.Model):
    """Work to hand to Celery once the transaction that asked for it has committed (a transactional outbox).

    The row is written in the same transaction as the change that needs the work (a cancelled appointment and its
    waiting-list offer), so the work exists exactly when the change does; clinic.pending_tasks relays it to the broker
    after commit and deletes the row. If the broker is down the row stays, and the periodic relay sends it later.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
