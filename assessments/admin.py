"""Admin: questionnaire packs only (upload a licensed pack)."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path

from . import services
from .models import QuestionnairePack

# Assessments themselves are not in the admin site: every view of clinical data must go through the app's pages,
# which audit it.


class PackUploadForm(forms.Form):
    file = forms.FileField(label="Questionnaire pack (JSON)", help_text="See docs/assessments.md for the format.")


@admin.register(QuestionnairePack)
class QuestionnairePackAdmin(admin.ModelAdmin):
    list_display = ("name", "language", "is_active", "loaded_at", "loaded_by")
    readonly_fields = ("name", "licence", "language", "content", "is_active", "loaded_at", "loaded_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [path("add/", self.admin_site.admin_view(self.upload), name="assessments_questionnairepack_add"),
                *super().get_urls()]  # fmt: skip

    def upload(self, request):
        """Adding a pack means uploading its JSON file; the service validates and activates it."""
        form = PackUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                data = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
                pack = services.load_questionnaire_pack(data=data, actor=request.user)
            except (UnicodeDecodeError, json.JSONDecodeError):
                form.add_error("file", "The file is not valid UTF-8 JSON.")
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                messages.success(request, f"Questionnaire pack {pack.name!r} loaded and active.")
                return redirect("admin:assessments_questionnairepack_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "title": "Load a questionnaire pack",
                   "opts": self.model._meta}  # fmt: skip
        return render(request, "assessments/admin_pack_upload.html", context)
