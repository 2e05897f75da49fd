"""A dose in plain words, the way a patient reads it on the sheet: "3 sets of 15, each side, once a day"."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    EACH = "each", _("each side")
    BOTH = "both", _("both legs together")
    LEFT = "left", _("left side only")
    RIGHT = "right", _("right side only")
    EACH_WAY = "each_way", _("each way")


class Frequency(models.TextChoices):
    DAILY = "daily", _("once a day")
    TWICE_DAILY = "twice_daily", _("twice a day")
    ALTERNATE = "alternate", _("every other day")
    THREE_WEEKLY = "three_weekly", _("3 times a week")
    TWICE_WEEKLY = "twice_weekly", _("twice a week")


def describe_dose(
    *, sets: int, reps: int | None, hold_seconds: int | None, side: str, frequency: str, load: str = ""
) -> str:
    """ "3 sets of 15, each side, once a day"; "5 sets of 30-second holds, each side, twice a day"."""
    if reps and hold_seconds:
        # Reps with a pause at the top (hip hitch: 12 lifts, each held 2 s).
        amount = ngettext(
            "%(sets)d set of %(reps)d with a %(hold)d-second hold",
            "%(sets)d sets of %(reps)d with a %(hold)d-second hold",
            sets,
        ) % {"sets": sets, "reps": reps, "hold": hold_seconds}
    elif hold_seconds:
        amount = ngettext("%(sets)d hold of %(hold)d seconds", "%(sets)d sets of %(hold)d-second holds", sets) % {
            "sets": sets,
            "hold": hold_seconds,
        }
    elif side == Side.EACH_WAY:
        # Walking sideways (band walk): the repetitions are steps, and the sheet says so.
        amount = ngettext("%(sets)d set of %(reps)d steps", "%(sets)d sets of %(reps)d steps", sets) % {
            "sets": sets,
            "reps": reps or 0,
        }
    else:
        amount = ngettext("%(sets)d set of %(reps)d", "%(sets)d sets of %(reps)d", sets) % {
            "sets": sets,
            "reps": reps or 0,
        }
    parts = [amount]
    if load:
        parts[0] = gettext("%(amount)s with %(load)s") % {"amount": amount, "load": load}
    parts.append(str(Side(side).label) if side in Side.values else side)
    parts.append(str(Frequency(frequency).label) if frequency in Frequency.values else frequency)
    return ", ".join(parts)
