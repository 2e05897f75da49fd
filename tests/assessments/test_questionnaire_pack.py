"""Loading a practice's questionnaire pack (management command and admin upload); the form then shows its items."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.models import PromResponse, QuestionnairePack
from tests.assessments.test_pages import form_data
from tests.assessments.test_proms import placeholder_pack
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack_file(tmp_path):
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(placeholder_pack()), encoding="utf-8")
    return path


def test_without_a_pack_the_form_shows_numbered_items_only(persona_client):
    assessment = AssessmentFactory()
    page = persona_client("physio").get(reverse("assessments:edit", args=[assessment.pk])).content.decode()
    assert "No questionnaire pack is loaded" in page
    assert 'id="id_lefs-item_20"' in page
    assert "Placeholder question" not in page


def test_the_command_loads_a_pack_and_the_form_shows_its_wording(pack_file, persona_client):
    call_command("load_questionnaire_pack", str(pack_file))
    pack = QuestionnairePack.objects.get(is_active=True)
    assert pack.name == "Test pack"
    assessment = AssessmentFactory()
    page = persona_client("physio").get(reverse("assessments:edit", args=[assessment.pk])).content.decode()
    assert "1. Placeholder question 1 of LEFS" in page
    assert "Placeholder answer 4" in page


def test_answers_chosen_from_the_pack_options_are_totalled(pack_file, persona_client):
    call_command("load_questionnaire_pack", str(pack_file))
    assessment = AssessmentFactory()
    answers = {f"lefs-item_{n}": "2" for n in range(1, 21)}
    persona_client("physio").post(
        reverse("assessments:autosave", args=[assessment.pk]), form_data(assessment, **answers)
    )
    response = PromResponse.objects.get(assessment=assessment, measure="lefs")
    assert response.total == 40  # 20 items x 2
    assert response.answers["7"] == 2


def test_a_second_pack_replaces_the_first_which_is_kept(pack_file):
    call_command("load_questionnaire_pack", str(pack_file))
    call_command("load_questionnaire_pack", str(pack_file))
    assert QuestionnairePack.objects.count() == 2
    assert QuestionnairePack.objects.filter(is_active=True).count() == 1


def test_a_broken_pack_is_refused_with_the_reason(tmp_path):
    bad = placeholder_pack()
    bad["measures"]["akps"]["items"][0]["options"].append({"value": 9, "label": "too many points"})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(CommandError, match="AKPS"):
        call_command("load_questionnaire_pack", str(path))
    (tmp_path / "notjson.json").write_text("{nope")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_questionnaire_pack", str(tmp_path / "notjson.json"))
    assert not QuestionnairePack.objects.exists()


def test_a_clinic_admin_uploads_a_pack_on_the_setup_page(persona_client, pack_file):
    client = persona_client("admin_user")
    with pack_file.open("rb") as handle:
        response = client.post(reverse("assessments:setup-packs"), {"file": handle})
    assert response.status_code == 302
    assert QuestionnairePack.objects.filter(is_active=True, name="Test pack").exists()
    page = client.get(reverse("assessments:setup-packs")).content.decode()
    assert "Test pack" in page and "Active" in page


def test_a_file_that_is_not_a_pack_is_refused_with_a_message(persona_client, tmp_path):
    client = persona_client("admin_user")
    bad = tmp_path / "notes.json"
    bad.write_text("{not json", encoding="utf-8")
    with bad.open("rb") as handle:
        response = client.post(reverse("assessments:setup-packs"), {"file": handle})
    assert response.status_code == 400
    assert "not valid UTF-8 JSON" in response.content.decode()
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"name": "x"}), encoding="utf-8")
    with wrong.open("rb") as handle:
        assert client.post(reverse("assessments:setup-packs"), {"file": handle}).status_code == 400
    assert not QuestionnairePack.objects.exists()


def test_a_superuser_can_still_upload_in_the_admin_site(client, pack_file):
    from tests.factories import UserFactory

    operator = UserFactory(email="ops@clinic.test", is_superuser=True, is_staff=True)
    client.force_login(operator)
    with pack_file.open("rb") as handle:
        response = client.post("/admin/assessments/questionnairepack/add/", {"file": handle})
    assert response.status_code == 302
    assert QuestionnairePack.objects.filter(is_active=True, name="Test pack").exists()
