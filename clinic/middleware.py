from zoneinfo import ZoneInfo

from django.utils import timezone

from .selectors import get_practice


class PracticeTimezoneMiddleware:
    """Show times in the practice's wall-clock zone (they are stored in UTC); keep the practice on the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.practice = get_practice()
        timezone.activate(ZoneInfo(request.practice.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
