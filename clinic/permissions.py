"""Who may do what: the one role matrix, enforced for every page and API endpoint.

Every view declares a capability: function views with @require(...), class-based views with CapabilityRequired and
a `capability` attribute, DRF views with a `capability` attribute (a string, or a dict by action or HTTP method).
A view that declares nothing is refused (fail closed), and tests/clinic/test_url_permissions.py walks the URL
configuration so that a new endpoint without a rule fails the build.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .roles import Role, role_of

PUBLIC = "public"
STAFF = "staff"  # any signed-in member of staff, whatever the role (home page, own password)
PATIENTS_VIEW = "patients.view"  # demographics and contact details
PATIENTS_EDIT = "patients.edit"
CLINICAL_VIEW = "clinical.view"  # assessments, notes, programs: never front desk
CLINICAL_EDIT = "clinical.edit"
BOOKINGS_MANAGE = "bookings.manage"  # appointments and calendars (physios: their own, checked in bookings.services)
SCHEDULES_MANAGE = "schedules.manage"
EXERCISES_MANAGE = "exercises.manage"
OUTBOX_VIEW = "outbox.view"
AUDIT_VIEW = "audit.view"
PRACTICE_MANAGE = "practice.manage"
METRICS_VIEW = "metrics.view"  # Prometheus metrics: counts and timings, never patient data
SECURITY_MANAGE = "security.manage"  # lockouts, colleagues' two-factor resets, everyone's API tokens
FRONT_DESK_TODAY = "today.front_desk"  # the front desk's day on the home page: arrivals, late, offers, failed messages
STAFF_MANAGE = "staff.manage"  # staff accounts and roles, practitioners' profiles, types, questionnaire packs

_ALL_STAFF = frozenset({Role.FRONT_DESK, Role.PHYSIO, Role.ADMIN})
_CLINICIANS = frozenset({Role.PHYSIO, Role.ADMIN})
_ADMINS = frozenset({Role.ADMIN})

MATRIX: dict[str, frozenset[Role]] = {
    PUBLIC: frozenset({Role.ANONYMOUS, *_ALL_STAFF}),
    STAFF: _ALL_STAFF,
    PATIENTS_VIEW: _ALL_STAFF,
    PATIENTS_EDIT: _ALL_STAFF,
    CLINICAL_VIEW: _CLINICIANS,
    CLINICAL_EDIT: _CLINICIANS,
    BOOKINGS_MANAGE: _ALL_STAFF,
    SCHEDULES_MANAGE: _ALL_STAFF,
    EXERCISES_MANAGE: _CLINICIANS,
    OUTBOX_VIEW: _ALL_STAFF,
    AUDIT_VIEW: _ADMINS,
    PRACTICE_MANAGE: _ADMINS,
    METRICS_VIEW: _ADMINS,
    SECURITY_MANAGE: _ADMINS,
    STAFF_MANAGE: _ADMINS,
    FRONT_DESK_TODAY: frozenset({Role.FRONT_DESK, Role.ADMIN}),
}


def allows(user, capability: str) -> bool:
    try:
        roles = MATRIX[capability]
    except KeyError:
        raise ValueError(f"Unknown capability {capability!r}; add it to clinic.permissions.MATRIX") from None
    return role_of(user) in roles


def check(request, capability: str) -> None:
    """Raise PermissionDenied unless the request's user has the capability."""
    if not allows(request.user, capability):
        raise PermissionDenied


def require(capability: str):
    """Decorate a function view (or an as_view() result) with its capability."""
    if capability not in MATRIX:
        raise ValueError(f"Unknown capability {capability!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allows(request.user, capability):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.medius_capability = capability
        return wrapped

    return decorator


def public(view):
    return require(PUBLIC)(view)


class CapabilityRequired:
    """Mixin for class-based HTML views: `capability = PATIENTS_VIEW`."""

    capability: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.capability is None or not allows(request.user, self.capability):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def capability_for_api_view(view, request=None) -> str | None:
    cap = getattr(view, "capability", None)
    if isinstance(cap, dict):
        action = getattr(view, "action", None)
        method = request.method.lower() if request is not None else None
        return cap.get(action) or cap.get(method) or cap.get("default")
    return cap


class HasCapability(BasePermission):
    """DRF permission: the view's `capability` decides. No capability declared means no access."""

    def has_permission(self, request, view) -> bool:
        capability = capability_for_api_view(view, request)
        return capability is not None and allows(request.user, capability)
