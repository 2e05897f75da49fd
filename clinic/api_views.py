from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .permissions import PUBLIC


class SchemaView(SpectacularAPIView):
    capability = PUBLIC


class SwaggerView(SpectacularSwaggerView):
    capability = PUBLIC


class RedocView(SpectacularRedocView):
    capability = PUBLIC
