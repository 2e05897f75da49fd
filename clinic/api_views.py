from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from .permissions import PUBLIC, STAFF

# The API's description maps every endpoint and field for an attacker: in production only signed-in staff read it;
# `make run` (DEBUG) shows it to anyone, as before.
DOCS_CAPABILITY = PUBLIC if settings.DEBUG else STAFF
# Swagger UI and Redoc style themselves with <style> elements (and Redoc runs a worker from a blob: URL). Their
# pages carry no patient data and run only their own bundled scripts; scripts stay as strict as everywhere else.
_DOCS_CSP = csp_update({"style-src-elem": [UNSAFE_INLINE], "worker-src": ["blob:"]})


class SchemaView(SpectacularAPIView):
    capability = DOCS_CAPABILITY

    def perform_content_negotiation(self, request, force=False):
        # DRF negotiates before it checks permissions: without force, a browser's Accept header gets 406 instead of
        # the 401/403 that tells an anonymous caller to sign in.
        return super().perform_content_negotiation(request, force=True)


@method_decorator(_DOCS_CSP, name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file (?script), not inline: the CSP allows no inline script."""

    capability = DOCS_CAPABILITY


@method_decorator(_DOCS_CSP, name="dispatch")
class RedocView(SpectacularRedocView):
    capability = DOCS_CAPABILITY
