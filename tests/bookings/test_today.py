"""The home page's "today": the front desk's arrivals, who is late, new online bookings and offers out; a physio's
own day with each patient's last findings and program. Front desk never sees clinical content; every patient shown
is audited."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.front_desk_models import WaitlistOffer
from bookings.models import Appointment
from clinic.models import AuditEvent, Notification
from programs.models import Program
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    PractitionerFactory,
    ProgramFactory,
    WeakHipAssessmentFactory,
)

pytestmark = pytest.mark.django_db


def _now_floor() -> dt.datetime:
    now = timezone.now()
    return now.replace(second=0, microsecond=0)


def _daytime_zone() -> ZoneInfo:
    """A zone where it is between 02:00 and 22:00 now, so "today" has a past hour and a future one."""
    for name in ("UTC", "Pacific/Kiritimati", "Etc/GMT+12"):
        if 2 <= timezone.now().astimezone(ZoneInfo(name)).hour <= 21:
            return ZoneInfo(name)
    raise AssertionError("unreachable")


def _local_midnight(zone: ZoneInfo) -> dt.datetime:
    local = timezone.now().astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture
def day(practice, initial):
    zone = _daytime_zone()  # whatever time the test runs, the first hour of "today" is past
    practice.time_zone = zone.key
    practice.save()
    now = _now_floor()
    midnight = _local_midnight(zone)
    phil = PractitionerFactory(display_name="Phil Physio", types=[initial])
    late = AppointmentFactory(practitioner=phil, appointment_type=initial, start=midnight, patient__last_name="Late")
    here = AppointmentFactory(
        practitioner=phil,
        appointment_type=initial,
        start=midnight + dt.timedelta(hours=2),
        status=Appointment.Status.CHECKED_IN,
        patient__last_name="Here",
    )
    online = AppointmentFactory(
        practitioner=phil,
        appointment_type=initial,
        start=now + dt.timedelta(days=3),
        source=Appointment.Source.ONLINE,
        patient__last_name="Online",
        patient__first_name="Olive",
    )
    return {"phil": phil, "late": late, "here": here, "online": online, "now": now}


def test_the_front_desk_sees_arrivals_late_new_online_bookings_and_offers(persona_client, day, initial):
    from bookings.front_desk_models import WaitlistEntry

    entry = WaitlistEntry.objects.create(patient=PatientFactory(last_name="Waiting", first_name="Wendy"),
                                         appointment_type=initial)  # fmt: skip
    cancelled = AppointmentFactory(
        practitioner=day["phil"], appointment_type=initial, start=day["now"] + dt.timedelta(days=2), status="cancelled"
    )
    WaitlistOffer.objects.create(
        entry=entry, freed_appointment=cancelled, slot_key="k", practitioner=day["phil"], appointment_type=initial,
        start=cancelled.start, nonce="n", token_hash="h" * 64,
    )  # fmt: skip
    response = persona_client("front_desk").get(reverse("bookings:today-front-desk"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Late, " in page and "late</span>" in page and "Here, " in page
    assert "1 patient is late" in page
    assert "Olive Online" in page  # new online booking
    assert "Wendy Waiting" in page  # offer out
    assert f"/calendar/appointments/{day['late'].pk}/status/" in page  # check in: one click
    shown = set(AuditEvent.objects.filter(summary="Today (front desk)").values_list("patient_id", flat=True))
    assert {day["late"].patient_id, day["here"].patient_id, day["online"].patient_id, entry.patient_id} <= shown


def test_the_home_page_counts_failed_messages(persona_client, db):
    Notification.objects.create(
        subject_type="x", subject_id="1", kind=Notification.Kind.CONFIRMATION, channel="email",
        recipient="a@b.test", due_at=timezone.now(), next_attempt_at=timezone.now(), status="failed",
    )  # fmt: skip
    page = persona_client("front_desk").get("/").content.decode()
    assert "1 message failed to send" in page and "/outbox/?status=failed" in page
    assert reverse("bookings:today-front-desk") in page
    assert reverse("bookings:today-my-day") not in page  # clinical: not for the front desk


def test_a_physio_sees_their_day_with_findings_and_program(persona_client, physio, initial, practice):
    zone = _daytime_zone()
    practice.time_zone = zone.key
    practice.save()
    mine = PractitionerFactory(user=physio, display_name="Me", types=[initial])
    midnight = _local_midnight(zone)
    patient = PatientFactory(first_name="Rita", last_name="Runner")
    AppointmentFactory(
        practitioner=mine, appointment_type=initial, start=midnight + dt.timedelta(hours=1), patient=patient
    )
    AppointmentFactory(appointment_type=initial, start=midnight + dt.timedelta(hours=1))  # someone else's diary
    WeakHipAssessmentFactory(patient=patient, signed=True)
    ProgramFactory(patient=patient, physio=physio, title="Hip stability", status=Program.Status.ACTIVE)
    client = persona_client("physio")
    page = client.get(reverse("bookings:today-my-day")).content.decode()
    assert "Rita Runner" in page and page.count("<li>") == 1
    assert reverse("assessments:patient-summary", args=[patient.pk]) in page
    assert reverse("programs:patient-summary", args=[patient.pk]) in page
    findings = client.get(reverse("assessments:patient-summary", args=[patient.pk])).content.decode()
    assert "Last findings" in findings and "strength symmetry" in findings
    program = client.get(reverse("programs:patient-summary", args=[patient.pk])).content.decode()
    assert "Hip stability" in program
    assert AuditEvent.objects.filter(patient_id=patient.pk, summary="Last findings (today)").exists()
    assert AuditEvent.objects.filter(patient_id=patient.pk, summary="Program (today)").exists()


def test_the_front_desk_cannot_read_findings_or_programs(persona_client, db):
    patient = PatientFactory()
    client = persona_client("front_desk")
    assert client.get(reverse("assessments:patient-summary", args=[patient.pk])).status_code == 403
    assert client.get(reverse("programs:patient-summary", args=[patient.pk])).status_code == 403
    assert client.get(reverse("bookings:today-my-day")).status_code == 403
