"""Routes for sign-in security; clinic/urls.py includes them under accounts/, security/ and accounts/passkeys/."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from ..permissions import STAFF, public, require
from . import views, webauthn
from .middleware import two_factor_exempt

account_patterns = [
    path("two-factor/", views.verify, name="two_factor_verify"),
    path("two-factor/setup/", views.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="two_factor_recovery_codes"),
    path("security/", views.account, name="account-security"),
    path("security/devices/remove/", views.remove_device, name="account-security-remove-device"),
    path("security/tokens/revoke/", views.revoke_own_token, name="account-security-revoke-token"),
]

admin_patterns = [
    path("", views.security_admin, name="security-admin"),
    path("unlock/", views.admin_unlock, name="security-admin-unlock"),
    path("staff/<int:pk>/reset-two-factor/", views.admin_reset_two_factor, name="security-admin-reset-two-factor"),
    path("tokens/revoke/", views.admin_revoke_token, name="security-admin-revoke-token"),
]


def _passkey_view(view_class):
    # Reachable between the password and the second factor (that is when a passkey is used), staff only.
    return two_factor_exempt(require(STAFF)(view_class.as_view()))


# The names and namespace are the ones django-otp-webauthn's template tags reverse.
passkey_patterns = (
    [
        path("registration/begin/", _passkey_view(webauthn.RegistrationBegin), name="credential-registration-begin"),
        path(
            "registration/complete/",
            _passkey_view(webauthn.RegistrationComplete),
            name="credential-registration-complete",
        ),
        path(
            "authentication/begin/",
            _passkey_view(webauthn.AuthenticationBegin),
            name="credential-authentication-begin",
        ),
        path(
            "authentication/complete/",
            _passkey_view(webauthn.AuthenticationComplete),
            name="credential-authentication-complete",
        ),
        path(
            "jsi18n/",
            public(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
            name="js-i18n-catalog",
        ),
    ],
    "otp_webauthn",
)
