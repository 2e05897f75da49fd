"""The public booking pages with plain requests (no JavaScript), and the patient-page panel."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from bookings import links
from bookings.models import Appointment
from patients.models import Patient
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import LONDON, at


def _details(appointment_type, start, practitioner=None, **overrides) -> dict:
    return {
        "type": appointment_type.pk,
        "practitioner": practitioner.pk if practitioner else "",
        "start": start.astimezone(LONDON).isoformat(),
        "first_name": "Zoë",
        "last_name": "Ångström",
        "email": "zoe@mail.test",
        "phone": "+447911123456",
        "date_of_birth": "1988-04-17",
        "notes": "",
        **overrides,
    }


def test_the_first_step_lists_the_online_types_and_anyone(client, diary, initial, staff_only):
    page = client.get("/book/").content.decode()
    assert "Initial assessment" in page and "Shockwave" not in page
    assert "Anyone available" in page and "Phil Physio" in page


def test_choosing_a_type_shows_a_calendar_and_a_day_shows_its_times(client, diary, initial, monday):
    page = client.get("/book/", {"type": initial.pk, "practitioner": "", "day": monday.isoformat()}).content.decode()
    assert f"day={monday.isoformat()}" in page  # the day is a link: it has room
    assert "Free times on" in page
    assert f'value="{at(monday, "09:00").astimezone(LONDON).isoformat()}"' in page


def test_a_practitioner_who_does_not_offer_the_type_is_explained(client, diary, initial, follow_up):
    from tests.factories import PractitionerFactory

    other = PractitionerFactory(types=[follow_up], hours=True, display_name="Fay Follow")
    page = client.get("/book/", {"type": initial.pk, "practitioner": other.pk}).content.decode()
    assert "does not offer this appointment type" in page


def test_booking_through_the_form_lands_on_the_manage_page(client, diary, initial, monday):
    response = client.post("/book/details/", _details(initial, at(monday, "10:00"), diary))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert response["Location"] == links.manage_path(appointment.manage_nonce)
    page = client.get(response["Location"]).content.decode()
    assert appointment.reference in page and "You are booked in" in page


def test_when_the_slot_went_meanwhile_the_form_keeps_what_was_typed_and_offers_the_nearest_times(
    client, diary, initial, monday
):
    AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:00"))
    response = client.post("/book/details/", _details(initial, at(monday, "10:00"), diary, notes="Left knee"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "just been taken" in page
    assert 'value="Zoë"' in page and 'value="zoe@mail.test"' in page and "Left knee" in page
    assert 'name="start"' in page and at(monday, "11:15").astimezone(LONDON).isoformat() in page
    assert Patient.objects.count() == 1  # only the other appointment's patient: no stray record
    # Choosing one of the offered times books it.
    response = client.post("/book/details/", _details(initial, at(monday, "11:15"), diary))
    assert response.status_code == 302


def test_bad_details_are_shown_next_to_their_fields(client, diary, initial, monday):
    response = client.post(
        "/book/details/", _details(initial, at(monday, "10:00"), diary, email="nope", date_of_birth="2099-01-01")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a valid email address." in page and "cannot be in the future" in page
    assert not Appointment.objects.exists()


def test_the_details_page_refuses_an_unknown_type(client, diary):
    assert client.get("/book/details/", {"type": 999999, "start": "2030-01-01T10:00:00+00:00"}).status_code == 404
    assert client.get("/book/details/", {"type": "x"}).status_code == 404


def test_the_manage_page_cancels(client, diary, initial, monday):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:00"))
    token = links.token_for(appointment.manage_nonce)
    page = client.get(f"/book/manage/{token}/").content.decode()
    assert "Cancel this appointment" in page and "Pick a new time" in page
    response = client.post(f"/book/manage/{token}/cancel/", {"reason": "Better"}, follow=True)
    assert "Your appointment is cancelled" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


def test_the_manage_page_moves_to_a_chosen_time(client, diary, initial, monday):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:00"))
    token = links.token_for(appointment.manage_nonce)
    page = client.get(f"/book/manage/{token}/", {"day": monday.isoformat()}).content.decode()
    new = at(monday, "14:00").astimezone(LONDON).isoformat()
    assert f'value="{new}"' in page
    response = client.post(f"/book/manage/{token}/reschedule/", {"start": new}, follow=True)
    assert "has been moved" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.start == at(monday, "14:00")


def test_inside_the_cutoff_the_manage_page_says_to_call(client, diary, initial, practice):
    practice.phone = "+44 20 7946 0000"
    practice.save()
    soon = (timezone.now() + timezone.timedelta(hours=4)).replace(minute=0, second=0, microsecond=0)
    appointment = AppointmentFactory(practitioner=diary, appointment_type=initial, start=soon)
    page = client.get(f"/book/manage/{links.token_for(appointment.manage_nonce)}/").content.decode()
    assert "can no longer be changed online" in page and "Cancel this appointment" not in page


def test_an_unknown_manage_link_is_a_kind_404(client, diary):
    response = client.get("/book/manage/nonsense/")
    assert response.status_code == 404
    assert "not valid any more" in response.content.decode()
    assert client.post("/book/manage/nonsense/cancel/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"), [("front_desk", 200), ("physio", 200), ("admin_user", 200), ("outsider", 403)]
)
def test_the_patient_panel_shows_appointments_to_staff(persona_client, persona, status, diary, initial, monday):
    patient = PatientFactory()
    AppointmentFactory(patient=patient, practitioner=diary, appointment_type=initial, start=at(monday, "10:00"))
    AppointmentFactory(
        patient=patient, practitioner=diary, appointment_type=initial, start=at(monday, "08:00"), status="no_show"
    )
    response = persona_client(persona).get(f"/appointments/patients/{patient.pk}/panel/")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Initial assessment" in page and "1 no-show" in page


def test_the_patient_panel_is_a_404_for_an_unknown_patient(persona_client, diary):
    assert persona_client("front_desk").get("/appointments/patients/999999/panel/").status_code == 404


def test_seed_demo_gives_the_demo_physios_hours_and_two_online_types(db):
    from django.core.management import call_command

    from bookings.models import AppointmentType, Practitioner

    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())  # idempotent
    online = {t.name: t.duration_minutes for t in AppointmentType.objects.filter(online_bookable=True)}
    assert online == {"Initial assessment": 60, "Follow-up": 30}
    practitioners = Practitioner.objects.select_related("user").order_by("user__email")
    assert [p.user.email for p in practitioners] == [
        "physio2@medius.example",
        "physio3@medius.example",
        "physio@medius.example",
    ]
    assert all(
        p.working_hours.exists() and p.appointment_types.filter(online_bookable=True).count() == 2
        for p in practitioners
    )
    assert Appointment.objects.count() >= 5


@pytest.mark.parametrize(
    "query",
    [
        {"type": "abc"},
        {"type": 999999},
        {"type": "1", "practitioner": "x"},
        {"type": "{initial}", "month": "2020-13"},
        {"type": "{initial}", "month": "1999-01", "day": "nonsense"},
        {"type": "{initial}", "month": "2100-01", "day": "2100-01-05"},
    ],
)
def test_odd_booking_links_never_fail(client, diary, initial, query):
    query = {k: v.format(initial=initial.pk) if isinstance(v, str) else v for k, v in query.items()}
    response = client.get("/book/", query)
    assert response.status_code == 200
    assert "Book an appointment" in response.content.decode()


def test_the_details_page_without_a_time_sends_the_patient_back_to_choose_one(client, diary, initial):
    response = client.post("/book/details/", {"type": initial.pk, "first_name": "Zoë"}, follow=True)
    assert response.redirect_chain and "Please choose a time." in response.content.decode()


def test_moving_without_a_usable_time_explains_itself(client, diary, initial, monday):
    appointment = AppointmentFactory(practitioner=diary, appointment_type=initial, start=at(monday, "10:00"))
    token = links.token_for(appointment.manage_nonce)
    for start in ("", "soon", at(monday, "20:00").isoformat()):
        response = client.post(f"/book/manage/{token}/reschedule/", {"start": start}, follow=True)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Please choose a new time." in page or "outside the practitioner" in page
    appointment.refresh_from_db()
    assert appointment.start == at(monday, "10:00")


def test_the_booking_form_is_rate_limited_per_client_too(client, diary, initial, monday, monkeypatch):
    from bookings.api import PublicWriteThrottle

    monkeypatch.setattr(PublicWriteThrottle, "THROTTLE_RATES", {"public_write": "2/minute"})
    statuses = [client.post("/book/details/", {"type": initial.pk}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert client.get("/book/").status_code == 200  # reading is not limited
