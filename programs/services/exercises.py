"""The exercise library: add and edit exercises, archive them, add and remove pictures."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import audit

from ..images import process_upload
from ..models import (
    Exercise,
    ExercisePicture,
)
from ._common import _check_dose

log = logging.getLogger(__name__)

EXERCISE_FIELDS = (
    "key",
    "name",
    "category",
    "position",
    "starting_position",
    "steps",
    "cues",
    "faults",
    "sets",
    "reps",
    "hold_seconds",
    "side",
    "frequency",
    "load",
    "regression_note",
    "progression_note",
    "video_url",
    "evidence",
)


def _clean_lines(value) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [line.strip() for line in value or [] if line and line.strip()]


@transaction.atomic
def save_exercise(
    *,
    exercise: Exercise | None = None,
    actor,
    request=None,
    targets=None,
    equipment=None,
    regressions=None,
    progressions=None,
    **fields: Any,
) -> Exercise:
    unknown = set(fields) - set(EXERCISE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown exercise fields: {sorted(unknown)}")
    creating = exercise is None
    if creating:
        exercise = Exercise()
    for name in ("steps", "cues", "faults"):
        if name in fields:
            fields[name] = _clean_lines(fields[name])
    for name, value in fields.items():
        setattr(exercise, name, value)
    _check_dose({"sets": exercise.sets, "reps": exercise.reps, "hold_seconds": exercise.hold_seconds})
    if not exercise.steps:
        raise ValidationError({"steps": [_("Write at least one step.")]})
    exercise.full_clean(exclude=["targets", "equipment", "regressions", "progressions"])
    exercise.save()
    for related, name in ((targets, "targets"), (equipment, "equipment")):
        if related is not None:
            getattr(exercise, name).set(related)
    for related, name in ((regressions, "regressions"), (progressions, "progressions")):
        if related is not None:
            if any(other.pk == exercise.pk for other in related):
                raise ValidationError({name: [_("An exercise cannot link to itself.")]})
            getattr(exercise, name).set(related)
    audit.record(
        action=audit.Action.CREATE if creating else audit.Action.CHANGE,
        request=request,
        actor=actor,
        obj=exercise,
        summary=f"{'Added' if creating else 'Edited'} exercise {exercise.name}",
    )
    return exercise


@transaction.atomic
def set_exercise_archived(*, exercise: Exercise, archived: bool, actor, request=None) -> Exercise:
    if exercise.is_archived != archived:
        exercise.is_archived = archived
        exercise.save(update_fields=["is_archived", "updated_at"])
        audit.record(
            action=audit.Action.CHANGE,
            request=request,
            actor=actor,
            obj=exercise,
            summary=f"{'Archived' if archived else 'Restored'} exercise {exercise.name}",
        )
    return exercise


@transaction.atomic
def add_picture(*, exercise: Exercise, upload, caption: str = "", actor, request=None) -> ExercisePicture:
    clean, for_print = process_upload(upload)
    picture = ExercisePicture(exercise=exercise, caption=caption[:200], order=exercise.pictures.count())
    try:
        # Each file is written atomically (clinic.files); if the second fails, the first must not stay behind.
        picture.image.save(clean.name, clean, save=False)
        picture.print_image.save(for_print.name, for_print, save=False)
        picture.save()
    except OSError as exc:
        for field in (picture.image, picture.print_image):
            if field:
                field.storage.delete(field.name)
        log.error("could not store a picture for exercise %s: %s", exercise.pk, exc)
        # A disk fault is not the user's mistake, but it is shown on the form like one: nothing was saved.
        raise ValidationError(
            {
                "image": [
                    _("The picture could not be stored (the server's disk is full or read-only). Nothing was saved.")
                ]
            }
        ) from exc
    Exercise.objects.filter(pk=exercise.pk).update(updated_at=timezone.now())
    audit.record(action=audit.Action.CHANGE, request=request, actor=actor, obj=exercise, summary="Added a picture")
    return picture


@transaction.atomic
def remove_picture(*, picture: ExercisePicture, actor, request=None) -> None:
    exercise = picture.exercise
    names = [f.name for f in (picture.image, picture.print_image) if f]
    storage = picture.image.storage
    picture.delete()
    Exercise.objects.filter(pk=exercise.pk).update(updated_at=timezone.now())
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    audit.record(action=audit.Action.CHANGE, request=request, actor=actor, obj=exercise, summary="Removed a picture")
