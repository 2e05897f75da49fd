from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from .permissions import PUBLIC
from .throttling import FailOpenScopedRateThrottle


class TokenView(ObtainAuthToken):
    """Exchange a staff email and password for an API token (send it as `Authorization: Token <key>`)."""

    capability = PUBLIC
    throttle_classes = [FailOpenScopedRateThrottle]
    throttle_scope = "token"
    authentication_classes: list = []

    @extend_schema(
        request=AuthTokenSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class SchemaView(SpectacularAPIView):
    capability = PUBLIC


class SwaggerView(SpectacularSwaggerView):
    capability = PUBLIC


class RedocView(SpectacularRedocView):
    capability = PUBLIC
