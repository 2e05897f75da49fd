"""Every response that shows patients writes one audit entry per patient shown, in one INSERT."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from tests.factories import (
    AppointmentFactory,
    AssessmentFactory,
    PatientFactory,
    PractitionerFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db


def _audit_inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "clinic_auditevent"')]


def _viewed(summary: str) -> list[int]:
    return sorted(AuditEvent.objects.filter(summary=summary).values_list("patient_id", flat=True))


def test_a_page_of_fifty_patients_writes_fifty_entries_in_one_insert(front_desk_api, front_desk):
    patients = PatientFactory.create_batch(50)
    with CaptureQueriesContext(connection) as queries:
        response = front_desk_api.get("/api/v1/patients/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 50
    assert len(_audit_inserts(queries)) == 1
    events = AuditEvent.objects.filter(summary="Listed patients (API)")
    assert sorted(events.values_list("patient_id", flat=True)) == sorted(p.pk for p in patients)
    assert set(events.values_list("actor_id", flat=True)) == {front_desk.pk}
    assert set(events.values_list("object_type", flat=True)) == {"patients.patient"}


def test_only_the_patients_on_the_returned_page_are_recorded(front_desk_api):
    PatientFactory.create_batch(52)
    response = front_desk_api.get("/api/v1/patients/", {"page": 2})
    shown = [row["id"] for row in response.json()["results"]]
    assert len(shown) == 2
    assert _viewed("Listed patients (API)") == sorted(shown)


def test_an_empty_list_writes_nothing(front_desk_api):
    assert front_desk_api.get("/api/v1/patients/").status_code == 200
    assert not AuditEvent.objects.exists()


def test_the_appointment_list_records_each_patient_once(front_desk_api):
    practitioner = PractitionerFactory()
    alice, bob = PatientFactory.create_batch(2)
    start = dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC)
    for hour, patient in enumerate([alice, bob, alice]):
        AppointmentFactory(practitioner=practitioner, patient=patient, start=start + dt.timedelta(hours=hour))
    with CaptureQueriesContext(connection) as queries:
        response = front_desk_api.get("/api/v1/appointments/")
    assert len(response.json()["results"]) == 3
    assert len(_audit_inserts(queries)) == 1
    assert _viewed("Listed appointments (API)") == sorted([alice.pk, bob.pk])


def test_one_appointment_read_through_the_api_is_recorded(front_desk_api):
    appointment = AppointmentFactory()
    assert front_desk_api.get(f"/api/v1/appointments/{appointment.pk}/").status_code == 200
    assert _viewed("Appointment viewed (API)") == [appointment.patient_id]


def test_assessment_and_program_lists_name_every_patient(physio_api):
    assessments = AssessmentFactory.create_batch(3)
    programs = ProgramFactory.create_batch(2)
    assert physio_api.get("/api/v1/assessments/").status_code == 200
    assert physio_api.get("/api/v1/programs/").status_code == 200
    assert _viewed("Assessments listed (API)") == sorted(a.patient_id for a in assessments)
    assert _viewed("Listed programs (API)") == sorted(p.patient_id for p in programs)
    assert not AuditEvent.objects.filter(patient_id__isnull=True).exists()


def test_the_patient_list_page_records_the_patients_it_shows(persona_client):
    patients = PatientFactory.create_batch(3)
    response = persona_client("front_desk").get(reverse("patients:list"))
    assert response.status_code == 200
    assert _viewed("Patient list") == sorted(p.pk for p in patients)


def test_the_printable_day_list_records_each_patient(persona_client):
    practitioner = PractitionerFactory()
    first, second = (
        AppointmentFactory(practitioner=practitioner),
        AppointmentFactory(practitioner=practitioner, start=dt.datetime(2030, 1, 7, 12, tzinfo=dt.UTC)),
    )
    url = reverse("bookings:day-list", kwargs={"practitioner_id": practitioner.pk})
    response = persona_client("front_desk").get(url, {"date": "2030-01-07"})
    assert response.status_code == 200
    events = AuditEvent.objects.filter(action="export")
    assert sorted(events.values_list("patient_id", flat=True)) == sorted([first.patient_id, second.patient_id])


def test_the_day_calendar_records_each_patient_it_shows(persona_client):
    appointment = AppointmentFactory()
    response = persona_client("front_desk").get(reverse("bookings:calendar-day"), {"date": "2030-01-07"})
    assert response.status_code == 200
    assert _viewed("Day calendar") == [appointment.patient_id]


def test_the_schedule_page_records_the_patients_whose_appointments_fall_outside_the_hours(persona_client):
    practitioner = PractitionerFactory(hours=True)  # 09:00 to 17:00 every day
    next_week = (timezone.now() + dt.timedelta(days=7)).date()
    late = AppointmentFactory(
        practitioner=practitioner, start=dt.datetime.combine(next_week, dt.time(20, 30), tzinfo=dt.UTC)
    )
    url = reverse("bookings:schedule", kwargs={"practitioner_id": practitioner.pk})
    response = persona_client("front_desk").get(url)
    assert response.status_code == 200
    assert late in response.context["outside"]
    assert _viewed("Schedule: appointments outside the hours") == [late.patient_id]
