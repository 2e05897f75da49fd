"""Racing real connections at token sign-in: eight sign-ins for the same client at once leave one working token."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from clinic.models import ApiToken
from clinic.security import services
from tests.concurrency.test_booking_race import race
from tests.factories import UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_simultaneous_sign_ins_for_one_client_replace_each_other_instead_of_failing():
    user = UserFactory(email="script-owner@clinic.test")
    request = RequestFactory().post("/api/v1/auth/token/")

    def sign_in(i: int) -> str:
        _, token = services.create_token(request=request, user=user, name="Nightly export")
        return token

    results = race(sign_in)
    assert not [r for r in results if str(r).startswith("error")], results
    assert ApiToken.objects.filter(user=user, name="Nightly export").count() == 1
