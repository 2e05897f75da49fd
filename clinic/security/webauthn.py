"""Passkeys and security keys (django-otp-webauthn) as a second factor, with audit entries and a clear refusal for a
revoked passkey. Passwordless sign-in is off (settings): the password and its lockout always come first."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as lib

from .. import audit


class PasskeyRevoked(exceptions.CredentialDisabled):
    default_detail = _(
        "This passkey was revoked and no longer signs you in. Use your authenticator app or a recovery code, "
        "or ask a clinic admin to reset your two-factor sign-in."
    )
    default_code = "passkey_revoked"


class RegistrationBegin(lib.BeginCredentialRegistrationView):
    pass


class RegistrationComplete(lib.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            audit.record(
                action=audit.Action.TWO_FACTOR_CHANGE,
                request=self.request,
                obj=self.request.user,
                summary="Added a passkey",
                detail={"device": "passkey", "change": "added"},
            )
        return response


class AuthenticationBegin(lib.BeginCredentialAuthenticationView):
    pass


class AuthenticationComplete(lib.CompleteCredentialAuthenticationView):
    def check_device_usable(self, device):
        if not device.confirmed:
            raise PasskeyRevoked()
        super().check_device_usable(device)

    def complete_auth(self, device):
        super().complete_auth(device)
        audit.record(
            action=audit.Action.OTP_VERIFIED,
            request=self.request,
            actor=device.user,
            obj=device.user,
            summary="Passed the two-factor check",
            detail={"method": "passkey"},
        )

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        user = self.request.user if self.request.user.is_authenticated else None
        audit.record(
            action=audit.Action.OTP_FAILED,
            request=self.request,
            actor=user,
            obj=user,
            summary=f"Passkey refused: {exc}",
            detail={"method": "passkey", "code": getattr(exc, "code", "error")},
        )
        return response
