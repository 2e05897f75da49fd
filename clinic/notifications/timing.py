"""When a message may go: SMS quiet hours (clinic time), retry backoff, and when it is too late to go at all."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from clinic.models import Practice


def _time(value) -> dt.time:
    # A Practice created in this process still holds the field default as a string until it is reloaded.
    return dt.time.fromisoformat(value) if isinstance(value, str) else value


def quiet_until(moment: dt.datetime, practice: Practice) -> dt.datetime | None:
    """The end of the SMS quiet hours if `moment` falls inside them, else None.

    Quiet hours are wall-clock times in the practice's zone and may span midnight (21:00 to 08:00 by default); equal
    start and end mean no quiet hours.
    """
    start, end = _time(practice.sms_quiet_start), _time(practice.sms_quiet_end)
    if start == end:
        return None
    zone = ZoneInfo(practice.time_zone)
    local = moment.astimezone(zone)
    now = local.time()
    if start < end:
        if not (start <= now < end):
            return None
        day = local.date()
    else:
        if end <= now < start:
            return None
        day = local.date() + dt.timedelta(days=1) if now >= start else local.date()
    return dt.datetime.combine(day, end, tzinfo=zone)


def sms_send_time(moment: dt.datetime, practice: Practice) -> dt.datetime:
    return quiet_until(moment, practice) or moment


def backoff(attempts: int) -> dt.timedelta:
    """Wait before retry number `attempts`: the first retry after NOTIFICATIONS_RETRY_SECONDS, doubling, at most 1 h."""
    seconds = settings.NOTIFICATIONS_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, 3600))


def stale_after(kind: str) -> dt.timedelta:
    """How late a message may still go. A reminder hours late is noise (or arrives after the visit); confirmations,
    changes, offers and notices stay useful longer. Measured from the time it was due to go (next_attempt_at: the due
    time, or the end of SMS quiet hours, or the retry time the dispatcher chose)."""
    if kind == "reminder":
        return dt.timedelta(hours=settings.NOTIFICATIONS_REMINDER_STALE_HOURS)
    return dt.timedelta(hours=settings.NOTIFICATIONS_STALE_HOURS)
