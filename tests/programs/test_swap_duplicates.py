"""Swapping an exercise for its progression never leaves two copies of one exercise in a program."""

from __future__ import annotations

import pytest

from programs import services
from programs.models import ProgramItem
from tests.factories import ProgramFactory


def test_a_swap_to_an_exercise_already_in_the_program_is_refused(library, physio):
    program = ProgramFactory(physio=physio)
    clamshell = services.add_item(program=program, exercise=library["clamshell"], actor=physio)
    services.add_item(program=program, exercise=library["sidelying_abduction"], actor=physio)
    with pytest.raises(services.ProgramConflict, match="already in this program"):
        services.swap_item(program=program, item_id=clamshell.pk, exercise=library["sidelying_abduction"], actor=physio)
    keys = sorted(ProgramItem.objects.filter(program=program).values_list("exercise__key", flat=True))
    assert keys == ["clamshell", "sidelying_abduction"]


def test_the_api_answers_409(physio_api, library, physio):
    program = ProgramFactory(physio=physio)
    clamshell = services.add_item(program=program, exercise=library["clamshell"], actor=physio)
    services.add_item(program=program, exercise=library["sidelying_abduction"], actor=physio)
    response = physio_api.post(
        f"/api/v1/programs/{program.pk}/swap/",
        {"item": clamshell.pk, "exercise": "sidelying_abduction"},
        format="json",
    )
    assert response.status_code == 409
    assert "already in this program" in response.json()["detail"]
    assert ProgramItem.objects.filter(program=program).count() == 2
