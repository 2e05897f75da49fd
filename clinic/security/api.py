"""POST /api/v1/auth/token/: exchange an email, a password and (where required) a second-factor code for a token."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.throttling import FailOpenScopedRateThrottle

from ..api import error_response
from ..permissions import PUBLIC
from . import selectors, services


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="The staff member's email address.")
    password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        max_length=100,
        required=False,
        default="API client",
        help_text="A name for the client using the token, e.g. 'Reception PC'. One token per name: asking again "
        "with the same name replaces the old token.",
    )
    otp = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="The 6-digit authenticator code or a recovery code. Required when the account has two-factor "
        "sign-in set up, or the practice requires it.",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown only this once.")
    name = serializers.CharField()
    expiry = serializers.DateTimeField()


_ERROR = inline_serializer("TokenError", {"code": serializers.CharField(), "detail": serializers.CharField()})


class TokenView(APIView):
    """Exchange a staff email and password (and a second-factor code where needed) for an expiring API token."""

    capability = PUBLIC
    throttle_classes = [FailOpenScopedRateThrottle]  # a Redis outage must not stop sign-in
    throttle_scope = "token"
    authentication_classes: list = []
    # A flat body: scripts may send JSON or a plain form (`curl -d username=... -d password=...`, as the README shows).
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description="Missing fields, wrong email or password, or a wrong code"),
            403: OpenApiResponse(_ERROR, description="Two-factor sign-in must be set up in the web app first"),
            429: OpenApiResponse(_ERROR, description="Locked out after too many failed sign-ins, or throttled"),
        },
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username, password = data.validated_data["username"], data.validated_data["password"]
        django_request = request._request
        # authenticate() goes through django-axes first: a locked account or address is refused before the password
        # is checked, and a wrong password counts towards the lockout.
        user = authenticate(django_request, username=username, password=password)
        if getattr(django_request, "axes_locked_out", False):
            return error_response("locked_out", services.lockout_message(), status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with the email and password given."]}
            )
        if selectors.second_factor_needed(user):
            if not selectors.has_second_factor(user):
                return error_response(
                    "two_factor_setup_required",
                    "This practice requires two-factor sign-in. Set it up in the web app (Security), then try again.",
                    status.HTTP_403_FORBIDDEN,
                )
            code = data.validated_data["otp"]
            if not code:
                raise serializers.ValidationError({"otp": ["Enter the code from your authenticator app."]})
            try:
                services.verify_second_factor(request=django_request, user=user, code=code, mark_session=False)
            except services.CodeRefused as refused:
                if refused.locked_out:
                    return error_response("locked_out", refused.message, status.HTTP_429_TOO_MANY_REQUESTS)
                raise serializers.ValidationError({"otp": [refused.message]}) from None
        instance, token = services.create_token(request=django_request, user=user, name=data.validated_data["name"])
        return Response(
            TokenResponseSerializer({"token": token, "name": instance.name, "expiry": instance.expiry}).data,
            status=status.HTTP_200_OK,
        )
