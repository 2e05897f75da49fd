"""API token authentication: knox's hashed tokens, with a clear answer and an audit entry for an expired token."""

from __future__ import annotations

import binascii
from hmac import compare_digest

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions

from ..models import ApiToken
from . import services


class TokenRefused(exceptions.AuthenticationFailed):
    pass


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <token>`. Only the token's SHA-512 digest is stored; expired tokens are refused (and
    then deleted) with a message saying so, so a script's owner knows to sign in again."""

    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode("utf-8")
            digest = hash_token(text)
        except (UnicodeDecodeError, TypeError, binascii.Error, ValueError):
            raise TokenRefused("Invalid token.", code="invalid_token") from None
        request = getattr(self, "_request", None)
        for row in ApiToken.objects.filter(token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]).select_related("user"):
            if not compare_digest(digest, row.digest):
                continue
            if row.expiry is not None and row.expiry <= timezone.now():
                services.token_refused(request=request, token_row=row, reason="expired")
                row.delete()
                raise TokenRefused(
                    "This API token has expired. Ask for a new one at POST /api/v1/auth/token/.", code="token_expired"
                )
            if not row.user.is_active:
                services.token_refused(request=request, token_row=row, reason="account deactivated")
                raise TokenRefused("This account is deactivated.", code="user_inactive")
            services.touch_token(row)
            return row.user, row
        # An unknown token is not audited: anyone can send one, and the trail must not fill with noise.
        raise TokenRefused("Invalid token: it was revoked, replaced or never existed.", code="invalid_token")

    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes the token: `Authorization: Token <token>`."""

    target_class = ExpiringTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`, from POST /api/v1/auth/token/. Tokens expire (API_TOKEN_DAYS).",
        }
