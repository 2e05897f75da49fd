from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class Patient(models.Model):
    class Sex(models.TextChoices):
        # Used for the strength reference values (Ramskov 2014), which were published for men and women only.
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other / not stated")

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex (for strength norms)"), max_length=10, choices=Sex.choices, default=Sex.OTHER)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    address = models.TextField(_("address"), blank=True)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=200, blank=True)
    emergency_contact_phone = PhoneNumberField(_("emergency contact phone"), blank=True)
    referrer = models.CharField(_("referred by"), max_length=200, blank=True)
    notes = models.TextField(_("administrative notes"), blank=True, help_text=_("No clinical content here."))
    consent_email = models.BooleanField(_("may be contacted by email"), default=True)
    consent_sms = models.BooleanField(_("may be contacted by SMS"), default=False)
    data_consent_at = models.DateField(_("data-processing consent given on"), null=True, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False, db_index=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(Lower("email"), name="patient_email_lower"),
            models.Index(Lower("last_name"), Lower("first_name"), name="patient_name_lower"),
            models.Index(fields=["date_of_birth"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        if self.preferred_name and self.preferred_name != self.first_name:
            return f"{self.full_name} ({self.preferred_name})"
        return self.full_name

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    def age_on(self, day) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
