"""The 403, 404 and 500 pages: styled like the rest, with a main landmark and a way on, and the 500 page rendered
without the database (it is what shows when the database is the fault)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views import defaults

from tests.factories import PatientFactory


def test_a_front_desk_user_refused_a_clinical_page_gets_the_styled_403_with_navigation(client, front_desk):
    patient = PatientFactory()
    client.force_login(front_desk)
    response = client.get(f"/assessments/patient/{patient.pk}/progress/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "<main" in html and 'class="topbar"' in html
    assert "open this page" in html
    assert "Go to your start page" in html and "Find a patient" in html


def test_an_unknown_address_gets_the_styled_404_with_a_way_back(client, front_desk):
    client.force_login(front_desk)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<main" in html and "Page not found" in html and "Go to your start page" in html


def test_an_anonymous_visitor_gets_the_booking_page_and_sign_in_as_ways_on(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'href="/book/"' in html and 'href="/accounts/login/"' in html


def test_the_500_page_renders_without_touching_the_database():
    # No database fixture: pytest-django refuses any query, so this fails if the page reads one.
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "<main" in html and "Something went wrong" in html and 'href="/book/"' in html
    assert "medius.css" in html


@pytest.mark.django_db
def test_a_view_that_fails_shows_the_500_page(client, settings):
    client.raise_request_exception = False
    settings.ROOT_URLCONF = "tests.clinic.failing_urls"
    response = client.get("/fail/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
