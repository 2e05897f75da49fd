"""Recurring appointments: "every Tuesday 08:00 for 6 weeks" booked in one go by the front desk.

Each occurrence is booked through services.create_appointment, in its own savepoint, so the no-double-booking
guarantee applies to every one; a week that clashes (the practitioner is busy, or away) is skipped and reported,
and the others are kept. The wall-clock time stays the same across a clock change (08:00 stays 08:00).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from . import availability, services
from .models import Appointment, AppointmentType, Practitioner

MAX_WEEKS = 26


@dataclass
class SeriesResult:
    booked: list[Appointment] = field(default_factory=list)
    skipped: list[tuple[dt.datetime, str]] = field(default_factory=list)  # (local start, why)


def weekly_starts(first: dt.datetime, weeks: int, zone: ZoneInfo) -> list[dt.datetime]:
    """The same weekday and wall-clock time for `weeks` weeks from `first` (a local time skipped by a clock change is
    moved to the next real instant, as everywhere in bookings.availability)."""
    local = first.astimezone(zone)
    starts = []
    for week in range(weeks):
        day = local.date() + dt.timedelta(weeks=week)
        starts.append(
            availability.wall_to_utc(day, local.time().replace(tzinfo=None), zone)
            or availability.boundary_to_utc(day, local.time().replace(tzinfo=None), zone)
        )
    return starts


def book_weekly(
    *,
    patient,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    first_start: dt.datetime,
    weeks: int,
    zone: ZoneInfo,
    actor,
    notes: str = "",
    request=None,
) -> SeriesResult:
    if not 1 <= weeks <= MAX_WEEKS:
        raise services.InvalidBooking(_("Repeat for 1 to %(max)d weeks.") % {"max": MAX_WEEKS}, field="repeat_weeks")
    result = SeriesResult()
    for start in weekly_starts(first_start, weeks, zone):
        try:
            appointment = services.create_appointment(
                patient=patient,
                practitioner=practitioner,
                appointment_type=appointment_type,
                start=start,
                source=Appointment.Source.FRONT_DESK,
                actor=actor,
                notes=notes,
                staff_override=True,
                request=request,
            )
        except services.SlotUnavailable as exc:
            result.skipped.append((start.astimezone(zone), exc.detail))
        else:
            result.booked.append(appointment)
    return result
