"""A clinic admin runs the practice's setup in the app, without /admin/: invites a receptionist and changes her
role, adds a practitioner with a photo and bio, prices an appointment type, loads a questionnaire pack."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from PIL import Image
from playwright.sync_api import expect

from assessments.models import QuestionnairePack
from bookings.models import AppointmentType, Practitioner
from clinic.roles import STAFF_ROLES, Role, role_of
from tests.assessments.test_proms import placeholder_pack
from tests.factories import AppointmentTypeFactory, UserFactory


@pytest.fixture
def roles(transactional_db):
    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role.value)


def test_a_clinic_admin_sets_up_the_practice_in_the_app(roles, page, login, admin_user, mailoutbox, tmp_path):
    physio = UserFactory(email="priya@clinic.test", first_name="Priya", last_name="Raman", role=Role.PHYSIO)
    AppointmentTypeFactory(name="Initial assessment", duration_minutes=60)
    login(admin_user)
    page.get_by_role("link", name="Setup", exact=True).first.click()
    expect(page.get_by_role("heading", name="Setup", level=1)).to_be_visible()

    # Staff: invite Nina at the front desk, then make her a physiotherapist.
    page.get_by_role("link", name=re.compile("Staff accounts and roles")).click()
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("New")
    page.get_by_label("Email address").fill("nina@clinic.test")
    page.get_by_label("Role").select_option(label="Front desk")
    page.get_by_role("button", name="Add and send the invitation").click()
    expect(page.get_by_text("Account made for nina@clinic.test")).to_be_visible()
    assert any(m.to == ["nina@clinic.test"] for m in mailoutbox)
    page.get_by_role("link", name="Nina New").click()
    page.get_by_role("combobox", name="Role").select_option(label="Physiotherapist")
    page.get_by_role("button", name="Save role").click()
    expect(page.get_by_text("Role saved.")).to_be_visible()
    assert role_of(get_user_model().objects.get(email="nina@clinic.test")) == Role.PHYSIO

    # Practitioners: Priya with a photo and a short bio.
    page.goto("/setup/")
    page.get_by_role("link", name=re.compile("^Practitioners")).click()
    page.get_by_role("link", name="Add a practitioner").click()
    page.get_by_label("Staff account").select_option(label="Priya Raman (priya@clinic.test)")
    page.get_by_label("Name on the booking page").fill("Priya Raman")
    page.get_by_label("Short bio").fill("Knees, hips and getting runners back on the road.")
    photo = tmp_path / "priya.png"
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), (30, 110, 120)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    page.get_by_label("Photo", exact=True).set_input_files(str(photo))
    page.get_by_label("Initial assessment").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Priya Raman saved.")).to_be_visible()
    priya = Practitioner.objects.get(user=physio)
    assert priya.photo and priya.appointment_types.filter(name="Initial assessment").exists()

    # Appointment types and prices.
    page.goto("/setup/")
    page.get_by_role("link", name=re.compile("Appointment types and prices")).click()
    page.get_by_role("link", name="Initial assessment").click()
    page.get_by_label("Price").fill("65")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="£65.00")).to_be_visible()
    assert str(AppointmentType.objects.get(name="Initial assessment").price) == "65.00"

    # Questionnaire packs.
    page.goto("/setup/")
    page.get_by_role("link", name=re.compile("Questionnaire packs")).click()
    pack = tmp_path / "pack.json"
    pack.write_text(json.dumps(placeholder_pack()), encoding="utf-8")
    page.get_by_label("Questionnaire pack (JSON file)").set_input_files(str(pack))
    page.get_by_role("button", name="Load and activate").click()
    expect(page.get_by_text("Questionnaire pack Test pack loaded and active.")).to_be_visible()
    assert QuestionnairePack.objects.filter(is_active=True).count() == 1

    # And /admin/ is not for clinic admins.
    response = page.goto("/admin/")
    assert "/admin/login/" in page.url or (response is not None and response.status in (302, 403))
