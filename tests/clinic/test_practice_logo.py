"""The practice logo: the exercise pictures' size and pixel limits, shrunk and re-encoded, and clearing it works."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from clinic.models import Practice

pytestmark = pytest.mark.django_db


def _png(width: int, height: int, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, format="PNG")
    return out.getvalue()


def _form_data(client) -> dict:
    page = client.get(reverse("practice-settings"))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None and k != "logo"}
    return {k: (v.strftime("%H:%M") if hasattr(v, "strftime") else v) for k, v in data.items()}


def test_an_uploaded_logo_is_shrunk_and_re_encoded(persona_client, settings):
    client = persona_client("admin_user")
    upload = SimpleUploadedFile("Dr Jones clinic.png", _png(3000, 1500), content_type="image/png")
    response = client.post(reverse("practice-settings"), {**_form_data(client), "logo": upload})
    assert response.status_code == 302
    logo = Practice.objects.get().logo
    assert logo.name.startswith("practice/logo")
    with Image.open(logo.path) as stored:
        assert max(stored.size) <= 600


def test_a_logo_with_too_many_pixels_is_refused_with_a_message(persona_client):
    client = persona_client("admin_user")
    # 8000 x 6000 = 48 megapixels: over the 40 megapixel cap, yet a small file (one bit per pixel, one colour).
    upload = SimpleUploadedFile("huge.png", _png(8000, 6000, mode="1"), content_type="image/png")
    response = client.post(reverse("practice-settings"), {**_form_data(client), "logo": upload})
    assert response.status_code == 200
    assert "megapixels" in " ".join(response.context["form"].errors["logo"])
    assert not Practice.objects.get().logo


def test_a_logo_file_over_five_megabytes_is_refused(persona_client):
    client = persona_client("admin_user")
    upload = SimpleUploadedFile("big.png", _png(10, 10) + b"\0" * (5 * 1024 * 1024), content_type="image/png")
    response = client.post(reverse("practice-settings"), {**_form_data(client), "logo": upload})
    assert response.status_code == 200
    assert "5 MB" in " ".join(response.context["form"].errors["logo"])


def test_clearing_the_logo_works_and_removes_the_file(persona_client, django_capture_on_commit_callbacks):
    client = persona_client("admin_user")
    upload = SimpleUploadedFile("logo.png", _png(200, 100), content_type="image/png")
    client.post(reverse("practice-settings"), {**_form_data(client), "logo": upload})
    stored = Practice.objects.get().logo
    path = stored.path
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("practice-settings"), {**_form_data(client), "logo-clear": "on"})
    assert response.status_code == 302
    assert not Practice.objects.get().logo
    assert not stored.storage.exists(stored.name), path


def test_the_admin_site_applies_the_same_limits(persona_client):
    from clinic.admin import PracticeAdminForm
    from clinic.selectors import get_practice

    upload = SimpleUploadedFile("huge.png", _png(8000, 6000, mode="1"), content_type="image/png")
    form = PracticeAdminForm(data={}, files={"logo": upload}, instance=get_practice())
    assert not form.is_valid()
    assert "megapixels" in " ".join(form.errors["logo"])
