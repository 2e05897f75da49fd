"""Staff accounts and roles, for clinic admins in the app (the admin site is for superusers only).

A role is a group (clinic.roles). Accounts are never deleted (appointments, audit entries and programs name their
author); they are deactivated, which signs them out of every page and the API at their next request.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .roles import STAFF_ROLES, Role, role_of


class StaffConflict(Exception):
    """A change that would lock the practice out (the last active admin) or touch an operator's account (409)."""


def _set_role(user, role: Role) -> None:
    names = [r.value for r in STAFF_ROLES]
    user.groups.remove(*Group.objects.filter(name__in=names))
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    user._medius_role = None
    if hasattr(user, "_medius_role"):
        del user._medius_role


def _other_active_admins(user) -> bool:
    User = get_user_model()
    return (
        User.objects.filter(is_active=True, groups__name=Role.ADMIN.value)
        .exclude(pk=user.pk)
        .exclude(is_superuser=True)
        .exists()
    )


def _editable(user) -> None:
    if user.is_superuser:
        raise StaffConflict(_("This is an operator's account; it is managed outside the app."))


@transaction.atomic
def create_staff(*, email: str, first_name: str, last_name: str, role: Role, actor, request=None):
    """A new account with no usable password; the invitation email lets them choose one."""
    User = get_user_model()
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [_("There is already an account with this email address.")]})
    user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
    _set_role(user, role)
    audit.record(
        action=audit.Action.CREATE,
        request=request,
        actor=actor,
        obj=user,
        summary=f"Staff account {email} ({role.value})",
    )
    from . import pending_tasks, tasks  # the task module imports the app's models; load it late

    pending_tasks.enqueue(tasks.send_staff_invitation, user.pk)  # survives a broker outage
    return user


@transaction.atomic
def change_role(*, user, role: Role, actor, request=None):
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    _editable(user)
    old = role_of(user)
    if old == role:
        return user
    # Serialise admin changes, so two admins demoting each other at once cannot leave the practice with none.
    list(User.objects.select_for_update().filter(groups__name=Role.ADMIN.value).values_list("pk", flat=True))
    if old == Role.ADMIN and not _other_active_admins(user):
        raise StaffConflict(_("The practice needs at least one active clinic admin."))
    _set_role(user, role)
    audit.record(
        action=audit.Action.CHANGE,
        request=request,
        actor=actor,
        obj=user,
        summary=f"Role of {user.email}: {old.value} -> {role.value}",
    )
    return user


@transaction.atomic
def set_active(*, user, active: bool, actor, request=None):
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    _editable(user)
    if user.is_active == active:
        return user
    if not active:
        if actor is not None and user.pk == actor.pk:
            raise StaffConflict(_("You cannot deactivate your own account."))
        list(User.objects.select_for_update().filter(groups__name=Role.ADMIN.value).values_list("pk", flat=True))
        if role_of(user) == Role.ADMIN and not _other_active_admins(user):
            raise StaffConflict(_("The practice needs at least one active clinic admin."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        action=audit.Action.CHANGE,
        request=request,
        actor=actor,
        obj=user,
        summary=f"{'Reactivated' if active else 'Deactivated'} {user.email}",
    )
    return user


def staff_accounts():
    User = get_user_model()
    return User.objects.prefetch_related("groups").order_by("-is_active", "last_name", "first_name", "email")
