"""Rotating SECRET_KEY signs every member of staff out and voids password-reset links (docs/operations.md); the
patients' appointment and waiting-list links are covered in tests/bookings/test_secret_key_rotation.py, plan links in
tests/programs/test_services.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db

NEW_KEY = "a-rotated-secret-key-" + "y" * 40


def test_a_rotated_key_signs_every_member_of_staff_out(client, front_desk, settings):
    client.force_login(front_desk)
    assert client.get("/outbox/").status_code == 200
    settings.SECRET_KEY = NEW_KEY
    response = client.get("/outbox/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_password_reset_link_from_before_a_rotation_is_refused(client, front_desk, settings):
    uid = urlsafe_base64_encode(force_bytes(front_desk.pk))
    token = default_token_generator.make_token(front_desk)
    url = reverse("password_reset_confirm", args=[uid, token])
    settings.SECRET_KEY = NEW_KEY
    page = client.get(url, follow=True)
    assert page.status_code == 200
    assert "new_password1" not in page.content.decode()  # the form to choose a password is not offered
    assert not default_token_generator.check_token(front_desk, token)
