"""Reads shared by the pages, the API and the tasks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from clinic.selectors import get_practice

from .models import (
    AccessLink,
    Exercise,
    Program,
    ProgramItem,
    ProgramPdf,
    ProgramTemplate,
    TemplateItem,
)


def search_exercises(
    *, q: str = "", category: str = "", target: str = "", equipment: str = "", include_archived: bool = False
) -> QuerySet[Exercise]:
    exercises = Exercise.objects.all()
    if not include_archived:
        exercises = exercises.filter(is_archived=False)
    if category:
        exercises = exercises.filter(category=category)
    if target:
        exercises = exercises.filter(targets__key=target)
    if equipment:
        exercises = exercises.filter(equipment__key=equipment)
    for word in q.split():
        exercises = exercises.filter(Q(name__icontains=word) | Q(key__icontains=word))
    return exercises.prefetch_related("targets", "equipment", "pictures").distinct().order_by("name")


def exercise_with_links(pk: int) -> Exercise:
    return Exercise.objects.prefetch_related("targets", "equipment", "pictures", "regressions", "progressions").get(
        pk=pk
    )


def _items_prefetch() -> Prefetch:
    return Prefetch(
        "items",
        queryset=ProgramItem.objects.select_related("exercise").prefetch_related(
            "exercise__pictures",
            Prefetch("exercise__progressions", queryset=Exercise.objects.filter(is_archived=False)),
            Prefetch("exercise__regressions", queryset=Exercise.objects.filter(is_archived=False)),
        ),
    )


def programs_with_items() -> QuerySet[Program]:
    return Program.objects.select_related("patient", "physio").prefetch_related(_items_prefetch())


def get_program(pk: int) -> Program:
    return programs_with_items().get(pk=pk)


def programs_for_patient(patient_id: int) -> QuerySet[Program]:
    """The patient's programs as they stand: superseded versions are listed on each program's own page."""
    return (
        Program.objects.filter(patient_id=patient_id)
        .exclude(status=Program.Status.SUPERSEDED)
        .select_related("physio")
        .annotate(item_count=Count("items"))
        .order_by("-created_at", "-id")
    )


def versions_of(program: Program) -> QuerySet[Program]:
    return Program.objects.filter(lineage=program.lineage).order_by("-version")


def latest_version(program: Program) -> Program:
    return versions_of(program).first()


def templates_with_items() -> QuerySet[ProgramTemplate]:
    return ProgramTemplate.objects.prefetch_related(
        Prefetch("items", queryset=TemplateItem.objects.select_related("exercise"))
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def plan_for_token(token: str) -> tuple[AccessLink, Program] | None:
    """The program a patient's link opens now, or None for an unknown, expired or revoked link.

    The link follows its program's lineage: after a change the patient sees the new active version. An archived
    program shows nothing.
    """
    link = AccessLink.objects.filter(token_hash=hash_token(token)).first()
    if link is None or not link.is_usable():
        return None
    program = (
        programs_with_items()
        .filter(lineage=link.lineage, status=Program.Status.ACTIVE, patient__is_archived=False)
        .first()
    )
    if program is None:
        return None
    return link, program


def pdf_fingerprint(program: Program) -> str:
    """A hash of everything the printed sheet shows: when any of it changes, the cached PDF is stale."""
    items = list(
        ProgramItem.objects.filter(program=program)
        .order_by("order", "id")
        .values_list(
            "id",
            "order",
            "exercise_id",
            "exercise__updated_at",
            "sets",
            "reps",
            "hold_seconds",
            "side",
            "frequency",
            "load",
            "note",
        )
    )
    # Adding or removing a picture bumps its exercise's updated_at (services.exercises), so pictures need no query.
    practice = get_practice()
    # Read from the database, not the caller's instance: an instance held since before a change would hash stale.
    row = Program.objects.filter(pk=program.pk).values_list(
        "version",
        "status",
        "updated_at",
        "patient__first_name",
        "patient__last_name",
        "patient__preferred_name",
        "patient__updated_at",
        "physio__first_name",
        "physio__last_name",
    )[0]
    state = {
        "program": [program.pk, *row],
        "items": items,
        "practice": [practice.updated_at.isoformat() if practice.updated_at else "", practice.paper_size],
        "layout": 1,  # bump when the PDF template changes in a way that should re-render every cached sheet
    }
    return hashlib.sha256(json.dumps(state, default=str, sort_keys=True).encode()).hexdigest()


def cached_pdf(program: Program, fingerprint: str | None = None) -> bytes | None:
    fingerprint = fingerprint or pdf_fingerprint(program)
    content = (
        ProgramPdf.objects.filter(program=program, fingerprint=fingerprint, content__isnull=False)
        .values_list("content", flat=True)
        .first()
    )
    return bytes(content) if content is not None else None


def render_in_progress(program: Program, fingerprint: str, *, within_seconds: int) -> bool:
    return ProgramPdf.objects.filter(
        program=program,
        requested_fingerprint=fingerprint,
        requested_at__gte=timezone.now() - dt.timedelta(seconds=within_seconds),
    ).exists()


@dataclass(frozen=True)
class SuggestedExercise:
    exercise: Exercise
    reason: str  # the clinician's reasoning: shown to staff, never on the patient's plan
    priority: int
    patient_note: str = ""  # plain words for the plan


def assessment_suggestions(assessment_id: int) -> tuple[int, list[SuggestedExercise]] | None:
    """The assessment's patient and the exercises its findings suggest, best first; None if there is no such
    assessment. Suggestions naming an exercise the library does not have (or has archived) are left out."""
    from assessments import selectors as assessment_selectors

    try:
        patient_id = assessment_selectors.get_assessment(assessment_id).patient_id
    except ObjectDoesNotExist:
        return None
    suggestions = sorted(
        assessment_selectors.suggested_exercises(assessment_id=assessment_id), key=lambda s: s.priority
    )
    by_key = Exercise.objects.filter(key__in=[s.exercise_key for s in suggestions], is_archived=False).in_bulk(
        field_name="key"
    )
    seen: set[str] = set()
    found = []
    for s in suggestions:
        if s.exercise_key in by_key and s.exercise_key not in seen:
            seen.add(s.exercise_key)
            found.append(SuggestedExercise(by_key[s.exercise_key], s.reason, s.priority, s.patient_note))
    return patient_id, found
