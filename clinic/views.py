from __future__ import annotations

import hmac
import posixpath
import sys

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.static import serve

from . import audit, permissions, selectors, services, unavailable
from .celery import app as celery_app
from .forms import AuditSearchForm, PracticeForm


@permissions.require(permissions.STAFF)
def home(request):
    """Today, for this role: each app's section of the day (clinic.panels.register_today_panel), loaded by htmx,
    and the messages that failed to send (the outbox is clinic's own)."""
    from .models import Notification
    from .panels import today_panels_for

    failed = None
    if permissions.allows(request.user, permissions.OUTBOX_VIEW):
        failed = Notification.objects.filter(status=Notification.Status.FAILED).count()
    return render(request, "clinic/home.html", {"today_panels": today_panels_for(request.user), "failed": failed})


@permissions.require(permissions.AUDIT_VIEW)
def audit_log(request):
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.search_audit(
        q=filters.get("q", ""),
        action=filters.get("action", ""),
        patient_id=filters.get("patient"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "clinic/audit.html", {"form": form, "page": page, "query": query.urlencode()})


@permissions.require(permissions.PRACTICE_MANAGE)
def practice_settings(request):
    practice = selectors.get_practice()
    form = PracticeForm(request.POST or None, request.FILES or None, instance=practice)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        services.update_practice(practice=selectors.get_practice(), actor=request.user, request=request, **fields)
        messages.success(request, _("Practice settings saved."))
        return redirect("practice-settings")
    return render(request, "clinic/practice_settings.html", {"form": form})


@never_cache
@permissions.public
def healthz(request):
    """Liveness for load balancers and compose: the database answers a query and the broker accepts a connection."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # a health check reports, it never raises
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:
        checks["broker"] = f"error: {exc.__class__.__name__}"
    failing = [name for name, value in checks.items() if value != "ok"]
    body = {"status": "error" if failing else "ok", **checks}
    if failing:
        body["failing"] = failing
    response = JsonResponse(body, status=503 if failing else 200)
    if failing:
        response["Retry-After"] = str(unavailable.RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    """handler500: a database outage is a 503 "try again shortly", whichever layer met it first."""
    if unavailable.is_database_outage(sys.exc_info()[1]):
        return unavailable.response(request)
    return defaults.server_error(request)


def _metrics_response() -> HttpResponse:
    from . import metrics as prometheus_metrics

    return HttpResponse(prometheus_metrics.render_latest(), content_type=prometheus_metrics.CONTENT_TYPE)


@permissions.require(permissions.METRICS_VIEW)
def _metrics_for_admins(request):
    return _metrics_response()


@never_cache
def metrics(request):
    """Prometheus metrics for a scraper holding METRICS_TOKEN (Authorization: Bearer ...), or a clinic admin."""
    expected = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if expected and given and hmac.compare_digest(given.encode(), expected.encode()):
        return _metrics_response()
    return _metrics_for_admins(request)


metrics.medius_capability = permissions.METRICS_VIEW


def record_export(request, *, obj, patient_id: int | None, summary: str) -> None:
    audit.record(action=audit.Action.EXPORT, request=request, obj=obj, patient_id=patient_id, summary=summary)


@permissions.public
def public_media(request, path: str):
    """`make run` only (DEBUG): serve exercise pictures, staff photos and the logo, nothing else from MEDIA_ROOT."""
    path = posixpath.normpath(path).lstrip("/")
    if not path.startswith(settings.PUBLIC_MEDIA_PREFIXES):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
