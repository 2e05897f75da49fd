"""PostgreSQL stopped (a private server, killed): every answer is a clean 503 that says to try again, never a 500.

The test process's connection is pointed at a throw-away cluster on a free port (never the shared server), which
the test kills with SIGKILL and starts again.
"""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinic import unavailable
from tests.faults import PrivatePostgres


@pytest.fixture
def private_postgres(django_db_blocker):
    server = PrivatePostgres()
    server.start()
    default = connections["default"]
    saved = dict(default.settings_dict)
    with django_db_blocker.unblock():
        default.close()
        default.settings_dict.update(HOST="127.0.0.1", PORT=str(server.port), NAME="postgres")
        try:
            yield server
        finally:
            default.close()
            default.settings_dict.clear()
            default.settings_dict.update(saved)
            server.remove()


@pytest.fixture
def client():
    # A real deployment never re-raises a view's exception into the caller: the response is what counts.
    return Client(raise_request_exception=False)


def test_healthz_runs_no_query_before_its_own_check(private_postgres, client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]


def test_with_the_database_down_every_answer_is_a_clean_503(private_postgres, client):
    private_postgres.kill()

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["database"] == "error: OperationalError"
    assert health.json()["failing"] == ["database"]
    assert health["Retry-After"]

    for path in ("/api/v1/public/appointment-types/", "/api/v1/patients/"):
        api = client.get(path, HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
        assert api.status_code == 503, (path, api.content)
        assert api["Content-Type"] == "application/json"
        assert api.json() == {"code": "service_unavailable", "detail": unavailable.DETAIL}
        assert api["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)
    booking = client.post("/api/v1/public/bookings/", {}, content_type="application/json")
    assert booking.status_code == 503 and booking.json()["code"] == "service_unavailable"

    for path in ("/book/", "/patients/", "/accounts/login/"):
        page = client.get(path)
        assert page.status_code == 503, (path, page.status_code)
        html = page.content.decode()
        assert "Please try again shortly" in html
        assert 'rel="stylesheet"' in html and "medius.css" in html
        assert page["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)

    private_postgres.start()
    assert client.get("/healthz").status_code == 200


def test_a_database_error_met_inside_a_view_is_a_503_too(client, db, monkeypatch):
    """The connection can also drop after the middleware's query: the API and the pages answer the same 503.
    (The outage itself is the test above; here the error is raised where a view would meet it.)"""
    from django.db import OperationalError

    from bookings import selectors

    def connection_lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(selectors, "online_appointment_types", connection_lost)
    api = client.get("/api/v1/public/appointment-types/")
    assert (api.status_code, api.json()["code"]) == (503, "service_unavailable")
    page = client.get("/book/")
    assert page.status_code == 503 and "Please try again shortly" in page.content.decode()
