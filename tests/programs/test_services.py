"""Programs: the rules in programs.services, on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic import tasks as clinic_tasks
from clinic.models import AuditEvent, Notification
from programs import selectors, services
from programs.dose import describe_dose
from programs.library import EXERCISE_KEYS, seed_library
from programs.models import AccessLink, Equipment, Exercise, Muscle, Program, ProgramItem
from tests.factories import PatientFactory, ProgramFactory, ProgramItemFactory, WeakHipAssessmentFactory


def test_the_library_holds_the_twelve_domain_exercises_each_with_its_own_drawing(library):
    assert sorted(library) == sorted(EXERCISE_KEYS)
    assert len(library) == 12
    for exercise in library.values():
        assert exercise.steps and exercise.cues and exercise.faults and exercise.evidence
        assert finders.find(exercise.illustration), exercise.illustration
    assert list(library["clamshell"].progressions.values_list("key", flat=True)) == ["sidelying_abduction"]
    assert list(library["sidelying_abduction"].regressions.values_list("key", flat=True)) == ["clamshell"]


def test_seeding_again_adds_nothing_and_keeps_a_clinics_own_edits(library):
    clamshell = library["clamshell"]
    clamshell.name = "Clam (our wording)"
    clamshell.save()
    assert seed_library(Exercise=Exercise, Muscle=Muscle, Equipment=Equipment) == 0
    assert Exercise.objects.get(key="clamshell").name == "Clam (our wording)"
    assert Exercise.objects.count() == 12


@pytest.mark.parametrize(
    ("dose", "text"),
    [
        (
            {"sets": 3, "reps": 15, "hold_seconds": None, "side": "each", "frequency": "daily"},
            "3 sets of 15, each side, once a day",
        ),
        (
            {"sets": 5, "reps": None, "hold_seconds": 30, "side": "each", "frequency": "twice_daily"},
            "5 sets of 30-second holds, each side, twice a day",
        ),
        (
            {"sets": 1, "reps": 10, "hold_seconds": None, "side": "both", "frequency": "alternate"},
            "1 set of 10, both legs together, every other day",
        ),
        (
            {"sets": 3, "reps": 12, "hold_seconds": 2, "side": "each", "frequency": "daily", "load": "a red band"},
            "3 sets of 12 with a 2-second hold with a red band, each side, once a day",
        ),
    ],
)
def test_a_dose_reads_in_plain_words(dose, text):
    assert describe_dose(**{"load": "", **dose}) == text


def test_a_program_starts_from_a_template_with_the_templates_doses(library, hip_template, physio):
    program = services.create_program(
        patient=PatientFactory(), physio=physio, actor=physio, title="Phase 1", template=hip_template
    )
    keys = list(program.items.values_list("exercise__key", flat=True))
    assert keys == [i.exercise.key for i in hip_template.items.all()]
    assert program.status == Program.Status.DRAFT
    assert AuditEvent.objects.filter(action="create", patient_id=program.patient_id).exists()


@pytest.mark.parametrize(
    ("dose", "field"),
    [
        ({"sets": 0}, "sets"),
        ({"sets": -2}, "sets"),
        ({"reps": 0}, "reps"),
        ({"reps": -5}, "reps"),
        ({"hold_seconds": 0}, "hold_seconds"),
        ({"reps": None, "hold_seconds": None}, "reps"),
    ],
)
def test_zero_or_negative_sets_or_reps_are_refused_with_a_clear_message(library, physio, dose, field):
    program = ProgramFactory(physio=physio)
    with pytest.raises(ValidationError) as error:
        services.add_item(program=program, exercise=library["clamshell"], actor=physio, **dose)
    assert field in error.value.message_dict
    assert not program.items.exists()


def test_the_database_itself_refuses_a_dose_of_zero_sets(library):
    program = ProgramFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramItem.objects.create(program=program, exercise=library["clamshell"], sets=0, reps=10)


def test_an_archived_exercise_cannot_be_added(library, physio):
    exercise = services.set_exercise_archived(exercise=library["copenhagen"], archived=True, actor=physio)
    with pytest.raises(ValidationError, match="archived"):
        services.add_item(program=ProgramFactory(), exercise=exercise, actor=physio)


def test_an_empty_program_cannot_be_made_active(physio):
    program = ProgramFactory(physio=physio)
    with pytest.raises(ValidationError, match="at least one exercise"):
        services.activate_program(program=program, actor=physio)
    program.refresh_from_db()
    assert program.status == Program.Status.DRAFT


def test_a_program_with_an_archived_exercise_cannot_be_made_active(library, physio):
    program = ProgramFactory(physio=physio)
    ProgramItemFactory(program=program, exercise=library["band_walk"])
    services.set_exercise_archived(exercise=library["band_walk"], archived=True, actor=physio)
    with pytest.raises(ValidationError, match="Lateral band walk"):
        services.activate_program(program=program, actor=physio)


def test_making_a_program_active_emails_the_patient_a_private_link_that_opens_it(
    library, physio, mailoutbox, django_capture_on_commit_callbacks
):
    patient = PatientFactory(first_name="Zoë", email="zoe@mail.test")
    program = ProgramFactory(patient=patient, physio=physio)
    ProgramItemFactory(program=program, exercise=library["clamshell"])
    with django_capture_on_commit_callbacks(execute=True):
        services.activate_program(program=program, actor=physio)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["zoe@mail.test"]
    assert "Hello Zoë" in message.body
    url = next(word for word in message.body.split() if "/plan/" in word)
    token = url.rstrip("/").rsplit("/", 1)[1]
    link, shown = selectors.plan_for_token(token)
    assert shown.pk == program.pk
    assert AccessLink.objects.get(pk=link.pk).token_hash != token  # only a hash is stored
    assert not AccessLink.objects.filter(token_hash=token).exists()
    # It went through the outbox, which keeps the text without the private link (staff see the outbox).
    record = Notification.objects.get(kind=Notification.Kind.PROGRAM_READY)
    assert (record.subject_type, record.subject_id, record.status) == ("programs.program", str(program.pk), "sent")
    assert (record.recipient, record.patient_id) == ("zoe@mail.test", patient.pk)
    assert message.extra_headers["X-Medius-Notification"] == str(record.pk)
    assert "Hello Zoë" in record.body and "not kept here" in record.body
    assert token not in record.body and token not in str(record.data) and "/plan/" not in record.body


def test_the_plan_email_says_only_that_a_plan_is_ready(library, physio, mailoutbox, django_capture_on_commit_callbacks):
    program = ProgramFactory(physio=physio, title="Left ACL reconstruction, phase 2", notes="Knee swelling after runs")
    ProgramItemFactory(program=program, exercise=library["clamshell"])
    with django_capture_on_commit_callbacks(execute=True):
        services.activate_program(program=program, actor=physio)
    (message,) = mailoutbox
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        assert "ACL" not in text and "swelling" not in text and "Clamshell" not in text
    assert "/plan/" in message.body and "/plan/" in html
    assert "ACL" not in Notification.objects.get().subject_label


def test_a_plan_email_for_a_program_archived_before_it_went_is_skipped(
    library, physio, mailoutbox, django_capture_on_commit_callbacks
):
    program = ProgramFactory(physio=physio)
    ProgramItemFactory(program=program, exercise=library["clamshell"])
    with django_capture_on_commit_callbacks(execute=False):  # recorded, not sent yet
        services.activate_program(program=program, actor=physio)
    services.archive_program(program=program, actor=physio)
    record = Notification.objects.get(kind=Notification.Kind.PROGRAM_READY)
    clinic_tasks.send_notification.run(record.pk)
    record.refresh_from_db()
    assert (record.status, record.reason) == ("skipped", "The program is no longer active.")
    assert mailoutbox == []
    assert not AccessLink.objects.filter(purpose=AccessLink.Purpose.EMAIL).exists()  # no link issued for nothing


def test_no_email_goes_to_a_patient_who_has_not_agreed_to_email(
    library, physio, mailoutbox, django_capture_on_commit_callbacks
):
    program = ProgramFactory(patient=PatientFactory(consent_email=False), physio=physio)
    ProgramItemFactory(program=program, exercise=library["clamshell"])
    with django_capture_on_commit_callbacks(execute=True):
        services.activate_program(program=program, actor=physio)
    assert mailoutbox == []


def test_a_redelivered_email_task_sends_nothing_twice(library, physio, mailoutbox, django_capture_on_commit_callbacks):
    from programs.tasks import email_plan_link

    program = ProgramFactory(physio=physio)
    ProgramItemFactory(program=program, exercise=library["clamshell"])
    with django_capture_on_commit_callbacks(execute=True):
        services.activate_program(program=program, actor=physio)
    with django_capture_on_commit_callbacks(execute=True):
        email_plan_link.run(program.pk)  # the task of the previous release, queued before an upgrade
    clinic_tasks.send_notification.run(Notification.objects.get().pk)  # the send task, delivered twice
    assert len(mailoutbox) == 1
    assert Notification.objects.get().status == Notification.Status.SENT


def test_staff_sending_a_new_link_is_a_second_message_with_a_second_link(
    library, physio, mailoutbox, django_capture_on_commit_callbacks
):
    program = ProgramFactory(physio=physio)
    ProgramItemFactory(program=program, exercise=library["clamshell"])
    with django_capture_on_commit_callbacks(execute=True):
        services.activate_program(program=program, actor=physio)
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_link(program=program, actor=physio)
    assert len(mailoutbox) == 2
    assert Notification.objects.filter(kind=Notification.Kind.PROGRAM_READY, status="sent").count() == 2
    urls = [next(w for w in m.body.split() if "/plan/" in w) for m in mailoutbox]
    assert urls[0] != urls[1]


def _active(library, physio, *keys):
    program = ProgramFactory(physio=physio)
    for order, key in enumerate(keys or ("clamshell", "wall_press"), start=1):
        ProgramItemFactory(program=program, exercise=library[key], order=order)
    return services.activate_program(program=program, actor=physio)


def test_editing_an_active_program_makes_a_new_version_and_keeps_the_old_one_readable(library, physio):
    v1 = _active(library, physio)
    clamshell_item = v1.items.get(exercise__key="clamshell")
    changed = services.update_item(program=v1, item_id=clamshell_item.pk, actor=physio, sets=4)
    v2 = changed.program
    v1.refresh_from_db()
    assert (v1.status, v2.status) == (Program.Status.SUPERSEDED, Program.Status.ACTIVE)
    assert (v2.version, v2.previous_id, v2.lineage) == (2, v1.pk, v1.lineage)
    assert v1.items.get(exercise__key="clamshell").sets == 3  # the old version is untouched
    assert v2.items.get(exercise__key="clamshell").sets == 4
    assert v2.items.count() == 2


def test_a_superseded_version_cannot_be_changed(library, physio):
    v1 = _active(library, physio)
    services.update_program(program=v1, actor=physio, title="New title")
    v1.refresh_from_db()
    with pytest.raises(services.ProgramConflict, match="version 2"):
        services.update_program(program=v1, actor=physio, title="Another")


def test_the_database_allows_one_active_version_per_program(library, physio):
    v1 = _active(library, physio)
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.create(
            patient=v1.patient, physio=physio, title="x", lineage=v1.lineage, version=2, status="active"
        )


def test_a_draft_is_edited_in_place(library, physio):
    program = ProgramFactory(physio=physio)
    item = services.add_item(program=program, exercise=library["clamshell"], actor=physio)
    assert item.program_id == program.pk
    assert Program.objects.filter(lineage=program.lineage).count() == 1


def test_one_click_swaps_an_item_for_its_progression_at_that_exercises_dose(library, physio):
    program = ProgramFactory(physio=physio)
    item = services.add_item(program=program, exercise=library["wall_press"], actor=physio, note="left first")
    swapped = services.swap_item(program=program, item_id=item.pk, exercise=library["hip_hitch"], actor=physio)
    assert swapped.exercise.key == "hip_hitch"
    assert (swapped.reps, swapped.hold_seconds, swapped.note) == (12, 2, "left first")


def test_an_item_cannot_be_swapped_for_an_unrelated_exercise(library, physio):
    program = ProgramFactory(physio=physio)
    item = services.add_item(program=program, exercise=library["clamshell"], actor=physio)
    with pytest.raises(ValidationError, match="not a progression"):
        services.swap_item(program=program, item_id=item.pk, exercise=library["sl_deadlift"], actor=physio)


def test_copying_the_previous_program_starts_a_new_draft_with_the_same_exercises(library, physio):
    v1 = _active(library, physio, "clamshell", "band_walk", "lateral_step_up")
    copy = services.copy_program(source=v1, physio=physio, actor=physio)
    assert copy.status == Program.Status.DRAFT and copy.lineage != v1.lineage
    assert list(copy.items.values_list("exercise__key", flat=True)) == ["clamshell", "band_walk", "lateral_step_up"]


def test_items_move_up_and_down(library, physio):
    program = ProgramFactory(physio=physio)
    first = services.add_item(program=program, exercise=library["clamshell"], actor=physio)
    services.add_item(program=program, exercise=library["wall_press"], actor=physio)
    services.move_item(program=program, item_id=first.pk, up=False, actor=physio)
    assert list(program.items.values_list("exercise__key", flat=True)) == ["wall_press", "clamshell"]


def test_the_review_date_cannot_come_before_the_start(physio):
    with pytest.raises(ValidationError, match="review date"):
        services.create_program(
            patient=PatientFactory(),
            physio=physio,
            actor=physio,
            title="x",
            start_date=dt.date(2030, 5, 1),
            review_date=dt.date(2030, 4, 1),
        )


def test_a_program_starts_from_the_assessments_suggestions_in_their_order(library, physio):
    assessment = WeakHipAssessmentFactory()
    patient_id, suggestions = selectors.assessment_suggestions(assessment.pk)
    assert patient_id == assessment.patient_id
    assert [s.exercise.key for s in suggestions][:2] == ["clamshell", "sidelying_abduction"]
    program = services.create_program(
        patient=assessment.patient,
        physio=physio,
        actor=physio,
        title="From assessment",
        source_assessment_id=assessment.pk,
        items=[{"exercise": s.exercise, "note": s.reason} for s in suggestions],
    )
    assert [i.exercise.key for i in program.items.all()] == [s.exercise.key for s in suggestions]
    assert "Trendelenburg" in program.items.first().note


def test_an_unknown_assessment_gives_no_suggestions(db):
    assert selectors.assessment_suggestions(999999) is None


def test_a_revoked_or_expired_link_opens_nothing(library, physio):
    program = _active(library, physio)
    token = services.issue_link(program=program, purpose="staff")
    assert selectors.plan_for_token(token) is not None
    AccessLink.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert selectors.plan_for_token(token) is None
    other = services.issue_link(program=program, purpose="staff")
    services.revoke_links(program=program, actor=physio)
    assert selectors.plan_for_token(other) is None


def test_a_plan_link_does_not_depend_on_the_secret_key_and_revoking_it_ends_it(library, physio, settings):
    program = _active(library, physio)
    token = services.issue_link(program=program, purpose="staff")
    settings.SECRET_KEY = "a-rotated-secret-key-" + "y" * 40  # a random token, stored hashed: no key involved
    assert selectors.plan_for_token(token) is not None
    services.revoke_links(program=program, actor=physio)
    assert selectors.plan_for_token(token) is None


def test_a_link_follows_the_program_to_its_new_version(library, physio):
    v1 = _active(library, physio)
    token = services.issue_link(program=v1, purpose="staff")
    v2 = services.update_program(program=v1, actor=physio, title="Phase 2")
    assert selectors.plan_for_token(token)[1].pk == v2.pk


def test_an_archived_program_is_not_shown_through_its_link(library, physio):
    program = _active(library, physio)
    token = services.issue_link(program=program, purpose="staff")
    services.archive_program(program=program, actor=physio)
    assert selectors.plan_for_token(token) is None
