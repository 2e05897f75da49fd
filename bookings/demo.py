"""Demo diary for seed_demo: the demo physiotherapists take online bookings, with a few appointments booked."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clinic.demo import demo_email
from clinic.models import User
from clinic.selectors import get_practice
from patients import selectors as patient_selectors

from . import availability
from .models import Appointment, AppointmentType, Practitioner, WorkingHours
from .services import BookingError, create_appointment

TYPES = [
    # name, minutes, buffer after, colour, online, description
    (
        "Initial assessment",
        60,
        10,
        "#0b6e75",
        True,
        "First visit: history, running assessment and strength tests, and a plan.",
    ),
    ("Follow-up", 30, 0, "#5b4bb7", True, "Progress check and next steps for returning patients."),
    ("Gait analysis (video)", 45, 15, "#b5531a", False, "Treadmill video analysis; book through the practice."),
]
PRACTITIONERS = [
    # handle, bio, weekly hours {weekday: [(from, until), ...]}
    (
        "physio",
        "Specialist in knee pain in distance runners; parkrun volunteer.",
        {d: [("09:00", "13:00"), ("14:00", "17:30")] for d in range(5)},
    ),
    (
        "physio2",
        "Hip and hamstring problems, return to running after injury.",
        {0: [("12:00", "20:00")], 2: [("12:00", "20:00")], 4: [("08:00", "14:00")], 5: [("09:00", "13:00")]},
    ),
    (
        "physio3",
        "Strength and conditioning for runners; bone stress injuries.",
        {1: [("08:00", "16:00")], 3: [("08:00", "16:00")], 4: [("10:00", "18:00")]},
    ),
]


def _time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def seed(*, password: str, stdout=None) -> None:
    types = {}
    for order, (name, minutes, after, colour, online, description) in enumerate(TYPES):
        types[name], _ = AppointmentType.objects.update_or_create(
            name=name,
            defaults={
                "duration_minutes": minutes,
                "buffer_after_minutes": after,
                "colour": colour,
                "online_bookable": online,
                "description": description,
                "order": order,
            },
        )
    practitioners = []
    for order, (handle, bio, week) in enumerate(PRACTITIONERS):
        user = User.objects.get(email=demo_email(handle))
        practitioner, created = Practitioner.objects.update_or_create(
            user=user, defaults={"display_name": user.get_full_name(), "bio": bio, "order": order}
        )
        practitioner.appointment_types.set(types.values())
        if created or not practitioner.working_hours.exists():
            practitioner.working_hours.all().delete()
            WorkingHours.objects.bulk_create(
                WorkingHours(practitioner=practitioner, weekday=day, start_time=_time(a), end_time=_time(b))
                for day, intervals in week.items()
                for a, b in intervals
            )
        practitioners.append(practitioner)
        if stdout and created:
            stdout.write(f"  practitioner {practitioner.display_name}")
    _wait_a_few(types)
    if Appointment.objects.exists():
        return
    _book_a_few(practitioners, types)


def _wait_a_few(types: dict[str, AppointmentType]) -> None:
    """Two patients on the waiting list (issue 4), so a cancellation in the demo offers its time to someone."""
    from . import waitlist
    from .front_desk_models import WaitlistEntry

    if WaitlistEntry.objects.exists():
        return
    for patient, weekdays in zip(list(patient_selectors.search_patients()[8:10]), ([0, 2, 4], []), strict=False):
        waitlist.add_entry(patient=patient, appointment_type=types["Follow-up"], weekdays=weekdays)


def _book_a_few(practitioners: list[Practitioner], types: dict[str, AppointmentType]) -> None:
    """A handful of appointments over the coming days for the first demo patients, through the real service."""
    zone = availability.Rules.from_practice(get_practice()).zone
    today = timezone.localdate(timezone=zone)
    patients = list(patient_selectors.search_patients()[:8])
    wanted = [(1, "10:00"), (1, "14:00"), (2, "09:00"), (3, "11:00"), (4, "15:00"), (6, "09:30"), (8, "10:30")]
    for i, (patient, (days_ahead, at)) in enumerate(zip(patients, wanted, strict=False)):
        practitioner = practitioners[i % len(practitioners)]
        appointment_type = types["Initial assessment" if i % 2 == 0 else "Follow-up"]
        day = today + dt.timedelta(days=days_ahead)
        start = availability.wall_to_utc(day, _time(at), zone)
        if start is None:
            continue
        try:
            create_appointment(
                patient=patient,
                practitioner=practitioner,
                appointment_type=appointment_type,
                start=start,
                source=Appointment.Source.FRONT_DESK,
                staff_override=True,  # demo data may land outside someone's hours; overlaps are still refused
            )
        except BookingError:
            continue
