import json
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.middleware import common
from django.urls import reverse
from django.utils import timezone
from django.utils.log import log_response

from . import unavailable, validation
from .selectors import get_practice


class PracticeTimezoneMiddleware:
    """Show times in the practice's wall-clock zone (they are stored in UTC); keep the practice on the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The health check must answer from the database check alone (a load balancer asks it during an outage).
        if request.path_info == reverse("healthz"):
            return self.get_response(request)
        try:
            request.practice = get_practice()
        except unavailable.DATABASE_ERRORS:
            return unavailable.response(request)
        timezone.activate(ZoneInfo(request.practice.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


API_ERRORS = {
    400: ("invalid", "The request is not valid."),
    401: ("not_authenticated", "Sign in or send an API token."),
    403: ("permission_denied", "You do not have permission to do this."),
    404: ("not_found", "Nothing here. API paths end with a slash, e.g. /api/v1/patients/."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("too_large", "The request body is too large."),
    500: ("server_error", "Something went wrong on our side. It has been logged."),
}


def api_error(status: int, **extra) -> JsonResponse:
    code, detail = API_ERRORS.get(status, ("error", "The request could not be answered."))
    return JsonResponse({"code": code, "detail": detail, **extra}, status=status)


class InputPolicyMiddleware:
    """Refuse text that no field may hold (clinic.validation) wherever it arrives: the query string of any page or
    API call, an HTML form's fields, an API's JSON body. One place, so no view, form, serializer or filter can forget
    it. The answer is a 400 naming the fields (JSON under /api/); the refused text is never repeated."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        errors = validation.bad_text_errors(request.GET)
        if not errors:
            errors = validation.bad_text_errors(self._body(request))
        if errors:
            if is_api(request):
                return api_error(400, detail="Some fields are not valid.", errors=errors)
            return HttpResponseBadRequest(
                "These fields contain characters that cannot be accepted: " + ", ".join(sorted(errors)),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def _body(request):
        content_type = request.content_type or ""
        try:
            if content_type == "application/json" or content_type.endswith("+json"):
                return json.loads(request.body) if request.body else None
            if request.method == "POST" and content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                return request.POST
        except Exception:
            return None
        return None


class ApiErrorMiddleware:
    """Under /api/ every error is JSON in the one error shape (clinic.api), whatever raised it: an unknown path, a
    method the URL does not take, or a bug (500, logged as Django logs it). Pages elsewhere keep their HTML."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_api(request) and response.status_code >= 400 and not _is_json(response):
            return api_error(response.status_code)
        return response

    def process_exception(self, request, exception):
        if not is_api(request) or isinstance(exception, Http404 | PermissionDenied):
            return None  # Django turns these into a 404/403 page, which __call__ makes JSON
        # What Django's own 500 handling does: tell listeners (error reporting, the test client) and log it.
        got_request_exception.send(sender=self.__class__, request=request)
        response = api_error(500)
        log_response("Internal Server Error: %s", request.path, response=response, request=request, exception=exception)
        return response


class CommonMiddleware(common.CommonMiddleware):
    """Django's, except that API paths are never redirected to add a slash: a redirect would turn a POST into a GET
    (and answers HTML). An API path without its slash is a JSON 404 that says so."""

    def should_redirect_with_slash(self, request):
        return not is_api(request) and super().should_redirect_with_slash(request)
