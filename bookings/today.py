"""The home page's "today" sections served by bookings: the front desk's day and a physiotherapist's own day.

The front desk section names patients and times only (no clinical content). The physio's day lists their
appointments; each patient's last findings and program are fragments served by assessments and programs
(clinic.panels.register_patient_summary), loaded next to the row, so bookings imports neither.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.shortcuts import render
from django.utils import timezone

from clinic import audit
from clinic.panels import patient_summaries_for
from clinic.permissions import CLINICAL_VIEW, FRONT_DESK_TODAY, require

from . import availability
from .front_desk_models import WaitlistOffer
from .models import Appointment

LATE_AFTER = dt.timedelta(minutes=5)  # a patient not checked in five minutes after their start is shown as late
NEW_ONLINE_WINDOW = dt.timedelta(hours=24)


def _today_range(request) -> tuple[dt.datetime, dt.datetime, ZoneInfo]:
    zone = ZoneInfo(request.practice.time_zone)
    day = timezone.now().astimezone(zone).date()
    return availability.local_midnight(day, zone), availability.local_midnight(day + dt.timedelta(days=1), zone), zone


def _audit_shown(request, patient_ids, summary: str) -> None:
    for patient_id in sorted(set(patient_ids)):
        audit.record(
            action=audit.Action.VIEW,
            request=request,
            object_type="patients.patient",
            object_id=patient_id,
            patient_id=patient_id,
            summary=summary,
        )


@require(FRONT_DESK_TODAY)
def front_desk_today(request):
    now = timezone.now()
    first, last, zone = _today_range(request)
    appointments = Appointment.objects.select_related("patient", "practitioner", "appointment_type")
    arrivals = list(
        appointments.filter(
            start__gte=first,
            start__lt=last,
            status__in=[Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN],
        ).order_by("start", "id")
    )
    for appointment in arrivals:
        appointment.is_late = appointment.status == Appointment.Status.BOOKED and appointment.start + LATE_AFTER < now
    new_online = list(
        appointments.filter(
            source=Appointment.Source.ONLINE,
            status=Appointment.Status.BOOKED,
            created_at__gte=now - NEW_ONLINE_WINDOW,
            start__gte=now,
        ).order_by("start", "id")[:20]
    )
    offers = list(
        WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OPEN, start__gt=now)
        .select_related("entry__patient", "practitioner", "appointment_type")
        .order_by("start", "id")[:20]
    )
    _audit_shown(
        request,
        [a.patient_id for a in arrivals + new_online] + [o.entry.patient_id for o in offers],
        "Today (front desk)",
    )
    return render(
        request,
        "bookings/today_front_desk.html",
        {
            "arrivals": arrivals,
            "late": [a for a in arrivals if a.is_late],
            "new_online": new_online,
            "offers": offers,
            "zone": zone,
            "today": first.astimezone(zone).date(),
        },
    )


@require(CLINICAL_VIEW)
def my_day(request):
    practitioner = getattr(request.user, "practitioner", None)
    appointments = []
    if practitioner is not None:
        first, last, _zone = _today_range(request)
        appointments = list(
            Appointment.objects.filter(
                practitioner=practitioner,
                start__gte=first,
                start__lt=last,
                status__in=Appointment.BLOCKING_STATUSES,
            )
            .select_related("patient", "appointment_type")
            .order_by("start", "id")
        )
        _audit_shown(request, [a.patient_id for a in appointments], "Today (my day)")
    return render(
        request,
        "bookings/today_my_day.html",
        {
            "practitioner": practitioner,
            "appointments": appointments,
            "summaries": patient_summaries_for(request.user),
        },
    )
