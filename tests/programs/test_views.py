"""HTML pages: the library, the builder, the patient panel, and the patient's private plan page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clinic.models import AuditEvent
from programs import services
from programs.models import AccessLink, Program
from tests.factories import PatientFactory, ProgramFactory, ProgramItemFactory, WeakHipAssessmentFactory


@pytest.fixture
def physio_client(client, physio):
    client.force_login(physio)
    return client


def _active_with_link(library, physio, patient=None):
    program = ProgramFactory(physio=physio, patient=patient or PatientFactory(first_name="Amélie", last_name="Durand"))
    ProgramItemFactory(program=program, exercise=library["clamshell"], sets=3, reps=15)
    services.activate_program(program=program, actor=physio)
    return program, services.issue_link(program=program, purpose="staff")


def test_the_library_filters_by_category_target_and_equipment(physio_client, library):
    page = physio_client.get("/programs/exercises/", {"equipment": "step"}).content.decode()
    assert "Lateral step-up" in page and "Eccentric step-down" in page and "Clamshell" not in page
    page = physio_client.get("/programs/exercises/", {"target": "obliques", "category": "core_hip"}).content.decode()
    assert "Side plank with hip abduction" in page and "Single-leg bridge" not in page


def test_an_exercise_with_zero_sets_is_refused_on_the_form(physio_client, library):
    response = physio_client.post(
        "/programs/exercises/new/",
        {
            "name": "X",
            "key": "x",
            "category": "strength",
            "position": "standing",
            "starting_position": "Stand.",
            "steps": "Lift",
            "sets": "0",
            "reps": "10",
            "side": "each",
            "frequency": "daily",
        },
    )
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1" in response.content.decode()


def test_an_exercise_is_edited_through_its_form(physio_client, library):
    exercise = library["wall_press"]
    response = physio_client.post(
        f"/programs/exercises/{exercise.pk}/edit/",
        {
            "name": "Wall press (standing)",
            "key": "wall_press",
            "category": "isometric",
            "position": "standing",
            "starting_position": "Side-on to a wall.",
            "steps": "Lift the knee\nPress",
            "cues": "Stand tall",
            "sets": "4",
            "hold_seconds": "20",
            "side": "each",
            "frequency": "daily",
        },
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert (exercise.name, exercise.steps, exercise.sets) == ("Wall press (standing)", ["Lift the knee", "Press"], 4)


def test_a_non_image_upload_shows_a_clear_message_and_saves_nothing(physio_client, library):
    upload = SimpleUploadedFile("notes.png", b"just some text")
    response = physio_client.post(
        f"/programs/exercises/{library['clamshell'].pk}/pictures/", {"image": upload}, follow=True
    )
    assert "not a picture we can read" in response.content.decode()
    assert not library["clamshell"].pictures.exists()


def test_an_uploaded_picture_shows_on_the_exercise_page(physio_client, library):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buffer, "PNG")
    upload = SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")
    response = physio_client.post(
        f"/programs/exercises/{library['clamshell'].pk}/pictures/", {"image": upload, "caption": "Start"}, follow=True
    )
    assert "Picture added." in response.content.decode()
    assert library["clamshell"].pictures.get().caption == "Start"


def test_the_patient_panel_lists_the_patients_programs_and_is_audited(physio_client, library, physio):
    program = ProgramFactory(physio=physio, title="Return to running")
    active, _token = _active_with_link(library, physio, patient=program.patient)
    services.update_program(program=active, actor=physio, title="Hip stability v2")
    page = physio_client.get(f"/programs/patient/{program.patient_id}/panel/").content.decode()
    assert "Return to running" in page and "Draft" in page
    assert "Hip stability v2" in page and "Superseded" not in page
    assert AuditEvent.objects.filter(action="view", patient_id=program.patient_id, summary="Viewed programs").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/programs/{pk}/",
        "/programs/{pk}/pdf/",
        "/programs/patient/{patient}/panel/",
        "/programs/new/?patient={patient}",
    ],
)
def test_front_desk_gets_403_on_programs(client, front_desk, physio, url):
    program = ProgramFactory(physio=physio)
    client.force_login(front_desk)
    assert client.get(url.format(pk=program.pk, patient=program.patient_id)).status_code == 403


def test_the_builder_adds_from_a_template_swaps_a_progression_and_activates(
    physio_client, library, hip_template, physio, mailoutbox, django_capture_on_commit_callbacks
):
    patient = PatientFactory(email="amelie@mail.test")
    response = physio_client.post(
        f"/programs/new/?patient={patient.pk}", {"title": "Phase 1", "start_date": "2030-01-07", "template": ""}
    )
    program = Program.objects.get(patient=patient)
    assert response["Location"] == f"/programs/{program.pk}/"
    clamshell_item = hip_template.items.get(exercise__key="clamshell")
    physio_client.post(
        f"/programs/{program.pk}/items/template/", {"template": hip_template.pk, "template_item": clamshell_item.pk}
    )
    physio_client.post(f"/programs/{program.pk}/items/add/", {"exercise": library["wall_press"].pk})
    item = program.items.get(exercise__key="wall_press")
    physio_client.post(f"/programs/{program.pk}/items/{item.pk}/swap/{library['hip_hitch'].pk}/")
    assert list(program.items.values_list("exercise__key", flat=True)) == ["clamshell", "hip_hitch"]
    with django_capture_on_commit_callbacks(execute=True):
        page = physio_client.post(f"/programs/{program.pk}/activate/", follow=True).content.decode()
    assert "The program is active" in page
    assert len(mailoutbox) == 1
    assert AuditEvent.objects.filter(action="view", object_id=str(program.pk)).exists()


def test_the_builder_shows_an_empty_program_cannot_be_activated(physio_client, physio):
    program = ProgramFactory(physio=physio)
    page = physio_client.post(f"/programs/{program.pk}/activate/", follow=True).content.decode()
    assert "Add at least one exercise" in page


def test_a_zero_dose_on_the_builder_is_refused_with_a_message(physio_client, library, physio):
    program = ProgramFactory(physio=physio)
    item = ProgramItemFactory(program=program, exercise=library["clamshell"])
    page = physio_client.post(
        f"/programs/{program.pk}/items/{item.pk}/",
        {
            f"item{item.pk}-sets": "0",
            f"item{item.pk}-reps": "10",
            f"item{item.pk}-side": "each",
            f"item{item.pk}-frequency": "daily",
        },
        follow=True,
    ).content.decode()
    assert "greater than or equal to 1" in page
    item.refresh_from_db()
    assert item.sets == 3


def test_editing_an_active_program_on_the_builder_opens_the_new_version(physio_client, library, physio):
    program, _token = _active_with_link(library, physio)
    item = program.items.get()
    response = physio_client.post(
        f"/programs/{program.pk}/items/{item.pk}/",
        {
            f"item{item.pk}-sets": "4",
            f"item{item.pk}-reps": "15",
            f"item{item.pk}-side": "each",
            f"item{item.pk}-frequency": "daily",
        },
        follow=True,
    )
    v2 = Program.objects.get(lineage=program.lineage, version=2)
    assert response.redirect_chain[-1][0] == f"/programs/{v2.pk}/"
    assert "Saved as version 2" in response.content.decode()
    old = physio_client.get(f"/programs/{program.pk}/").content.decode()
    assert "read-only" in old and "4 sets" not in old


def test_a_program_starts_from_the_assessments_suggestions(physio_client, library):
    assessment = WeakHipAssessmentFactory()
    page = physio_client.get(f"/programs/new/?assessment={assessment.pk}").content.decode()
    assert "Suggested by the assessment" in page and "Clamshell" in page
    physio_client.post(
        f"/programs/new/?assessment={assessment.pk}", {"title": "From the assessment", "start_date": "2030-01-07"}
    )
    program = Program.objects.get(patient=assessment.patient)
    assert program.source_assessment_id == assessment.pk
    assert program.items.first().exercise.key == "clamshell"


def test_an_unknown_assessment_is_a_404(physio_client, library):
    assert physio_client.get("/programs/new/?assessment=999999").status_code == 404


def test_the_patient_opens_the_plan_page_without_an_account(client, library, physio):
    program, token = _active_with_link(library, physio)
    page = client.get(f"/plan/{token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Amélie Durand" in text and "Clamshell" in text and "3 sets of 15, each side, once a day" in text
    assert page["X-Robots-Tag"] == "noindex"
    assert AuditEvent.objects.filter(action="view", patient_id=program.patient_id, actor_id=None).exists()


def test_the_patient_downloads_the_pdf_through_the_link(client, library, physio, django_capture_on_commit_callbacks):
    _program, token = _active_with_link(library, physio)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(f"/plan/{token}/pdf/")
    assert first.status_code == 202 and first["Retry-After"]
    second = client.get(f"/plan/{token}/pdf/?download=1")
    assert second.status_code == 200 and second["Content-Type"] == "application/pdf"
    assert second["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("how", ["expired", "revoked", "unknown", "archived"])
def test_a_dead_link_shows_nothing_about_the_patient(client, library, physio, how):
    program, token = _active_with_link(library, physio)
    if how == "expired":
        AccessLink.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    elif how == "revoked":
        services.revoke_links(program=program, actor=physio)
    elif how == "unknown":
        token = "x" * 43
    else:
        services.archive_program(program=program, actor=physio)
    for url in (f"/plan/{token}/", f"/plan/{token}/pdf/"):
        response = client.get(url)
        assert response.status_code == 404
        text = response.content.decode()
        assert "not available" in text
        for secret in ("Amélie", "Durand", "Clamshell", program.title, physio.last_name):
            assert secret not in text


def test_the_plan_page_needs_a_bounded_number_of_queries(client, library, physio, django_assert_max_num_queries):
    program, token = _active_with_link(library, physio)
    for key in ("wall_press", "band_walk", "hip_hitch", "lateral_step_up"):
        ProgramItemFactory(program=program, exercise=library[key])
    with django_assert_max_num_queries(15):
        assert client.get(f"/plan/{token}/").status_code == 200


def test_staff_withdraw_all_links_from_the_program_page(physio_client, library, physio, client):
    program, token = _active_with_link(library, physio)
    physio_client.post(f"/programs/{program.pk}/links/revoke/")
    assert client.get(f"/plan/{token}/").status_code == 404


def test_the_exercise_library_is_in_the_navigation_for_clinicians_only(client, physio, front_desk):
    client.force_login(physio)
    assert "/programs/exercises/" in client.get("/").content.decode()
    client.force_login(front_desk)
    assert "/programs/exercises/" not in client.get("/").content.decode()


def test_staff_print_or_download_the_sheet_and_each_export_is_audited(
    physio_client, library, physio, django_capture_on_commit_callbacks
):
    program = ProgramFactory(physio=physio)
    ProgramItemFactory(program=program, exercise=library["clamshell"])
    with django_capture_on_commit_callbacks(execute=True):
        pending = physio_client.get(f"/programs/{program.pk}/pdf/")
    assert pending.status_code == 202 and "Preparing the PDF" in pending.content.decode()
    printed = physio_client.get(f"/programs/{program.pk}/pdf/")
    assert printed.status_code == 200 and printed["Content-Disposition"].startswith("inline")
    downloaded = physio_client.get(f"/programs/{program.pk}/pdf/?download=1")
    assert downloaded["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="export", patient_id=program.patient_id, actor_id=physio.pk).count() == 2


def test_the_builder_page_needs_a_bounded_number_of_queries_whatever_the_number_of_items(
    physio_client, library, hip_template, physio, django_assert_max_num_queries
):
    program = services.create_program(
        patient=PatientFactory(), physio=physio, actor=physio, title="Phase 1", template=hip_template
    )
    with django_assert_max_num_queries(30) as few:
        assert physio_client.get(f"/programs/{program.pk}/").status_code == 200
    services.add_from_template(program=program, template=hip_template, actor=physio)  # twelve items now
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert physio_client.get(f"/programs/{program.pk}/").status_code == 200
