"""A practitioner's read-only calendar feed (.ics) over a secret URL, so a phone calendar can follow the day.

The token is 256 random bits shown once when the link is made; only its SHA-256 is stored, so a copy of the database
opens no feed. Making a new link revokes the old one; revoking ends it. The feed carries the time and type with the
patient's initials only: a phone calendar syncs to servers outside the practice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic import audit
from clinic.selectors import get_practice

from . import access
from .calendar import patient_initials
from .front_desk_models import CalendarFeed
from .models import Appointment, Practitioner

PAST_DAYS = 14
FUTURE_DAYS = 90


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("bookings:calendar-feed", kwargs={"token": token})


def live_feed(practitioner: Practitioner) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(practitioner=practitioner, revoked_at__isnull=True).first()


def create_feed(*, practitioner: Practitioner, actor, request=None) -> str:
    """A new secret link (returned once, never stored readably); the previous link stops working."""
    access.ensure_may_manage(actor, practitioner)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.select_for_update().filter(practitioner=practitioner, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        feed = CalendarFeed.objects.create(
            practitioner=practitioner,
            token_hash=_hash(token),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            action=audit.Action.CREATE,
            request=request,
            actor=actor,
            obj=feed,
            summary=f"Calendar feed for {practitioner.display_name}",
        )
    return token


def revoke_feed(*, practitioner: Practitioner, actor, request=None) -> int:
    access.ensure_may_manage(actor, practitioner)
    with transaction.atomic():
        revoked = CalendarFeed.objects.filter(practitioner=practitioner, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit.record(
                action=audit.Action.DELETE,
                request=request,
                actor=actor,
                obj=practitioner,
                summary=f"Calendar feed revoked for {practitioner.display_name}",
            )
    return revoked


def feed_for_token(token: str) -> CalendarFeed | None:
    feed = (
        CalendarFeed.objects.select_related("practitioner")
        .filter(token_hash=_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is not None:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed


def render_feed(practitioner: Practitioner, *, now: dt.datetime | None = None) -> bytes:
    now = now or timezone.now()
    practice = get_practice()
    host = urlsplit(settings.SITE_URL).hostname or "medius.invalid"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Medius//Practitioner feed//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{practitioner.display_name} - {practice.name}")
    cal.add("x-wr-timezone", practice.time_zone)
    appointments = (
        Appointment.objects.filter(
            practitioner=practitioner,
            start__gte=now - dt.timedelta(days=PAST_DAYS),
            start__lt=now + dt.timedelta(days=FUTURE_DAYS),
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("patient", "appointment_type")
        .order_by("start")
    )
    stamp = now.astimezone(dt.UTC)
    for appointment in appointments:
        event = icalendar.Event()
        event.add("uid", f"feed-appointment-{appointment.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.start.astimezone(dt.UTC))
        event.add("dtend", appointment.end.astimezone(dt.UTC))
        event.add("sequence", appointment.sequence)
        # Initials only: no name, no notes, no reference (privacy, see module doc).
        event.add("summary", f"{appointment.appointment_type.name} · {patient_initials(appointment.patient)}")
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
