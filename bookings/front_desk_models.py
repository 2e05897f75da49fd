"""Front-desk models (issue 4): the waiting list, its slot offers, and practitioners' private calendar feeds.

Kept in their own module (bookings.models imports them) so the online-booking models stay readable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WaitlistEntry(models.Model):
    """A patient who wants an earlier appointment of a type, with a practitioner (or anyone), at preferred times."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        BOOKED = "booked", _("Booked from an offer")
        REMOVED = "removed", _("Removed")

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="waitlist_entries")
    appointment_type = models.ForeignKey(
        "bookings.AppointmentType", on_delete=models.PROTECT, related_name="+", verbose_name=_("appointment type")
    )
    practitioner = models.ForeignKey(
        "bookings.Practitioner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("practitioner"),
        help_text=_("Leave empty for any practitioner."),
    )
    earliest_date = models.DateField(_("from date"), null=True, blank=True)
    latest_date = models.DateField(_("until date"), null=True, blank=True)
    # Clinic-local weekdays (0 = Monday) the patient can come; empty means any day.
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True)
    time_from = models.TimeField(_("not before"), null=True, blank=True)
    time_until = models.TimeField(_("finished by"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "appointment_type"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(earliest_date__isnull=True)
                | Q(latest_date__isnull=True)
                | Q(latest_date__gte=F("earliest_date")),
                name="waitlist_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(time_from__isnull=True) | Q(time_until__isnull=True) | Q(time_until__gt=F("time_from")),
                name="waitlist_times_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.appointment_type_id} {self.status}"

    @property
    def weekday_names(self) -> list[str]:
        """The preferred days as short, translated names ("Mon", "Wed"); empty means any day."""
        from django.utils.dates import WEEKDAYS_ABBR

        return [str(WEEKDAYS_ABBR[d]) for d in sorted(self.weekdays or []) if d in WEEKDAYS_ABBR]


class WaitlistOffer(models.Model):
    """A freed slot offered to one waiting-list entry by email. Offers of one slot share `slot_key`; one wins."""

    class Status(models.TextChoices):
        OPEN = "open", _("Offered")
        CLAIMED = "claimed", _("Claimed")
        GONE = "gone", _("Taken by someone else")
        EXPIRED = "expired", _("Expired")

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    freed_appointment = models.ForeignKey(
        "bookings.Appointment", on_delete=models.CASCADE, related_name="waitlist_offers"
    )
    slot_key = models.CharField(max_length=80, db_index=True)
    practitioner = models.ForeignKey("bookings.Practitioner", on_delete=models.CASCADE, related_name="+")
    appointment_type = models.ForeignKey("bookings.AppointmentType", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    nonce = models.CharField(max_length=43, editable=False)
    # The claim link is HMAC(SECRET_KEY, nonce) (bookings.waitlist); incoming links are looked up by its SHA-256.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(
        "bookings.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gone_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("waiting-list offer")
        verbose_name_plural = _("waiting-list offers")
        ordering = ["created_at", "id"]
        constraints = [
            # One offer per entry per freed slot (a task run twice offers nothing twice), and one winner per slot.
            models.UniqueConstraint(fields=["entry", "slot_key"], name="waitlist_offer_once_per_entry"),
            models.UniqueConstraint(
                fields=["slot_key"], condition=Q(status="claimed"), name="waitlist_offer_one_claim_per_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"offer {self.pk} {self.slot_key} {self.status}"


class CalendarFeed(models.Model):
    """A practitioner's private, read-only .ics link. Only the token's SHA-256 is stored; revoking ends the link."""

    practitioner = models.ForeignKey("bookings.Practitioner", on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_live_per_practitioner",
            )
        ]

    def __str__(self) -> str:
        return f"feed {self.practitioner_id}"
