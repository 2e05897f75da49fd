"""What a request gets when the database is down: a 503 that says to try again, never a 500.

The answer is built without the database (no practice name, no session, no context processors): the API gets its
usual error shape as JSON, pages get a plain styled page. Both carry Retry-After.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

# OperationalError: connection refused or lost, server shutting down. InterfaceError: a connection already closed.
DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"
DETAIL = "The service is briefly unavailable (database). Please try again shortly."


def is_database_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def response(request) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        reply = JsonResponse({"code": "service_unavailable", "detail": DETAIL}, status=503)
    else:
        # render_to_string without the request: no context processor runs, so nothing touches the database.
        reply = HttpResponse(render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503)
    reply["Retry-After"] = str(RETRY_AFTER_SECONDS)
    reply["Cache-Control"] = "no-store"
    return reply


class DatabaseUnavailableMiddleware:
    """Turns a database outage raised by a view (or DRF) into the 503 above."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            return response(request)
        return None
