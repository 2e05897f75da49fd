"""A URL that raises, to see the 500 page as a visitor would (tests/clinic/test_error_pages.py)."""

from django.urls import path


def fail(request):
    raise RuntimeError("a fault, on purpose")


urlpatterns = [path("fail/", fail)]
