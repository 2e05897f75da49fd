"""The patient's private plan page and its PDF (no account)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from clinic.permissions import public

from .. import selectors, services
from ._common import pdf_failed, pdf_filename, pdf_pending, pdf_response


def _gone(request):
    # The same answer for an unknown, expired, revoked or archived link: nothing about the patient, not even whether
    # the link ever existed.
    response = render(request, "programs/plan_unavailable.html", status=404)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@public
def plan_page(request, token: str):
    found = selectors.plan_for_token(token)
    if found is None:
        return _gone(request)
    link, program = found
    services.record_link_use(link=link, program=program, request=request, what="page")
    response = render(request, "programs/plan.html", {"program": program, "token": token, "link": link})
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@public
def plan_pdf(request, token: str):
    found = selectors.plan_for_token(token)
    if found is None:
        return _gone(request)
    link, program = found
    try:
        content = services.request_pdf(program=program, retry=request.method == "POST")
    except services.PdfFailed:
        return pdf_failed(request, reason="", show_reason=False)  # the patient needs no technical reason
    if content is None:
        return pdf_pending(request)
    services.record_link_use(link=link, program=program, request=request, what="pdf")
    return pdf_response(content, filename=pdf_filename(program), download=request.GET.get("download") == "1")
