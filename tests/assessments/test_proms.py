"""Questionnaire scoring, answers outside the scale, MCID, and the questionnaire pack format."""

from decimal import Decimal as D

import pytest

from assessments import proms

LEFS = proms.MEASURES["lefs"]
AKPS = proms.MEASURES["akps"]
HOS_ADL = proms.MEASURES["hos_adl"]


def placeholder_pack(measures=("lefs", "akps", "hos_adl", "hos_sports")) -> dict:
    """A pack with made-up wording: the real wording is licensed and never in this repository."""
    body = {}
    for key in measures:
        m = proms.MEASURES[key]
        items = []
        for n, top in zip(m.item_numbers(), m.item_max, strict=True):
            options = [{"value": v, "label": f"Placeholder answer {v}"} for v in range(top + 1)]
            if m.percent_of_answered:
                options.append({"value": None, "label": "Not applicable"})
            items.append({"number": n, "text": f"Placeholder question {n} of {m.name}", "options": options})
        body[key] = {"title": f"{m.name} (test wording)", "instructions": "Placeholder instructions.", "items": items}
    return {"format": proms.PACK_FORMAT, "name": "Test pack", "licence": "none: placeholder", "measures": body}


def test_lefs_total_is_the_sum_of_twenty_items():
    answers = proms.clean_answers(LEFS, {str(n): 3 for n in range(1, 21)})
    assert proms.total(LEFS, answers) == D(60)  # 20 x 3


def test_lefs_is_incomplete_until_every_item_is_answered():
    answers = proms.clean_answers(LEFS, {"1": 4, "2": 4})
    assert proms.total(LEFS, answers) is None
    assert proms.answered(answers) == 2


def test_akps_items_have_their_own_maximum_and_add_up_to_100():
    assert sum(AKPS.item_max) == 100
    answers = proms.clean_answers(AKPS, {str(n): top for n, top in enumerate(AKPS.item_max, start=1)})
    assert proms.total(AKPS, answers) == D(100)


def test_hos_scores_the_answered_items_as_a_percentage():
    # 10 items answered (4,4,4,4,4,3,3,3,2,2 = 33 points) of 17; 33 / (10 x 4) x 100 = 82.5 %
    values = [4, 4, 4, 4, 4, 3, 3, 3, 2, 2]
    answers = proms.clean_answers(HOS_ADL, {str(n): v for n, v in enumerate(values, start=1)})
    assert proms.total(HOS_ADL, answers) == D("82.5")


@pytest.mark.parametrize(("item", "value", "message"), [("3", 5, "0-4"), ("3", -1, "0-4"), ("21", 1, "items 1-20"),
                                                        ("2", "lots", "whole number")])  # fmt: skip
def test_an_answer_outside_its_scale_is_refused_with_the_item_named(item, value, message):
    with pytest.raises(proms.AnswerError) as caught:
        proms.clean_answers(LEFS, {item: value})
    assert message in caught.value.errors[item]


def test_akps_item_four_allows_ten_but_item_one_only_five():
    proms.clean_answers(AKPS, {"4": 10})
    with pytest.raises(proms.AnswerError):
        proms.clean_answers(AKPS, {"1": 10})


def test_a_change_larger_than_the_mcid_is_real():
    # LEFS MCID 9: 50 -> 60 is +10 (> 9) real and better; 50 -> 59 is +9, not larger than the MCID.
    real = proms.change(previous=D(50), latest=D(60), mcid=D(9), higher_is_better=True)
    assert real.real and real.improved and real.delta == D(10)
    assert not proms.change(previous=D(50), latest=D(59), mcid=D(9), higher_is_better=True).real


def test_for_pain_lower_is_better():
    # NPRS 6 -> 3: -3, larger than the MCID of 2, and an improvement.
    change = proms.change(previous=D(6), latest=D(3), mcid=proms.NPRS_MCID, higher_is_better=False)
    assert change.real and change.improved


def test_a_placeholder_pack_validates():
    cleaned = proms.validate_pack(placeholder_pack())
    assert cleaned["measures"]["lefs"]["items"][0]["text"] == "Placeholder question 1 of LEFS"
    assert len(cleaned["measures"]["akps"]["items"]) == 13


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.update(format="other"), "format"),
        (lambda p: p["measures"].update(sf36={}), "Unknown measure"),
        (lambda p: p["measures"]["lefs"]["items"].pop(), "items 20 are missing"),
        (lambda p: p["measures"]["lefs"]["items"][0]["options"].append({"value": 7, "label": "x"}), "0-4"),
        (lambda p: p["measures"]["lefs"]["items"][1].update(text=""), "text is missing"),
    ],
)
def test_a_broken_pack_is_refused_with_a_reason(change, message):
    pack = placeholder_pack()
    change(pack)
    with pytest.raises(proms.PackError, match=message):
        proms.validate_pack(pack)
