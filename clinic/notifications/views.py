"""The outbox: staff see every message, filter by status, open one, send a failed one again."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic import audit
from clinic.models import Notification
from clinic.permissions import OUTBOX_VIEW, require

from . import selectors, services
from .forms import OutboxFilterForm


@require(OUTBOX_VIEW)
def outbox(request):
    form = OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.outbox(
        status=filters.get("status", ""),
        channel=filters.get("channel", ""),
        kind=filters.get("kind", ""),
        q=filters.get("q", "").strip(),
        patient_id=filters.get("patient"),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    audit.record_shown(
        request=request,
        patient_ids=[row.patient_id for row in page.object_list],
        object_type="clinic.notification",
        summary="Outbox",
    )
    query = request.GET.copy()
    query.pop("page", None)
    status_query = request.GET.copy()
    for key in ("page", "status"):
        status_query.pop(key, None)
    return render(
        request,
        "clinic/outbox.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "status_query": status_query.urlencode(),
            "counts": selectors.status_counts(),
            "current_status": filters.get("status", ""),
            "patient_id": filters.get("patient"),
            "statuses": Notification.Status,
        },
    )


def _detail(request, notification: Notification, *, status: int = 200):
    return render(request, "clinic/outbox_detail.html", {"message": notification}, status=status)


@require(OUTBOX_VIEW)
def outbox_detail(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk)
    # The record holds a patient's contact details and the text they were sent.
    audit.record(
        action=audit.Action.VIEW,
        request=request,
        obj=notification,
        patient_id=notification.patient_id,
        summary=f"Outbox: {notification.kind} {notification.channel}",
    )
    return _detail(request, notification)


@require(OUTBOX_VIEW)
@require_POST
def outbox_retry(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk)
    try:
        services.retry(notification_id=notification.pk, actor=request.user, request=request)
    except services.NotRetryable as exc:
        messages.error(request, str(exc))
        notification.refresh_from_db()
        return _detail(request, notification, status=409)
    messages.success(request, _("The message will be sent again now."))
    return redirect("outbox:detail", pk=notification.pk)


PANEL_SIZE = 10


@require(OUTBOX_VIEW)
def patient_messages(request, pk: int):
    """The patient page's panel: their latest messages (the patient page loads it; clinic imports no patients code,
    so an unknown id simply has no messages)."""
    rows = list(selectors.outbox(patient_id=pk)[: PANEL_SIZE + 1])
    audit.record(action=audit.Action.VIEW, request=request, patient_id=pk, summary="Viewed messages")
    return render(
        request,
        "clinic/outbox_patient_panel.html",
        {"messages_sent": rows[:PANEL_SIZE], "more": len(rows) > PANEL_SIZE, "patient_id": pk},
    )
