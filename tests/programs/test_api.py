"""The REST API: /api/v1/exercises/, /api/v1/programs/ (items nested) and the PDF endpoint."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from clinic.models import AuditEvent
from programs import services
from programs.models import Exercise, Program
from tests.factories import PatientFactory, ProgramFactory, ProgramItemFactory


def _image_bytes(fmt="JPEG", size=(2400, 1800), exif=True) -> bytes:
    image = Image.new("RGB", size, (20, 120, 130))
    buffer = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x9003] = "2026:01:01 10:00:00"  # DateTimeOriginal
        kwargs["exif"] = data
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def test_staff_list_and_filter_the_library(physio_api, library):
    body = physio_api.get("/api/v1/exercises/", {"category": "functional"}).json()
    keys = {e["key"] for e in body["results"]}
    assert keys == {"lateral_step_up", "eccentric_step_down", "sl_squat_box", "sl_deadlift"}
    by_target = physio_api.get("/api/v1/exercises/", {"target": "hip_adductors"}).json()
    assert [e["key"] for e in by_target["results"]] == ["copenhagen"]
    by_equipment = physio_api.get("/api/v1/exercises/", {"equipment": "band"}).json()
    assert {e["key"] for e in by_equipment["results"]} == {"clamshell", "band_walk"}
    clamshell = physio_api.get(f"/api/v1/exercises/{library['clamshell'].pk}/").json()
    assert clamshell["default_dose"] == "3 sets of 15, each side, once a day"
    assert clamshell["progressions"] == ["sidelying_abduction"]


def test_a_physio_adds_an_exercise_and_bad_doses_get_field_errors(physio_api, library):
    good = {
        "key": "monster_walk",
        "name": "Monster walk",
        "category": "dynamic",
        "position": "standing",
        "starting_position": "Band at the ankles, half squat.",
        "steps": ["Step forwards and out.", "Repeat on the other side."],
        "sets": 3,
        "reps": 10,
        "side": "each_way",
        "frequency": "daily",
        "targets": ["gluteus_medius"],
        "regressions": ["band_walk"],
    }
    created = physio_api.post("/api/v1/exercises/", good, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["regressions"] == ["band_walk"]
    bad = physio_api.post("/api/v1/exercises/", {**good, "key": "x2", "sets": 0, "reps": -1}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) >= {"sets", "reps"}
    no_dose = physio_api.post("/api/v1/exercises/", {**good, "key": "x3", "reps": None}, format="json")
    assert no_dose.status_code == 400 and "reps" in no_dose.json()["errors"]
    assert AuditEvent.objects.filter(summary="Added exercise Monster walk").exists()


def test_a_picture_is_resized_and_stripped_of_its_metadata(physio_api, library):
    upload = SimpleUploadedFile("IMG_by_Jane_Doe.jpg", _image_bytes(), content_type="image/jpeg")
    response = physio_api.post(
        f"/api/v1/exercises/{library['clamshell'].pk}/pictures/",
        {"image": upload, "caption": "Start"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    picture = library["clamshell"].pictures.get()
    assert max(picture.width, picture.height) == 1200
    assert "Jane" not in picture.image.name
    with Image.open(picture.image.path) as stored:
        assert not stored.getexif()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 not a picture", "scan.jpg", "not a picture"),
        (b"MZ\x90\x00 executable", "photo.png", "not a picture"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "drawing.svg", "not a picture"),
    ],
)
def test_a_file_that_is_not_an_image_is_refused_clearly(physio_api, library, content, name, message):
    upload = SimpleUploadedFile(name, content)
    response = physio_api.post(
        f"/api/v1/exercises/{library['clamshell'].pk}/pictures/", {"image": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert message in response.json()["errors"]["image"][0]
    assert not library["clamshell"].pictures.exists()


def test_a_picture_over_the_size_limit_is_refused_clearly(physio_api, library):
    upload = SimpleUploadedFile("big.png", b"\x89PNG" + b"\0" * (5 * 1024 * 1024 + 10), content_type="image/png")
    response = physio_api.post(
        f"/api/v1/exercises/{library['clamshell'].pk}/pictures/", {"image": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert "too large" in response.json()["errors"]["image"][0]


def test_a_picture_with_too_many_pixels_is_refused_before_it_is_decoded(physio_api, library):
    buffer = io.BytesIO()
    Image.new("1", (9000, 6000)).save(buffer, "PNG")  # 54 megapixels, a few kilobytes on disk
    upload = SimpleUploadedFile("huge.png", buffer.getvalue(), content_type="image/png")
    response = physio_api.post(
        f"/api/v1/exercises/{library['clamshell'].pk}/pictures/", {"image": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert "too many pixels" in response.json()["errors"]["image"][0]


def test_a_transparent_png_stays_a_png(physio_api, library):
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 300), (0, 0, 0, 0)).save(buffer, "PNG")
    upload = SimpleUploadedFile("drawing.png", buffer.getvalue(), content_type="image/png")
    response = physio_api.post(
        f"/api/v1/exercises/{library['clamshell'].pk}/pictures/", {"image": upload}, format="multipart"
    )
    assert response.status_code == 201
    picture = library["clamshell"].pictures.get()
    assert picture.image.name.endswith(".png") and picture.print_image.name.endswith(".png")


def test_a_program_is_created_with_nested_items_and_read_back(physio_api, library):
    patient = PatientFactory()
    response = physio_api.post(
        "/api/v1/programs/",
        {
            "patient": patient.pk,
            "title": "Phase 1",
            "items": [{"exercise": "clamshell"}, {"exercise": "wall_press", "sets": 4, "hold_seconds": 20}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert [i["exercise"] for i in body["items"]] == ["clamshell", "wall_press"]
    assert body["items"][1]["dose"] == "4 sets of 20-second holds, each side, once a day"
    read = physio_api.get(f"/api/v1/programs/{body['id']}/")
    assert read.json()["items"][0]["dose"] == "3 sets of 15, each side, once a day"
    assert AuditEvent.objects.filter(action="view", patient_id=patient.pk, object_id=str(body["id"])).exists()


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"exercise": "clamshell", "sets": 0}, "sets"),
        ({"exercise": "clamshell", "reps": -3}, "reps"),
        ({"exercise": "no_such_exercise"}, "exercise"),
    ],
)
def test_bad_items_get_400_with_field_errors_and_nothing_is_saved(physio_api, library, item, field):
    response = physio_api.post(
        "/api/v1/programs/", {"patient": PatientFactory().pk, "title": "x", "items": [item]}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]["items"]["0"]  # DRF keys nested list errors by position
    assert not Program.objects.exists()


def test_an_archived_exercise_is_refused_with_a_clear_message(physio_api, library, physio):
    services.set_exercise_archived(exercise=library["copenhagen"], archived=True, actor=physio)
    response = physio_api.post(
        "/api/v1/programs/",
        {"patient": PatientFactory().pk, "title": "x", "items": [{"exercise": "copenhagen"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "archived" in str(response.json()["errors"])


def test_an_empty_program_cannot_be_made_active(physio_api, physio):
    program = ProgramFactory(physio=physio)
    response = physio_api.post(f"/api/v1/programs/{program.pk}/activate/")
    assert response.status_code == 400
    assert "at least one exercise" in response.json()["errors"]["items"][0]


def test_changing_an_active_program_returns_the_new_version_and_the_old_one_is_409(physio_api, library, physio):
    program = ProgramFactory(physio=physio)
    ProgramItemFactory(program=program, exercise=library["clamshell"])
    assert physio_api.post(f"/api/v1/programs/{program.pk}/activate/").status_code == 200
    response = physio_api.patch(
        f"/api/v1/programs/{program.pk}/", {"items": [{"exercise": "sidelying_abduction"}]}, format="json"
    )
    assert response.status_code == 200
    v2 = response.json()
    assert (v2["version"], v2["status"], v2["previous"]) == (2, "active", program.pk)
    old = physio_api.get(f"/api/v1/programs/{program.pk}/").json()
    assert old["status"] == "superseded" and old["items"][0]["exercise"] == "clamshell"
    conflict = physio_api.patch(f"/api/v1/programs/{program.pk}/", {"title": "again"}, format="json")
    assert conflict.status_code == 409
    assert "version 2" in conflict.json()["detail"]


def test_swap_through_the_api(physio_api, library, physio):
    program = ProgramFactory(physio=physio)
    item = ProgramItemFactory(program=program, exercise=library["clamshell"])
    response = physio_api.post(
        f"/api/v1/programs/{program.pk}/swap/", {"item": item.pk, "exercise": "sidelying_abduction"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["items"][0]["exercise"] == "sidelying_abduction"
    wrong = physio_api.post(
        f"/api/v1/programs/{program.pk}/swap/", {"item": item.pk, "exercise": "sl_deadlift"}, format="json"
    )
    assert wrong.status_code == 400


def test_the_pdf_is_202_while_rendering_then_200_application_pdf(
    physio_api, library, physio, django_capture_on_commit_callbacks
):
    program = ProgramFactory(physio=physio)
    ProgramItemFactory(program=program, exercise=library["clamshell"])
    with django_capture_on_commit_callbacks(execute=True):
        pending = physio_api.get(f"/api/v1/programs/{program.pk}/pdf/")
    assert pending.status_code == 202
    assert pending.json()["status"] == "rendering"
    assert int(pending["Retry-After"]) > 0
    ready = physio_api.get(f"/api/v1/programs/{program.pk}/pdf/")
    assert ready.status_code == 200
    assert ready["Content-Type"] == "application/pdf"
    assert ready.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export", patient_id=program.patient_id).exists()


def test_a_second_request_while_rendering_does_not_queue_a_second_render(
    physio_api, library, physio, django_capture_on_commit_callbacks
):
    program = ProgramFactory(physio=physio)
    ProgramItemFactory(program=program, exercise=library["clamshell"])
    with django_capture_on_commit_callbacks() as queued:
        physio_api.get(f"/api/v1/programs/{program.pk}/pdf/")
        physio_api.get(f"/api/v1/programs/{program.pk}/pdf/")
    assert len(queued) == 1


@pytest.mark.parametrize(
    "url", ["/api/v1/programs/", "/api/v1/programs/{pk}/", "/api/v1/programs/{pk}/pdf/", "/api/v1/exercises/"]
)
def test_front_desk_gets_403_on_programs_and_the_library(front_desk_api, physio, url):
    program = ProgramFactory(physio=physio)
    assert front_desk_api.get(url.format(pk=program.pk)).status_code == 403


def test_front_desk_cannot_create_programs_or_edit_exercises(front_desk_api, library):
    assert front_desk_api.post("/api/v1/programs/", {}, format="json").status_code == 403
    assert front_desk_api.patch(f"/api/v1/exercises/{library['clamshell'].pk}/", {}, format="json").status_code == 403


def test_anonymous_callers_get_nothing(library):
    assert APIClient().get("/api/v1/programs/").status_code in (401, 403)


def test_list_by_patient_is_audited(physio_api, physio):
    program = ProgramFactory(physio=physio)
    body = physio_api.get("/api/v1/programs/", {"patient": program.patient_id}).json()
    assert [p["id"] for p in body["results"]] == [program.pk]
    assert AuditEvent.objects.filter(action="view", patient_id=program.patient_id).exists()


def test_the_library_list_needs_a_bounded_number_of_queries(physio_api, library, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = physio_api.get("/api/v1/exercises/")
    assert response.json()["count"] == Exercise.objects.count()


def test_an_unknown_muscle_or_equipment_filter_is_refused_not_ignored(physio_api, library):
    for name in ("target", "equipment"):
        response = physio_api.get("/api/v1/exercises/", {name: "no-such-key"})
        assert response.status_code == 400, name
        assert name in str(response.json())
    assert physio_api.get("/api/v1/exercises/", {"target": "gluteus_medius"}).status_code == 200
    assert physio_api.get("/api/v1/exercises/", {"equipment": "band"}).status_code == 200
