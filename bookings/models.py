"""Practitioners' schedules, appointment types and appointments.

Times are stored in UTC. Working hours and extra hours are the clinic's wall-clock times (09:00 stays 09:00 across a
daylight-saving change); bookings.availability turns them into real instants.

An appointment blocks its practitioner from `blocked_start` to `blocked_end`: its own time plus the type's buffers
before and after, copied when it is booked (a later change to the type does not move existing appointments).
Ranges are half-open, so one appointment may end exactly when the next begins.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .db import TsTzRange


class Resource(models.Model):
    """A room or a piece of equipment that only one appointment can use at a time."""

    class Kind(models.TextChoices):
        ROOM = "room", _("Room")
        EQUIPMENT = "equipment", _("Equipment")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ROOM)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("room or equipment")
        verbose_name_plural = _("rooms and equipment")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class AppointmentType(models.Model):
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(8 * 60)]
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(
        _("buffer before (minutes)"), default=0, validators=[MaxValueValidator(120)]
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"), default=0, validators=[MaxValueValidator(120)]
    )
    online_bookable = models.BooleanField(
        _("bookable online"), default=True, help_text=_("Otherwise only staff can book it.")
    )
    # Shown on the booking page; empty means the page names no price. In the practice's own currency.
    price = models.DecimalField(
        _("price"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Shown on the booking page. Leave empty to show no price."),
    )
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#0b6e75",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #0b6e75."))],
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    resources = models.ManyToManyField(
        Resource,
        blank=True,
        related_name="appointment_types",
        verbose_name=_("needs"),
        help_text=_("Rooms or equipment every appointment of this type uses (held like the practitioner's time)."),
    )

    class Meta:
        verbose_name = _("appointment type")
        verbose_name_plural = _("appointment types")
        ordering = ["order", "name", "id"]
        constraints = [models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="type_duration_positive")]

    def __str__(self) -> str:
        return self.name


class Practitioner(models.Model):
    """A member of staff who sees patients. Their diary is the one the booking guarantee protects."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner", verbose_name=_("staff member")
    )
    display_name = models.CharField(_("display name"), max_length=120)
    bio = models.TextField(_("short bio"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="practitioners/", blank=True)
    appointment_types = models.ManyToManyField(
        AppointmentType, related_name="practitioners", blank=True, verbose_name=_("appointment types offered")
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")
        ordering = ["order", "display_name", "id"]

    def __str__(self) -> str:
        return self.display_name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(models.Model):
    """One interval of a practitioner's regular week (several per day are allowed: a lunch break is a gap)."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["practitioner", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="working_hours_end_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="working_hours_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class ExtraHours(models.Model):
    """One-off hours on a given day, in addition to the regular week (a Saturday clinic, a late evening)."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="extra_hours")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("extra hours")
        verbose_name_plural = _("extra hours")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="extra_hours_end_after_start")
        ]
        indexes = [models.Index(fields=["date", "practitioner"])]

    def __str__(self) -> str:
        return f"{self.date} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class TimeOff(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        SICK = "sick", _("Sick leave")
        TRAINING = "training", _("Training")
        OTHER = "other", _("Other")

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="time_off")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.HOLIDAY)
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="time_off_end_after_start")]
        indexes = [models.Index(fields=["practitioner", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d}-{self.end:%Y-%m-%d}"


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        FRONT_DESK = "front_desk", _("Front desk")
        API = "api", _("API")

    # Statuses that hold the practitioner's time. A cancelled appointment frees it; so does a no-show, so the front
    # desk can fit in a walk-in when a patient does not come.
    BLOCKING_STATUSES = (Status.BOOKED, Status.CHECKED_IN, Status.COMPLETED)

    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    blocked_start = models.DateTimeField(_("blocked from"), help_text=_("Start minus the buffer before."))
    blocked_end = models.DateTimeField(_("blocked until"), help_text=_("End plus the buffer after."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.BOOKED)
    source = models.CharField(_("booked through"), max_length=20, choices=Source.choices)
    patient_notes = models.TextField(_("notes from the patient"), blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=255, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # iCalendar SEQUENCE: goes up with every change the patient's calendar must pick up (reschedule, cancel).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # The private link: a random nonce (the link itself is derived from it with the server's secret, see
    # bookings.links) and the SHA-256 of the link token, which is what an incoming link is looked up by.
    manage_nonce = models.CharField(max_length=43, editable=False)
    manage_token_hash = models.CharField(max_length=64, unique=True, editable=False)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["practitioner", "blocked_start"]),
            models.Index(fields=["patient", "start"]),
            models.Index(fields=["start"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_end_after_start"),
            models.CheckConstraint(
                condition=Q(blocked_start__lte=F("start"), blocked_end__gte=F("end")),
                name="appointment_blocked_covers_appointment",
            ),
            # The guarantee (PostgreSQL; bookings.db explains SQLite). Migration 0001 adds it with
            # AddConstraintOnPostgres.
            ExclusionConstraint(
                name="appointment_no_overlap",
                expressions=[
                    ("practitioner", RangeOperators.EQUAL),
                    (TsTzRange("blocked_start", "blocked_end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["booked", "checked_in", "completed"]),
                violation_error_message=_("The practitioner already has an appointment at that time."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_active(self) -> bool:
        return self.status in self.BLOCKING_STATUSES

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


class ResourceBooking(models.Model):
    """An active appointment's hold on a room or equipment, over the appointment's blocked range (bookings.resources).

    Rows exist only while the appointment is active, so the exclusion constraint needs no status condition."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="resource_bookings")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(blocked_end__gt=F("blocked_start")), name="resource_booking_positive"),
            # The same guarantee as the practitioners' (Appointment.appointment_no_overlap); the migration adds it
            # with AddConstraintOnPostgres.
            ExclusionConstraint(
                name="resource_no_overlap",
                expressions=[
                    ("resource", RangeOperators.EQUAL),
                    (TsTzRange("blocked_start", "blocked_end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                violation_error_message=_("This room or equipment is already in use at that time."),
            ),
        ]
        indexes = [models.Index(fields=["resource", "blocked_start"])]

    def __str__(self) -> str:
        return f"{self.resource_id}:{self.appointment_id}"


class AppointmentChange(models.Model):
    """Every change to an appointment: who (a member of staff, or the patient through their link), when, what."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Booked")
        RESCHEDULED = "rescheduled", _("Moved")
        CANCELLED = "cancelled", _("Cancelled")
        STATUS = "status", _("Status changed")
        EDITED = "edited", _("Edited")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, help_text=_("Kept even if the account is removed."))
    from_start = models.DateTimeField(null=True, blank=True)
    to_start = models.DateTimeField(null=True, blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("appointment change")
        verbose_name_plural = _("appointment changes")

    def __str__(self) -> str:
        return f"{self.appointment_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class IdempotencyRecord(models.Model):
    """The first response to a request sent with an Idempotency-Key, replayed when the same request is retried."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    appointment = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique_per_scope")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


# Front desk (issue 4): the waiting list and practitioners' calendar feeds, kept in their own module.
from .front_desk_models import CalendarFeed, WaitlistEntry, WaitlistOffer  # noqa: E402, F401
