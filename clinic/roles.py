"""Staff roles. A role is a Django group; a user's role decides what they may see (clinic.permissions)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    FRONT_DESK = "Front desk"
    PHYSIO = "Physiotherapist"
    ADMIN = "Clinic admin"


STAFF_ROLES = (Role.ADMIN, Role.PHYSIO, Role.FRONT_DESK)


def role_of(user) -> Role:
    """The strongest role a user holds; superusers count as clinic admins."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.ANONYMOUS
    if user.is_superuser:
        return Role.ADMIN
    cached = getattr(user, "_medius_role", None)
    if cached is not None:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    role = next((r for r in STAFF_ROLES if r.value in names), Role.ANONYMOUS)
    user._medius_role = role
    return role
