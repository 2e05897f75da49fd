"""Sign-ins, sign-outs and failed sign-ins go into the audit trail (Django's own auth signals)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(action=audit.Action.LOGIN, request=request, actor=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(action=audit.Action.LOGOUT, request=request, actor=user, obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # credentials are already cleansed of the password by Django; keep only the name that was tried.
    tried = str(credentials.get("username") or credentials.get("email") or "")[:254]
    audit.record(action=audit.Action.LOGIN_FAILED, request=request, summary=tried, detail={"username": tried})
