"""Who may change which diary (the object-level half of clinic.permissions).

Front desk and admins manage every calendar; a physiotherapist sees every calendar but changes only their own
appointments and schedule. Services call ensure_may_manage() before any write, so the pages and the API share one rule
(PermissionDenied becomes a 403 in both). A write with no staff actor (a patient's own link, a waiting-list claim,
a Celery task) is not a staff action and is governed by the booking rules instead.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from clinic.roles import Role, role_of

MANAGE_ALL = frozenset({Role.FRONT_DESK, Role.ADMIN})


def _is_staff_actor(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def may_manage(user, practitioner) -> bool:
    """practitioner: a Practitioner (or anything with user_id)."""
    role = role_of(user)
    if role in MANAGE_ALL:
        return True
    return role == Role.PHYSIO and practitioner.user_id == user.pk


def ensure_may_manage(user, practitioner) -> None:
    if not _is_staff_actor(user):
        return
    if not may_manage(user, practitioner):
        raise PermissionDenied(_("You can only change your own appointments and schedule."))


def ensure_manages_all(user) -> None:
    """Practice-wide settings (appointment types): front desk and admins only."""
    if _is_staff_actor(user) and role_of(user) not in MANAGE_ALL:
        raise PermissionDenied(_("Only the front desk and admins can change appointment types."))


def may_manage_all(user) -> bool:
    return role_of(user) in MANAGE_ALL
