"""Programs and their versions.

Versioning rule: a draft is edited in place; a change to an active program is saved as the next version (which
becomes active) and the old version is kept, read-only, as superseded. Superseded and archived versions never change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import audit
from patients.models import Patient

from .. import selectors
from ..models import (
    Exercise,
    Program,
    ProgramItem,
    ProgramTemplate,
    TemplateItem,
)
from ._common import DOSE_FIELDS, PROGRAM_FIELDS, ProgramConflict, _audit_program, _check_dose, _lock
from .sharing import _queue_render


def _check_dates(start_date, review_date) -> None:
    if start_date and review_date and review_date < start_date:
        raise ValidationError({"review_date": [_("The review date cannot be before the start date.")]})


def _usable_exercise(exercise: Exercise) -> Exercise:
    if exercise.is_archived:
        raise ValidationError(
            {"exercise": [_("%(name)s is archived and cannot be added to a program.") % {"name": exercise.name}]}
        )
    return exercise


def _dose_from(source, **overrides) -> dict[str, Any]:
    dose = {name: getattr(source, name, "") for name in DOSE_FIELDS}
    dose["note"] = dose.get("note") or ""
    dose.update({k: v for k, v in overrides.items() if k in DOSE_FIELDS})
    return dose


def _touch(program: Program) -> None:
    Program.objects.filter(pk=program.pk).update(updated_at=timezone.now())


@dataclass
class Writable:
    program: Program
    items: dict[int, ProgramItem]  # the caller's item id -> the same item in the version being written
    new_version: bool


def _writable(program: Program, *, actor, request) -> Writable:
    """The version a change goes into: the draft itself, or a new version branched from the active one."""
    current = _lock(program)  # two editors of one active version: the second waits, then sees it superseded
    if current.status == Program.Status.DRAFT:
        return Writable(current, {i.pk: i for i in current.items.all()}, False)
    if current.status != Program.Status.ACTIVE:
        latest = selectors.latest_version(current)
        raise ProgramConflict(
            _("Version %(v)s is %(status)s and cannot be changed; open version %(latest)s.")
            % {"v": current.version, "status": current.get_status_display().lower(), "latest": latest.version}
        )
    new = Program.objects.create(
        patient=current.patient,
        physio=current.physio,
        title=current.title,
        start_date=current.start_date,
        review_date=current.review_date,
        notes=current.notes,
        lineage=current.lineage,
        version=current.version + 1,
        previous=current,
        source_assessment_id=current.source_assessment_id,
        link_emailed_at=current.link_emailed_at,
    )
    mapping = {}
    for item in current.items.all():
        mapping[item.pk] = ProgramItem.objects.create(
            program=new, exercise_id=item.exercise_id, order=item.order, **_dose_from(item)
        )
    # Superseded first: the database allows one active version per lineage.
    Program.objects.filter(pk=current.pk).update(status=Program.Status.SUPERSEDED, updated_at=timezone.now())
    new.status = Program.Status.ACTIVE
    new.activated_at = timezone.now()
    new.save(update_fields=["status", "activated_at", "updated_at"])
    _audit_program(
        new,
        action=audit.Action.CREATE,
        request=request,
        actor=actor,
        summary=f"Program version {new.version} replaces version {current.version}",
    )
    _queue_render(new)
    return Writable(new, mapping, True)


def _next_order(program: Program) -> int:
    last = program.items.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def create_program(
    *,
    patient: Patient,
    physio,
    title: str,
    actor,
    request=None,
    start_date: dt.date | None = None,
    review_date: dt.date | None = None,
    notes: str = "",
    template: ProgramTemplate | None = None,
    source_assessment_id: int | None = None,
    items: list[dict[str, Any]] | None = None,
) -> Program:
    """A new draft program, optionally filled from a template and/or a list of items ({"exercise": ..., dose})."""
    if patient.is_archived:
        raise ValidationError({"patient": [_("This patient is archived; restore the record first.")]})
    if not (title or "").strip():
        raise ValidationError({"title": [_("Give the program a title.")]})
    start_date = start_date or timezone.localdate()
    _check_dates(start_date, review_date)
    program = Program.objects.create(
        patient=patient,
        physio=physio,
        title=title.strip(),
        start_date=start_date,
        review_date=review_date,
        notes=notes,
        source_assessment_id=source_assessment_id,
    )
    order = 0
    if template is not None:
        for t_item in template.items.select_related("exercise"):
            order += 1
            ProgramItem.objects.create(
                program=program, exercise=_usable_exercise(t_item.exercise), order=order, **_dose_from(t_item)
            )
    for spec in items or []:
        spec = dict(spec)
        exercise = _usable_exercise(spec.pop("exercise"))
        dose = {**_dose_from(exercise), "note": ""}
        dose.update({k: v for k, v in spec.items() if k in DOSE_FIELDS and v is not None})
        if "reps" in spec or "hold_seconds" in spec:
            dose["reps"], dose["hold_seconds"] = spec.get("reps"), spec.get("hold_seconds")
        _check_dose(dose)
        order += 1
        ProgramItem.objects.create(program=program, exercise=exercise, order=order, **dose)
    _audit_program(
        program, action=audit.Action.CREATE, request=request, actor=actor, summary=f"Program draft {program.title}"
    )
    return program


@transaction.atomic
def copy_program(*, source: Program, physio, actor, request=None) -> Program:
    """A new draft (a new program, not a version) with the same exercises and doses: 'copy the previous program'."""
    program = create_program(
        patient=source.patient,
        physio=physio,
        title=source.title,
        notes=source.notes,
        actor=actor,
        request=request,
    )
    for order, item in enumerate(source.items.select_related("exercise"), start=1):
        if not item.exercise.is_archived:
            ProgramItem.objects.create(program=program, exercise=item.exercise, order=order, **_dose_from(item))
    return program


@transaction.atomic
def update_program(*, program: Program, actor, request=None, **fields: Any) -> Program:
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise TypeError(f"Unknown program fields: {sorted(unknown)}")
    if "title" in fields and not (fields["title"] or "").strip():
        raise ValidationError({"title": [_("Give the program a title.")]})
    current = _lock(program)
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    if not changed:
        return current
    _check_dates(fields.get("start_date", current.start_date), fields.get("review_date", current.review_date))
    target = _writable(current, actor=actor, request=request).program
    for name in changed:
        setattr(target, name, fields[name])
    target.save()
    _audit_program(
        target, action=audit.Action.CHANGE, request=request, actor=actor, summary=f"Changed {', '.join(changed)}"
    )
    return target


@transaction.atomic
def add_item(*, program: Program, exercise: Exercise, actor, request=None, **dose: Any) -> ProgramItem:
    _usable_exercise(exercise)
    values = {**_dose_from(exercise), "note": ""}
    values.update({k: v for k, v in dose.items() if k in DOSE_FIELDS})
    _check_dose(values)
    target = _writable(program, actor=actor, request=request).program
    item = ProgramItem.objects.create(program=target, exercise=exercise, order=_next_order(target), **values)
    _touch(target)
    _audit_program(target, action=audit.Action.CHANGE, request=request, actor=actor, summary=f"Added {exercise.name}")
    return item


@transaction.atomic
def add_from_template(
    *, program: Program, template: ProgramTemplate, actor, request=None, template_item: TemplateItem | None = None
) -> Program:
    """Add one item of a template (with the template's dose), or all of them."""
    items = [template_item] if template_item is not None else list(template.items.select_related("exercise"))
    if template_item is not None and template_item.template_id != template.pk:
        raise ValidationError({"template_item": [_("That item belongs to another template.")]})
    for t_item in items:
        _usable_exercise(t_item.exercise)
    target = _writable(program, actor=actor, request=request).program
    order = _next_order(target)
    for t_item in items:
        ProgramItem.objects.create(program=target, exercise=t_item.exercise, order=order, **_dose_from(t_item))
        order += 1
    _touch(target)
    _audit_program(
        target, action=audit.Action.CHANGE, request=request, actor=actor, summary=f"Added from template {template.name}"
    )
    return target


def _item_in(program: Program, item_id: int, *, actor, request) -> tuple[Writable, ProgramItem]:
    if not ProgramItem.objects.filter(pk=item_id, program=program).exists():
        raise ValidationError({"item": [_("That exercise is not part of this program.")]})
    writable = _writable(program, actor=actor, request=request)
    return writable, writable.items[item_id]


@transaction.atomic
def update_item(*, program: Program, item_id: int, actor, request=None, **dose: Any) -> ProgramItem:
    values = {k: v for k, v in dose.items() if k in DOSE_FIELDS}
    current = ProgramItem.objects.filter(pk=item_id, program=program).first()
    if current is None:
        raise ValidationError({"item": [_("That exercise is not part of this program.")]})
    _check_dose({**_dose_from(current), **values})
    _writable_state, item = _item_in(program, item_id, actor=actor, request=request)
    for name, value in values.items():
        setattr(item, name, value)
    item.save()
    _touch(item.program)
    _audit_program(
        item.program,
        action=audit.Action.CHANGE,
        request=request,
        actor=actor,
        summary=f"Changed dose of {item.exercise}",
    )
    return item


@transaction.atomic
def remove_item(*, program: Program, item_id: int, actor, request=None) -> Program:
    writable, item = _item_in(program, item_id, actor=actor, request=request)
    name = item.exercise.name
    item.delete()
    _touch(writable.program)
    _audit_program(
        writable.program, action=audit.Action.CHANGE, request=request, actor=actor, summary=f"Removed {name}"
    )
    return writable.program


@transaction.atomic
def move_item(*, program: Program, item_id: int, up: bool, actor, request=None) -> Program:
    writable, item = _item_in(program, item_id, actor=actor, request=request)
    items = list(writable.program.items.order_by("order", "id"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for order, it in enumerate(items, start=1):
            if it.order != order:
                ProgramItem.objects.filter(pk=it.pk).update(order=order)
        _touch(writable.program)
    return writable.program


@transaction.atomic
def swap_item(*, program: Program, item_id: int, exercise: Exercise, actor, request=None) -> ProgramItem:
    """Replace an item's exercise with one of its progressions or regressions, at that exercise's default dose."""
    current = ProgramItem.objects.select_related("exercise").filter(pk=item_id, program=program).first()
    if current is None:
        raise ValidationError({"item": [_("That exercise is not part of this program.")]})
    allowed = set(current.exercise.progressions.values_list("pk", flat=True)) | set(
        current.exercise.regressions.values_list("pk", flat=True)
    )
    if exercise.pk not in allowed:
        raise ValidationError(
            {
                "exercise": [
                    _("%(name)s is not a progression or regression of %(current)s.")
                    % {"name": exercise.name, "current": current.exercise.name}
                ]
            }
        )
    _usable_exercise(exercise)
    # Swapping for an exercise the program already has would leave two copies of it (with different doses).
    if ProgramItem.objects.filter(program=program, exercise=exercise).exclude(pk=item_id).exists():
        raise ProgramConflict(
            _("%(name)s is already in this program; change its dose there, or remove %(current)s instead.")
            % {"name": exercise.name, "current": current.exercise.name}
        )
    _writable_state, item = _item_in(program, item_id, actor=actor, request=request)
    old_name = item.exercise.name
    item.exercise = exercise
    for name, value in _dose_from(exercise).items():
        if name != "note":
            setattr(item, name, value)
    item.save()
    _touch(item.program)
    _audit_program(
        item.program,
        action=audit.Action.CHANGE,
        request=request,
        actor=actor,
        summary=f"Swapped {old_name} for {exercise.name}",
    )
    return item


@transaction.atomic
def replace_items(*, program: Program, items: list[dict[str, Any]], actor, request=None) -> Program:
    """The API's PUT/PATCH with "items": the new list replaces the old one (in a new version if active)."""
    cleaned = []
    for index, spec in enumerate(items):
        spec = dict(spec)
        exercise = spec.pop("exercise")
        try:
            _usable_exercise(exercise)
            values = {**_dose_from(exercise), "note": ""}
            values.update({k: v for k, v in spec.items() if k in DOSE_FIELDS and v is not None})
            if "reps" in spec or "hold_seconds" in spec:
                values["reps"], values["hold_seconds"] = spec.get("reps"), spec.get("hold_seconds")
            _check_dose(values)
        except ValidationError as exc:
            raise ValidationError({"items": [f"{index + 1}: {m}" for m in exc.messages]}) from exc
        cleaned.append((exercise, values))
    target = _writable(program, actor=actor, request=request).program
    target.items.all().delete()
    for order, (exercise, values) in enumerate(cleaned, start=1):
        ProgramItem.objects.create(program=target, exercise=exercise, order=order, **values)
    _touch(target)
    _audit_program(target, action=audit.Action.CHANGE, request=request, actor=actor, summary="Replaced the exercises")
    return target


@transaction.atomic
def activate_program(*, program: Program, actor, request=None) -> Program:
    """Make a draft the patient's plan: render its sheet and email the patient a private link."""
    current = _lock(program)
    if current.status != Program.Status.DRAFT:
        raise ProgramConflict(
            _("Only a draft can be made active; this version is %(s)s.") % {"s": current.get_status_display().lower()}
        )
    items = list(current.items.select_related("exercise"))
    if not items:
        raise ValidationError({"items": [_("Add at least one exercise before making the program active.")]})
    archived = [i.exercise.name for i in items if i.exercise.is_archived]
    if archived:
        raise ValidationError(
            {
                "items": [
                    _("These exercises are archived; swap or remove them first: %(names)s.")
                    % {"names": ", ".join(archived)}
                ]
            }
        )
    if current.patient.is_archived:
        raise ValidationError({"patient": [_("This patient is archived; restore the record first.")]})
    Program.objects.filter(lineage=current.lineage, status=Program.Status.ACTIVE).exclude(pk=current.pk).update(
        status=Program.Status.SUPERSEDED, updated_at=timezone.now()
    )
    current.status = Program.Status.ACTIVE
    current.activated_at = timezone.now()
    current.save(update_fields=["status", "activated_at", "updated_at"])
    _audit_program(current, action=audit.Action.CHANGE, request=request, actor=actor, summary="Program made active")
    _queue_render(current)
    if current.patient.email and current.patient.consent_email:
        from .. import notifications  # it imports these services

        # A notification record, committed with the activation; clinic's dispatcher sends it once.
        notifications.schedule_plan_link(current.pk)
    return current


@transaction.atomic
def archive_program(*, program: Program, actor, request=None) -> Program:
    current = _lock(program)
    if current.status not in (Program.Status.DRAFT, Program.Status.ACTIVE):
        raise ProgramConflict(_("Only a draft or the active version can be archived."))
    current.status = Program.Status.ARCHIVED
    current.save(update_fields=["status", "updated_at"])
    _audit_program(current, action=audit.Action.CHANGE, request=request, actor=actor, summary="Program archived")
    return current


@transaction.atomic
def save_as_template(*, program: Program, name: str, actor, request=None) -> ProgramTemplate:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the template a name.")]})
    if ProgramTemplate.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": [_("A template with this name already exists.")]})
    template = ProgramTemplate.objects.create(name=name, description=program.title)
    for item in program.items.all():
        TemplateItem.objects.create(
            template=template, exercise_id=item.exercise_id, order=item.order, **_dose_from(item)
        )
    audit.record(action=audit.Action.CREATE, request=request, actor=actor, obj=template, summary=f"Template {name}")
    return template
