"""Clinic admins set up practitioners and their public profile in the app; the photo gets the same checks as an
exercise picture (a real image, size-capped, re-encoded without metadata)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from bookings.models import Practitioner
from clinic.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _jpeg_with_exif(size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (20, 120, 130))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_an_admin_adds_a_practitioner_with_a_photo_and_bio(persona_client, physio, initial):
    client = persona_client("admin_user")
    response = client.post(
        reverse("bookings:setup-practitioner-new"),
        {
            "user": physio.pk,
            "display_name": "Phil Okoro",
            "bio": "Sports physiotherapist; runners' knees and hips.",
            "photo": _jpeg_with_exif(),
            "appointment_types": [initial.pk],
            "is_active": "on",
            "order": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    phil = Practitioner.objects.get(user=physio)
    assert phil.bio.startswith("Sports") and list(phil.appointment_types.all()) == [initial]
    assert phil.photo.name.startswith("practitioners/") and "me" not in phil.photo.name
    with Image.open(phil.photo.path) as stored:
        assert stored.getexif().get(0x010F) is None  # re-encoded: no camera metadata
    assert AuditEvent.objects.filter(object_type="bookings.practitioner", object_id=str(phil.pk)).exists()
    page = client.get(reverse("bookings:setup-practitioners")).content.decode()
    assert "Phil Okoro" in page and phil.photo.url in page


def test_a_file_that_is_not_a_picture_is_refused(persona_client, physio):
    response = persona_client("admin_user").post(
        reverse("bookings:setup-practitioner-new"),
        {
            "user": physio.pk,
            "display_name": "Phil",
            "photo": SimpleUploadedFile("me.png", b"<script>alert(1)</script>"),
            "order": 0,
        },
    )
    assert response.status_code == 400
    assert "not a picture we can read" in response.content.decode()
    assert not Practitioner.objects.exists()


def test_front_desk_accounts_cannot_be_practitioners(persona_client, front_desk):
    response = persona_client("admin_user").post(
        reverse("bookings:setup-practitioner-new"), {"user": front_desk.pk, "display_name": "Fran", "order": 0}
    )
    assert response.status_code == 400
    assert not Practitioner.objects.exists()


def test_an_admin_edits_a_profile_and_removes_the_photo(persona_client, diary):
    client = persona_client("admin_user")
    client.post(
        reverse("bookings:setup-practitioner-edit", args=[diary.pk]),
        {"display_name": "Phil P.", "bio": "Hi", "photo": _jpeg_with_exif(), "is_active": "on", "order": 1},
    )
    diary.refresh_from_db()
    assert diary.photo and diary.display_name == "Phil P."
    response = client.post(
        reverse("bookings:setup-practitioner-edit", args=[diary.pk]),
        {"display_name": "Phil P.", "bio": "Hi", "remove_photo": "on", "is_active": "on", "order": 1},
    )
    assert response.status_code == 302
    diary.refresh_from_db()
    assert not diary.photo


@pytest.mark.parametrize("persona", ["front_desk", "physio"])
def test_only_admins_change_practitioners(persona_client, persona, diary):
    response = persona_client(persona).post(
        reverse("bookings:setup-practitioner-edit", args=[diary.pk]), {"display_name": "Hacked", "order": 0}
    )
    assert response.status_code == 403
    diary.refresh_from_db()
    assert diary.display_name == "Phil Physio"


def test_a_price_is_set_on_the_type_page(persona_client, initial):
    client = persona_client("admin_user")
    page = client.get(reverse("bookings:type-edit", args=[initial.pk]))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(price="65.00", practitioners=[])
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = client.post(reverse("bookings:type-edit", args=[initial.pk]), data)
    assert response.status_code == 302
    initial.refresh_from_db()
    assert str(initial.price) == "65.00"
    assert "£65.00" in client.get(reverse("bookings:types")).content.decode()
    bad = client.post(reverse("bookings:type-edit", args=[initial.pk]), {**data, "price": "-5"})
    assert bad.status_code == 400


def test_a_user_without_a_role_is_not_offered(persona_client, physio):
    UserFactory(email="norole@clinic.test")
    page = persona_client("admin_user").get(reverse("bookings:setup-practitioner-new")).content.decode()
    assert physio.email in page and "norole@clinic.test" not in page
