"""Clinic admins load the practice's licensed questionnaire pack here (the admin site is for superusers only)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.permissions import STAFF_MANAGE, require

from . import services
from .models import QuestionnairePack

MAX_PACK_BYTES = 2 * 1024 * 1024  # a pack is wording, not media


class PackUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Questionnaire pack (JSON file)"),
        widget=forms.ClearableFileInput({"accept": "application/json,.json"}),
    )


@require(STAFF_MANAGE)
def packs(request):
    form = PackUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_PACK_BYTES:
                    raise ValidationError(_("The file is too large for a questionnaire pack (2 MB at most)."))
                try:
                    data = json.loads(upload.read().decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    raise ValidationError(_("The file is not valid UTF-8 JSON.")) from None
                pack = services.load_questionnaire_pack(data=data, actor=request.user)
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                messages.success(request, _("Questionnaire pack %(name)s loaded and active.") % {"name": pack.name})
                return redirect("assessments:setup-packs")
        status = 400
    return render(
        request,
        "assessments/setup_packs.html",
        {"form": form, "packs": QuestionnairePack.objects.select_related("loaded_by")},
        status=status,
    )
