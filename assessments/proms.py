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
    item_max: tuple[int, ...]  # the highest answer value of item 1, 2, ...; the lowest is always 0
    total_max: int
    mcid: Decimal
    higher_is_better: bool
    # HOS scores the answered items only ("not applicable" is left out); LEFS and AKPS need every item.
    percent_of_answered: bool = False
    unit: str = ""

    @property
    def items(self) -> int:
        return len(self.item_max)

    def item_numbers(self) -> range:
        return range(1, self.items + 1)


# AKPS item maxima follow the published scoring (they add up to 100); LEFS 20 x 0-4; HOS ADL 17 and Sports 9 x 0-4.
MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("lefs", "LEFS", (4,) * 20, 80, Decimal(9), True),
        Measure("akps", "AKPS (Kujala)", (5, 5, 5, 10, 5, 10, 10, 10, 10, 10, 10, 5, 5), 100, Decimal(10), True),
        Measure("hos_adl", "HOS ADL", (4,) * 17, 100, Decimal(9), True, percent_of_answered=True, unit="%"),
        Measure("hos_sports", "HOS Sports", (4,) * 9, 100, Decimal(6), True, percent_of_answered=True, unit="%"),
    )
}

# NPRS needs no wording licence and is recorded as three numbers on the assessment (now, worst 24 h, running).
# MCID 2 points (DOMAIN.md; 1.16 has been reported in patellofemoral pain, Piva 2009): we use the general figure.
NPRS_MCID = Decimal(2)


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
        top = measure.item_max[int(key) - 1]
        if not 0 <= number <= top:
            errors[key] = _("Answers to this item are 0-%(top)s.") % {"top": top}
            continue
        cleaned[key] = number
    if errors:
        raise AnswerError(errors)
    return {str(n): cleaned.get(str(n)) for n in measure.item_numbers()}


def answered(answers: Mapping) -> int:
    return sum(1 for v in answers.values() if v is not None)


def total(measure: Measure, answers: Mapping) -> Decimal | None:
    """The score, or None while incomplete (LEFS/AKPS need every item; HOS needs at least one answered item)."""
    values = [answers.get(str(n)) for n in measure.item_numbers()]
    given = [v for v in values if v is not None]
    if measure.percent_of_answered:
        if not given:
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
    real: bool  # larger than the MCID


def change(*, previous: Decimal | None, latest: Decimal | None, mcid: Decimal, higher_is_better: bool) -> Change | None:
    """A change larger than the MCID (strictly, as the issue states it) is marked as real."""
    if previous is None or latest is None:
        return None
    delta = latest - previous
    improved = None if delta == 0 else (delta > 0) == higher_is_better
    return Change(previous=previous, latest=latest, delta=delta, improved=improved, real=abs(delta) > mcid)


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
                if not allowed_none and (not isinstance(value, int) or not 0 <= value <= measure.item_max[number - 1]):
                    raise PackError(
                        f"{measure.name} item {number}: option values are 0-{measure.item_max[number - 1]}, "
                        f"not {value!r}."
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
