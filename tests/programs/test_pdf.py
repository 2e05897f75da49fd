"""The printed sheet: content, fonts and scripts, paper size, caching, and the no-outside-files rule."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from clinic.pdf import ForbiddenResource, url_fetcher
from clinic.selectors import get_practice
from programs import selectors, services
from programs.models import ProgramPdf
from tests.factories import PatientFactory, ProgramFactory

A4 = (595, 842)
LETTER = (612, 792)


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def pdf_of(django_capture_on_commit_callbacks):
    """The sheet as the worker renders it: the render is queued at commit, then read from the cache."""

    def render(program) -> bytes:
        with django_capture_on_commit_callbacks(execute=True):
            services.request_pdf(program=program)
        return selectors.cached_pdf(program)

    return render


def _program(library, physio, patient=None, keys=("clamshell", "wall_press", "band_walk")):
    program = ProgramFactory(patient=patient or PatientFactory(), physio=physio, title="Hip stability")
    for key in keys:
        services.add_item(program=program, exercise=library[key], actor=physio)
    return program


def test_the_sheet_shows_practice_patient_physio_each_exercise_with_dose_steps_and_cues(library, physio, pdf_of):
    practice = get_practice()
    practice.name = "Riverside Running Physio"
    practice.save()
    patient = PatientFactory(first_name="Zoë", last_name="Ångström-Müller")
    program = _program(library, physio, patient)
    content = pdf_of(program)
    assert content.startswith(b"%PDF")
    text = _text(content)
    assert "Riverside Running Physio" in text
    assert "Zoë Ångström-Müller" in text
    assert physio.get_full_name() in text
    for item in program.items.all():
        assert item.exercise.name in text
        assert item.dose in " ".join(text.split())
    assert "3 sets of 15, each side, once a day" in text
    assert "Put your top hand on your top hip" in text  # a step
    assert "Slow and smooth" in text  # a cue
    assert "Two-week log" in text


@pytest.mark.parametrize(
    "name",
    [("Ελένη", "Παπαδοπούλου"), ("Дмитрий", "Волков"), ("Łukasz", "Wiśniewski"), ("由紀", "田中"), ("伟", "陈")],
)
def test_names_in_other_scripts_print_correctly(library, physio, pdf_of, name):
    patient = PatientFactory(first_name=name[0], last_name=name[1])
    text = _text(pdf_of(_program(library, physio, patient, keys=("clamshell",))))
    assert f"{name[0]} {name[1]}" in text


def test_fonts_are_embedded(library, physio, pdf_of):
    reader = PdfReader(io.BytesIO(pdf_of(_program(library, physio, keys=("clamshell",)))))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        descriptor = ref.get_object()
        descendant = descriptor.get("/DescendantFonts")
        if descendant:
            descriptor = descendant[0].get_object()
        file_keys = set(descriptor["/FontDescriptor"].get_object()) & {"/FontFile", "/FontFile2", "/FontFile3"}
        assert file_keys, descriptor["/BaseFont"]


@pytest.mark.parametrize(("paper", "size"), [("A4", A4), ("Letter", LETTER)])
def test_the_paper_size_follows_the_practice_setting(library, physio, pdf_of, paper, size):
    practice = get_practice()
    practice.paper_size = paper
    practice.save()
    reader = PdfReader(io.BytesIO(pdf_of(_program(library, physio, keys=("clamshell",)))))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


def test_the_sheet_is_cached_and_rendered_again_only_when_the_program_changes(library, physio, pdf_of):
    program = _program(library, physio)
    first = pdf_of(program)
    rendered_at = ProgramPdf.objects.get(program=program).rendered_at
    assert pdf_of(program) == first
    assert ProgramPdf.objects.get(program=program).rendered_at == rendered_at  # served from the cache
    item = program.items.get(exercise__key="clamshell")
    services.update_item(program=program, item_id=item.pk, actor=physio, sets=5)
    second = pdf_of(program)
    assert "5 sets of 15" in _text(second)
    assert ProgramPdf.objects.get(program=program).rendered_at > rendered_at


def test_a_change_to_an_exercise_or_the_patients_name_also_renders_again(library, physio, pdf_of):
    program = _program(library, physio, keys=("clamshell",))
    pdf_of(program)
    old = selectors.pdf_fingerprint(program)
    program.patient.last_name = "Renamed"
    program.patient.save()
    program.refresh_from_db()
    assert selectors.pdf_fingerprint(program) != old
    assert "Renamed" in _text(pdf_of(program))


def test_each_version_has_its_own_sheet_and_the_old_one_stays_readable(library, physio, pdf_of):
    v1 = _program(library, physio, keys=("clamshell",))
    services.activate_program(program=v1, actor=physio)
    v1_pdf = pdf_of(v1)
    v2 = services.update_program(program=v1, actor=physio, title="Phase 2")
    assert "Phase 2" in _text(pdf_of(v2))
    v1.refresh_from_db()
    # The old version's sheet still shows the old version (it may be rendered again: its status is on the sheet),
    # never the new one.
    old_sheet = _text(pdf_of(v1))
    assert "Hip stability" in old_sheet and "Phase 2" not in old_sheet
    assert "Hip stability" in _text(v1_pdf) and "Phase 2" not in _text(v1_pdf)


def test_an_uploaded_picture_and_the_practice_logo_are_printed(library, physio, pdf_of, settings):
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(buffer, "PNG")
    upload = ContentFile(buffer.getvalue(), name="photo.png")
    services.add_picture(exercise=library["clamshell"], upload=upload, actor=physio)
    practice = get_practice()
    practice.logo.save("logo.png", ContentFile(buffer.getvalue()), save=True)
    reader = PdfReader(io.BytesIO(pdf_of(_program(library, physio, keys=("clamshell",)))))
    images = [img for page in reader.pages for img in page.images]
    assert len(images) >= 2  # the logo and the exercise photo


def test_the_sheet_has_a_qr_code_to_a_working_plan_link(library, physio, pdf_of):
    program = _program(library, physio, keys=("clamshell",))
    services.activate_program(program=program, actor=physio)
    pdf_of(program)
    sheet_links = program.links.filter(purpose="sheet")
    assert sheet_links.count() == 1
    assert sheet_links.get().is_usable()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "file:///etc/passwd",
        "medius-static:../../etc/passwd",
        "medius-media:../secrets.txt",
        "data:image/png;base64,AAAA",
    ],
)
def test_nothing_outside_the_projects_static_and_media_files_can_be_loaded(url):
    with pytest.raises(ForbiddenResource):
        url_fetcher(url)


def test_the_projects_own_static_files_can_be_loaded():
    response = url_fetcher("medius-static:programs/clamshell.svg")
    assert b"<svg" in response.read()


def test_a_patients_note_with_markup_is_printed_as_text_and_loads_nothing(library, physio, pdf_of):
    program = _program(library, physio, keys=("clamshell",))
    services.update_program(program=program, actor=physio, notes='<img src="http://example.com/track.png"> Go gently')
    text = _text(pdf_of(program))
    assert "Go gently" in text and "<img" in text


def test_adding_or_removing_a_picture_renders_the_sheet_again(library, physio):
    program = _program(library, physio, keys=("clamshell",))
    before = selectors.pdf_fingerprint(program)
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(buffer, "PNG")
    picture = services.add_picture(
        exercise=library["clamshell"], upload=ContentFile(buffer.getvalue(), name="a.png"), actor=physio
    )
    with_picture = selectors.pdf_fingerprint(program)
    assert with_picture != before
    services.remove_picture(picture=picture, actor=physio)
    assert selectors.pdf_fingerprint(program) not in (before, with_picture)


def test_the_qr_code_drawing_covers_exactly_the_dark_modules():
    import re

    import qrcode

    from programs.printing import qr_svg

    url = "https://clinic.example/plan/" + "x" * 43 + "/"
    svg = str(qr_svg(url))
    qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(url)
    qr.make(fit=True)
    drawn = set()
    for x, y, w in re.findall(r"M(\d+),(\d+)h(\d+)v1h-\d+z", svg):
        drawn |= {(int(x) + i - 2, int(y) - 2) for i in range(int(w))}
    dark = {(x, y) for y, row in enumerate(qr.modules) for x, on in enumerate(row) if on}
    assert drawn == dark
    assert url not in svg
