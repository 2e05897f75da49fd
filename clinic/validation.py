"""One input policy for every form, API body, query string and filter.

- Text never carries a NUL character (PostgreSQL cannot store it) or a lone surrogate (no UTF-8 encoding exists for
  it, so the answer that repeats it could not be written). Both are refused with a 400 that names the field.
- Ids and whole numbers are ASCII digits only ("²" and "٣" pass str.isdigit() but are not ids) and must fit the
  database's 64-bit integer, checked before a query or an audit row sees them.
- Dates lie between MIN_DATE and MAX_DATE: no clinic books, assesses or is born outside them, and date arithmetic near
  year 1 or 9999 overflows.

Messages name the rule and never repeat the refused input.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
MAX_ID = 2**63 - 1  # PostgreSQL bigint, the type of every primary key (DEFAULT_AUTO_FIELD) and id column

BAD_TEXT_MESSAGE = _("Text cannot contain NUL characters or unpaired surrogate code points.")
BAD_ID_MESSAGE = format_lazy(_("An id is a whole number from 1 to {max}."), max=MAX_ID)
DATE_RANGE_MESSAGE = format_lazy(_("Give a date between {first} and {last}."), first=MIN_DATE, last=MAX_DATE)

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_ID = re.compile(r"[0-9]{1,19}")


def is_clean_text(value: str) -> bool:
    return _BAD_TEXT.search(value) is None


def validate_clean_text(value) -> None:
    """A Django/DRF validator for any text field."""
    if isinstance(value, str) and not is_clean_text(value):
        raise ValidationError(BAD_TEXT_MESSAGE, code="bad_text")


def bad_text_fields(data, path: str = "") -> Iterator[str]:
    """The dotted paths ("sides.left.note", "steps.2") of every key or string in data that breaks the text rule."""
    if isinstance(data, str):
        if not is_clean_text(data):
            yield path or "non_field_errors"
    elif isinstance(data, Mapping):
        repeated = callable(getattr(data, "lists", None))  # a QueryDict: every value of a repeated key counts
        for key, value in data.lists() if repeated else data.items():
            name = key if isinstance(key, str) else str(key)
            where = f"{path}.{name}" if path else name
            if not is_clean_text(name):
                yield path or "non_field_errors"  # the key itself is bad: name its parent, never the key
            elif repeated:
                if not all(is_clean_text(item) for item in value):
                    yield where  # ?status=a&status=b: the parameter, not its position
            else:
                yield from bad_text_fields(value, where)
    elif isinstance(data, Iterable) and not isinstance(data, bytes | bytearray):
        for index, value in enumerate(data):
            yield from bad_text_fields(value, f"{path}.{index}" if path else str(index))


def bad_text_errors(data) -> dict[str, list[str]]:
    """{"field": [message]} for each field that breaks the text rule (empty when all is well)."""
    return {field: [str(BAD_TEXT_MESSAGE)] for field in dict.fromkeys(bad_text_fields(data))}


def parse_id(value: str | int | None) -> int | None:
    """A strictly parsed id: ASCII digits, 1..MAX_ID. Raises ValidationError otherwise; None/"" give None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError(BAD_ID_MESSAGE, code="invalid_id")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ID.fullmatch(value):
        number = int(value)
    else:
        raise ValidationError(BAD_ID_MESSAGE, code="invalid_id")
    if not 1 <= number <= MAX_ID:
        raise ValidationError(BAD_ID_MESSAGE, code="invalid_id")
    return number


def validate_date_in_range(value: dt.date | dt.datetime) -> None:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_out_of_range")


MAX_WHOLE_NUMBER_MESSAGE = format_lazy(_("Give a whole number between -{max} and {max}."), max=MAX_ID)


def validate_whole_number_range(value) -> None:
    """No whole number the API or a form takes may overflow PostgreSQL's bigint on its way to a query."""
    if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
        raise ValidationError(MAX_WHOLE_NUMBER_MESSAGE, code="number_out_of_range")


def install_field_bounds() -> None:
    """Give every form, filter and serializer date and whole-number field its bounds: called once at start-up
    (clinic.apps), so a field declared anywhere, including django-filter's, cannot miss them."""
    from django import forms
    from rest_framework import serializers

    for field in (forms.DateField, forms.DateTimeField, serializers.DateField, serializers.DateTimeField):
        if validate_date_in_range not in field.default_validators:
            field.default_validators = [*field.default_validators, validate_date_in_range]
    for field in (forms.IntegerField, serializers.IntegerField):
        if validate_whole_number_range not in field.default_validators:
            field.default_validators = [*field.default_validators, validate_whole_number_range]
