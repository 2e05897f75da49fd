"""Tokens die with the credentials that made them.

A pre_save receiver rather than a service call, on purpose: passwords change through several doors (the password
page, the reset link, the admin site, `manage.py changepassword`) and accounts are deactivated in the admin site;
catching the save of the row is the one place none of them can miss.
"""

from __future__ import annotations

from django.db.models.signals import pre_save
from django.dispatch import receiver

from ..models import User
from . import services


@receiver(pre_save, sender=User)
def _revoke_tokens_on_password_change_or_deactivation(sender, instance: User, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every sign-in: nothing to compare
    before = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password:
        services.revoke_all_tokens(user=instance, reason="password changed")
    elif before["is_active"] and not instance.is_active:
        services.revoke_all_tokens(user=instance, reason="account deactivated")
