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
        for n, points in zip(m.item_numbers(), m.item_points, strict=True):
            options = [{"value": v, "label": f"Placeholder answer {v}"} for v in points]
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
    # 14 of 17 ADL items answered (the minimum): 4 x 6 + 3 x 5 + 2 x 3 = 45 points of 14 x 4 = 56 -> 80.4 %.
    values = [4] * 6 + [3] * 5 + [2] * 3
    answers = proms.clean_answers(HOS_ADL, {str(n): v for n, v in enumerate(values, start=1)})
    assert proms.total(HOS_ADL, answers) == D("80.4")


def test_hos_shows_no_score_under_its_minimum_of_answered_items():
    # 13 of 17 ADL items (one short of 14) and 6 of 9 Sports items (one short of 7): no score, however high.
    adl = proms.clean_answers(HOS_ADL, {str(n): 4 for n in range(1, 14)})
    assert proms.total(HOS_ADL, adl) is None
    sports = proms.MEASURES["hos_sports"]
    assert proms.total(sports, proms.clean_answers(sports, {str(n): 4 for n in range(1, 7)})) is None
    assert proms.total(sports, proms.clean_answers(sports, {str(n): 4 for n in range(1, 8)})) == D(100)


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


@pytest.mark.parametrize(
    ("item", "value", "allowed"),
    [("1", 4, "0, 3 or 5"), ("4", 9, "0, 5, 8 or 10"), ("7", 5, "0, 2, 7 or 10"), ("5", 1, "0, 2, 3, 4 or 5")],
)
def test_akps_accepts_only_each_items_published_answer_points(item, value, allowed):
    # Kujala 1993: item 1 (limp) scores 5, 3 or 0; a 4 is between two answers and is no answer at all.
    with pytest.raises(proms.AnswerError) as caught:
        proms.clean_answers(AKPS, {item: value})
    assert caught.value.errors[item] == f"Answers to this item are {allowed}."


def test_an_important_change_is_at_least_the_mcid():
    # LEFS MCID 9: 50 -> 59 is +9, exactly the MCID: important (it used to need 10). 50 -> 58 is +8: not.
    at_mcid = proms.change(previous=D(50), latest=D(59), mcid=D(9), higher_is_better=True)
    assert at_mcid.important and at_mcid.improved and at_mcid.delta == D(9)
    assert not proms.change(previous=D(50), latest=D(58), mcid=D(9), higher_is_better=True).important
    # AKPS 10 and HOS Sports 6: a change of exactly 10 and 6 counts.
    assert proms.change(previous=D(70), latest=D(60), mcid=D(10), higher_is_better=True).important
    assert proms.change(previous=D("50.0"), latest=D("56.0"), mcid=D(6), higher_is_better=True).important


def test_for_pain_two_points_or_thirty_percent_is_important():
    nprs = {"mcid": proms.NPRS_MCID, "mcid_percent": proms.NPRS_MCID_PERCENT, "higher_is_better": False}
    # 6 -> 4: -2 points, exactly the MCID: important and better.
    change = proms.change(previous=D(6), latest=D(4), **nprs)
    assert change.important and change.improved
    # 3 -> 2: -1 point, but 1/3 = 33 % of 3 (>= 30 %): important.
    assert proms.change(previous=D(3), latest=D(2), **nprs).important
    # 3 -> 1: -2 points (and 67 %): important. 8 -> 7: -1 point, 12.5 %: not.
    assert proms.change(previous=D(3), latest=D(1), **nprs).important
    assert not proms.change(previous=D(8), latest=D(7), **nprs).important
    # 0 -> 1: +1 point; no percentage of zero: not important.
    assert not proms.change(previous=D(0), latest=D(1), **nprs).important


def test_beyond_measurement_error_is_reported_apart_from_importance():
    # Endurance has an MDC (32.8 s) and no MCID: 40 -> 74 s is +34, beyond error but never "important".
    change = proms.change(previous=D(40), latest=D(74), mcid=None, mdc=D("32.8"), higher_is_better=True)
    assert change.beyond_error and not change.important
    assert (
        proms.change(previous=D(40), latest=D(72), mcid=None, mdc=D("32.8"), higher_is_better=True).beyond_error
        is False
    )
    # Without an MDC the question is left open (None), not answered "no".
    assert proms.change(previous=D(40), latest=D(60), mcid=D(9), higher_is_better=True).beyond_error is None


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
