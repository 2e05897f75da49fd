from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from . import unavailable
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
