"""The exercise library pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic.forms import add_service_errors
from clinic.permissions import EXERCISES_MANAGE, require

from .. import selectors, services
from ..forms import (
    ExerciseFilterForm,
    ExerciseForm,
    PictureForm,
)
from ..models import Exercise, ExercisePicture
from ._common import _errors, _form_errors


@require(EXERCISES_MANAGE)
def exercise_list(request):
    form = ExerciseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    exercises = selectors.search_exercises(
        q=filters.get("q", ""),
        category=filters.get("category", ""),
        target=filters.get("target", ""),
        equipment=filters.get("equipment", ""),
        include_archived=filters.get("archived", False),
    )
    page = Paginator(exercises, 50).get_page(request.GET.get("page"))
    return render(request, "programs/exercise_list.html", {"form": form, "page": page})


@require(EXERCISES_MANAGE)
def exercise_detail(request, pk: int):
    exercise = get_object_or_404(selectors.search_exercises(include_archived=True), pk=pk)
    exercise = selectors.exercise_with_links(exercise.pk)
    return render(request, "programs/exercise_detail.html", {"exercise": exercise, "picture_form": PictureForm()})


def _save_exercise(request, form, exercise):
    try:
        return services.save_exercise(exercise=exercise, actor=request.user, request=request, **form.service_fields())
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@require(EXERCISES_MANAGE)
def exercise_create(request):
    form = ExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        exercise = _save_exercise(request, form, None)
        if exercise is not None:
            messages.success(request, _("Exercise added."))
            return redirect("programs:exercise-detail", pk=exercise.pk)
    return render(request, "programs/exercise_form.html", {"form": form, "exercise": None})


@require(EXERCISES_MANAGE)
def exercise_edit(request, pk: int):
    exercise = get_object_or_404(Exercise, pk=pk)
    form = ExerciseForm(request.POST or None, instance=exercise)
    # ModelForm.is_valid() copies values onto `exercise`; the service saves a fresh copy.
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_exercise(request, form, get_object_or_404(Exercise, pk=pk)) is not None
    ):
        messages.success(request, _("Changes saved."))
        return redirect("programs:exercise-detail", pk=pk)
    return render(request, "programs/exercise_form.html", {"form": form, "exercise": exercise})


@require(EXERCISES_MANAGE)
@require_POST
def exercise_archive(request, pk: int):
    exercise = get_object_or_404(Exercise, pk=pk)
    archived = request.POST.get("archived", "1") == "1"
    services.set_exercise_archived(exercise=exercise, archived=archived, actor=request.user, request=request)
    messages.success(request, _("Exercise archived.") if archived else _("Exercise restored."))
    return redirect("programs:exercise-detail", pk=pk)


@require(EXERCISES_MANAGE)
@require_POST
def picture_add(request, pk: int):
    exercise = get_object_or_404(Exercise, pk=pk)
    form = PictureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_picture(
                exercise=exercise,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
                actor=request.user,
                request=request,
            )
            messages.success(request, _("Picture added."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return redirect("programs:exercise-detail", pk=pk)


@require(EXERCISES_MANAGE)
@require_POST
def picture_remove(request, pk: int, picture_pk: int):
    picture = get_object_or_404(ExercisePicture, pk=picture_pk, exercise_id=pk)
    services.remove_picture(picture=picture, actor=request.user, request=request)
    messages.success(request, _("Picture removed."))
    return redirect("programs:exercise-detail", pk=pk)
