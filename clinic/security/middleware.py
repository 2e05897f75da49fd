"""Two-factor sign-in for the web pages.

Signing in with the password starts a session that can reach only the two-factor pages (and public ones) until a
second factor is checked: staff who have one must use it; staff without one are sent to set one up when the practice
requires it (Practice.require_two_factor). The API's token sign-in asks for the code itself (clinic.security.api).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from ..permissions import PUBLIC
from . import selectors


def two_factor_exempt(view):
    """Mark a view as reachable with only the password checked (the two-factor pages themselves, sign-out)."""
    view.medius_two_factor_exempt = True
    return view


def _is_exempt(view_func) -> bool:
    if getattr(view_func, "medius_two_factor_exempt", False):
        return True
    if getattr(view_func, "medius_capability", None) == PUBLIC:
        return True
    view_class = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
    return getattr(view_class, "capability", None) == PUBLIC


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        if not selectors.second_factor_needed(user, getattr(request, "practice", None)):
            return None
        request.medius_two_factor_pending = True  # base.html shows no menu that would only lead back here
        if _is_exempt(view_func):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "two_factor_required", "detail": "Finish signing in with your second factor first."},
                status=403,
            )
        target = "two_factor_verify" if selectors.has_second_factor(user) else "two_factor_setup"
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse(target) + (f"?{query}" if query else ""))
