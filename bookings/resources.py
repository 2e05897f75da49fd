"""Rooms and equipment an appointment type needs (the gym, the treadmill for gait analysis).

A resource is held like a practitioner's diary: every active appointment whose type needs it holds a ResourceBooking
over the same blocked range, and an exclusion constraint (models.ResourceBooking, PostgreSQL) refuses two that
overlap, whatever code path writes them. The booking services call sync() after every write to an appointment
(book, move, cancel, status change), in the same transaction; an overlap becomes SlotUnavailable (409).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Appointment, ResourceBooking


def sync(appointment: Appointment) -> None:
    """Make the appointment's resource bookings match it: its type's resources over its blocked range while it is
    active, none otherwise. Raises services.SlotUnavailable when a resource is in use then."""
    from .services import SlotUnavailable  # services imports this module

    ResourceBooking.objects.filter(appointment=appointment).delete()
    if not appointment.is_active:
        return
    for resource in appointment.appointment_type.resources.all():
        try:
            with transaction.atomic():
                ResourceBooking.objects.create(
                    appointment=appointment,
                    resource=resource,
                    blocked_start=appointment.blocked_start,
                    blocked_end=appointment.blocked_end,
                )
        except IntegrityError as exc:
            if "resource_no_overlap" in str(exc):
                raise SlotUnavailable(_("%(resource)s is in use at that time.") % {"resource": resource.name}) from exc
            raise
