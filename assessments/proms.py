"""Patient-reported outcome measures: structure, scoring, MCID and questionnaire packs. No models, no database.

Only the structure ships with Medius (how many items, which answer values each item allows, how the total is
computed). The item wording of LEFS, AKPS and HOS is copyrighted: a practice loads its licensed text as a
questionnaire pack (docs/assessments.md describes the format), validated here against the structure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

PACK_FORMAT = "medius.questionnaire-pack.v1"


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    # The answer points each item allows, item 1, 2, ... (AKPS items have their own published points, not 0-max).
    item_points: tuple[tuple[int, ...], ...]
    total_max: int
    mcid: Decimal
    higher_is_better: bool
    # HOS scores the answered items only ("not applicable" is left out); LEFS and AKPS need every item.
    percent_of_answered: bool = False
    unit: str = ""
    # HOS: the fewest answered items for which a score is shown (and may be signed). None: every item is needed.
    min_answered: int | None = None

    @property
    def items(self) -> int:
        return len(self.item_points)

    @property
    def item_max(self) -> tuple[int, ...]:
        return tuple(max(points) for points in self.item_points)

    def item_numbers(self) -> range:
        return range(1, self.items + 1)


ZERO_TO_FOUR = (0, 1, 2, 3, 4)

# AKPS (Kujala 1993): each item has its own answer points (item 1 limp: none 5, slight 3, constant 0; ...); the item
# maxima add up to 100, and a value between two published answers (item 1: 4) is not an answer.
AKPS_POINTS = (
    (0, 3, 5),  # 1 limp
    (0, 3, 5),  # 2 support
    (0, 2, 3, 5),  # 3 walking
    (0, 5, 8, 10),  # 4 stairs
    (0, 2, 3, 4, 5),  # 5 squatting
    (0, 3, 6, 8, 10),  # 6 running
    (0, 2, 7, 10),  # 7 jumping
    (0, 4, 6, 8, 10),  # 8 prolonged sitting with the knees bent
    (0, 3, 6, 8, 10),  # 9 pain
    (0, 4, 6, 8, 10),  # 10 swelling
    (0, 2, 4, 6, 10),  # 11 painful kneecap movements
    (0, 3, 5),  # 12 thigh atrophy
    (0, 3, 5),  # 13 flexion deficiency
)

# MCIDs (the smallest change that matters; an "important change" is at least this): LEFS 9 (Binkley 1999), AKPS 10
# (Crossley 2004), HOS ADL 9 and Sports 6 (Martin 2006). HOS minimum answered items: ADL 14 of 17, Sports 7 of 9.
MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("lefs", "LEFS", (ZERO_TO_FOUR,) * 20, 80, Decimal(9), True),
        Measure("akps", "AKPS (Kujala)", AKPS_POINTS, 100, Decimal(10), True),
        Measure("hos_adl", "HOS ADL", (ZERO_TO_FOUR,) * 17, 100, Decimal(9), True, True, "%", min_answered=14),
        Measure("hos_sports", "HOS Sports", (ZERO_TO_FOUR,) * 9, 100, Decimal(6), True, True, "%", min_answered=7),
    )
}

# NPRS needs no wording licence and is recorded as three numbers on the assessment (now, worst 24 h, running).
# Important change (Farrar 2001): at least 2 points or at least 30 % of the earlier score. 1.16 has been reported in
# patellofemoral pain (Piva 2009); we use the general figure.
NPRS_MCID = Decimal(2)
NPRS_MCID_PERCENT = Decimal(30)


class AnswerError(ValueError):
    """An answer outside its scale; `errors` maps item numbers to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"item {k}: {v}" for k, v in errors.items()))
        self.errors = errors


def clean_answers(measure: Measure, answers: Mapping) -> dict[str, int | None]:
    """Answers keyed by item number (as strings, for JSON). None means not answered (HOS: not applicable)."""
    cleaned: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    known = {str(n) for n in measure.item_numbers()}
    for key, value in answers.items():
        key = str(key)
        if key not in known:
            errors[key] = _("%(name)s has items 1-%(n)s.") % {"name": measure.name, "n": measure.items}
            continue
        if value is None or value == "":
            cleaned[key] = None
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            number = int(value)
        else:
            errors[key] = _("Enter a whole number.")
            continue
        points = measure.item_points[int(key) - 1]
        if number not in points:
            errors[key] = _("Answers to this item are %(points)s.") % {"points": describe_points(points)}
            continue
        cleaned[key] = number
    if errors:
        raise AnswerError(errors)
    return {str(n): cleaned.get(str(n)) for n in measure.item_numbers()}


def describe_points(points: tuple[int, ...]) -> str:
    """ "0-4" for a run of whole numbers, "0, 3 or 5" for an item with its own published points."""
    if list(points) == list(range(points[0], points[-1] + 1)):
        return f"{points[0]}-{points[-1]}"
    return _("%(first)s or %(last)s") % {"first": ", ".join(map(str, points[:-1])), "last": points[-1]}


def answered(answers: Mapping) -> int:
    return sum(1 for v in answers.values() if v is not None)


def total(measure: Measure, answers: Mapping) -> Decimal | None:
    """The score, or None while incomplete (LEFS/AKPS need every item; HOS its published minimum of answered items)."""
    values = [answers.get(str(n)) for n in measure.item_numbers()]
    given = [v for v in values if v is not None]
    if measure.percent_of_answered:
        if not given or len(given) < (measure.min_answered or 1):
            return None
        # HOS: points scored / highest possible points of the items answered x 100.
        return (Decimal(sum(given)) / Decimal(4 * len(given)) * 100).quantize(Decimal("0.1"))
    if len(given) < measure.items:
        return None
    return Decimal(sum(given))


@dataclass(frozen=True)
class Change:
    previous: Decimal
    latest: Decimal
    delta: Decimal
    improved: bool | None  # None when nothing changed
    important: bool  # at least the MCID (the smallest change that matters to patients)
    beyond_error: bool | None = None  # more than the MDC (measurement error); None where no MDC is known


def change(
    *,
    previous: Decimal | None,
    latest: Decimal | None,
    mcid: Decimal | None,
    higher_is_better: bool,
    mcid_percent: Decimal | None = None,
    mdc: Decimal | None = None,
) -> Change | None:
    """Compare two values. An MCID is the smallest change that matters, so a change of *at least* the MCID (or, for
    NPRS, of at least `mcid_percent` of the earlier value) is important. The MDC answers another question, whether
    the change is more than measurement error, and is reported apart."""
    if previous is None or latest is None:
        return None
    delta = latest - previous
    improved = None if delta == 0 else (delta > 0) == higher_is_better
    important = delta != 0 and mcid is not None and abs(delta) >= mcid
    if delta != 0 and mcid_percent is not None and previous > 0:
        important = important or abs(delta) * 100 >= mcid_percent * abs(previous)
    return Change(
        previous=previous,
        latest=latest,
        delta=delta,
        improved=improved,
        important=important,
        beyond_error=None if mdc is None else abs(delta) > mdc,
    )


class PackError(ValueError):
    pass


def validate_pack(data: object) -> dict:
    """Check a questionnaire pack against the measures' structure; return the cleaned pack.

    Format: {"format": PACK_FORMAT, "name": str, "licence": str, "language": str,
             "measures": {"lefs": {"title": str, "instructions": str,
                                   "items": [{"number": 1, "text": str,
                                              "options": [{"value": 0, "label": str}, ...]}, ...]}, ...}}
    A pack may carry any subset of the measures; every item of a measure it carries must be present.
    HOS options may use "value": null for "not applicable".
    """
    if not isinstance(data, dict):
        raise PackError("A questionnaire pack is a JSON object.")
    if data.get("format") != PACK_FORMAT:
        raise PackError(f'The pack must say "format": "{PACK_FORMAT}".')
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PackError("The pack needs a name.")
    measures = data.get("measures")
    if not isinstance(measures, dict) or not measures:
        raise PackError('The pack needs "measures" with at least one of: ' + ", ".join(MEASURES) + ".")
    cleaned: dict[str, dict] = {}
    for key, body in measures.items():
        measure = MEASURES.get(key)
        if measure is None:
            raise PackError(f"Unknown measure {key!r}; known: {', '.join(MEASURES)}.")
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise PackError(f"{measure.name}: needs a list of items.")
        items = {}
        for item in body["items"]:
            if not isinstance(item, dict):
                raise PackError(f"{measure.name}: every item is an object.")
            number = item.get("number")
            if not isinstance(number, int) or not 1 <= number <= measure.items:
                raise PackError(f"{measure.name}: item numbers run from 1 to {measure.items}, not {number!r}.")
            if number in items:
                raise PackError(f"{measure.name}: item {number} appears twice.")
            text = item.get("text")
            if not isinstance(text, str) or not text.strip():
                raise PackError(f"{measure.name} item {number}: the text is missing.")
            options = item.get("options")
            if not isinstance(options, list) or not options:
                raise PackError(f"{measure.name} item {number}: needs answer options.")
            clean_options = []
            for option in options:
                value = option.get("value") if isinstance(option, dict) else None
                label = option.get("label") if isinstance(option, dict) else None
                allowed_none = measure.percent_of_answered and value is None
                points = measure.item_points[number - 1]
                if not allowed_none and (not isinstance(value, int) or isinstance(value, bool) or value not in points):
                    raise PackError(
                        f"{measure.name} item {number}: option values are {describe_points(points)}, not {value!r}."
                    )
                if not isinstance(label, str) or not label.strip():
                    raise PackError(f"{measure.name} item {number}: every option needs a label.")
                clean_options.append({"value": value, "label": label.strip()})
            items[number] = {"number": number, "text": text.strip(), "options": clean_options}
        missing = sorted(set(measure.item_numbers()) - set(items))
        if missing:
            raise PackError(f"{measure.name}: items {', '.join(map(str, missing))} are missing.")
        cleaned[key] = {
            "title": str(body.get("title") or measure.name),
            "instructions": str(body.get("instructions") or ""),
            "items": [items[n] for n in measure.item_numbers()],
        }
    return {
        "format": PACK_FORMAT,
        "name": name.strip(),
        "licence": str(data.get("licence") or ""),
        "language": str(data.get("language") or "en"),
        "measures": cleaned,
    }
