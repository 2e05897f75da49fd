"""The waiting list: entries, the offers a cancellation sends out, and claiming an offer.

When an appointment is cancelled, bookings.services queues waitlist_tasks.offer_freed_slot after the commit. Every
matching entry gets its own offer (one email each, with a private claim link). The emails are notification records
(clinic.notifications, kinds waitlist_offer and waitlist_gone), scheduled in the same transaction as the offer or the
claim that causes them and sent exactly once by clinic's dispatcher; render() below writes them at send time.

Claiming books the slot through bookings.services.create_appointment, so the no-double-booking guarantee decides who
wins: the first claim gets the appointment, later ones (and anyone still holding a link) are told it is gone. A
partial unique index allows one claimed offer per slot as a second line of defence.

Claim links are built like the appointment links (bookings.links): HMAC(SECRET_KEY, nonce) in the link, the nonce and
the token's SHA-256 in the database.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import audit, pending_tasks
from clinic import tasks as clinic_tasks
from clinic.models import Notification
from clinic.notifications import Email, Expired, Skip, register_renderer
from clinic.notifications import services as notification_services
from clinic.selectors import get_practice

from . import availability
from .availability import Rules
from .front_desk_models import WaitlistEntry, WaitlistOffer
from .models import Appointment, AppointmentType, Practitioner
from .selectors import load_schedules


class OfferGone(Exception):
    """The offer was claimed by someone else, expired, or its slot was booked meanwhile."""


# --- links ----------------------------------------------------------------------------------------------------------


def _token_for(nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"bookings.waitlist:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def claim_url(offer: WaitlistOffer) -> str:
    token = _token_for(offer.nonce)
    digest = _hash(token)
    if offer.token_hash != digest:
        # Only after a SECRET_KEY rotation (the old link is already refused): from now on this link opens the offer.
        WaitlistOffer.objects.filter(pk=offer.pk, nonce=offer.nonce).update(token_hash=digest)
        offer.token_hash = digest
    return settings.SITE_URL + reverse("bookings:waitlist-claim", kwargs={"token": token})


def offer_for_token(token: str) -> WaitlistOffer | None:
    offer = (
        WaitlistOffer.objects.select_related("entry__patient", "practitioner", "appointment_type")
        .filter(token_hash=_hash(token))
        .first()
    )
    if offer is None or not hmac.compare_digest(token, _token_for(offer.nonce)):
        return None  # unknown, or issued under a SECRET_KEY that has since been rotated
    return offer


# --- entries --------------------------------------------------------------------------------------------------------


def add_entry(
    *,
    patient,
    appointment_type: AppointmentType,
    practitioner: Practitioner | None = None,
    earliest_date: dt.date | None = None,
    latest_date: dt.date | None = None,
    weekdays: list[int] | None = None,
    time_from: dt.time | None = None,
    time_until: dt.time | None = None,
    note: str = "",
    actor=None,
    request=None,
) -> WaitlistEntry:
    if patient.is_archived:
        raise ValidationError({"patient": [_("This patient's record is archived.")]})
    if earliest_date and latest_date and latest_date < earliest_date:
        raise ValidationError({"latest_date": [_("The end date must not be before the start date.")]})
    if time_from and time_until and time_until <= time_from:
        raise ValidationError({"time_until": [_("The end time must be after the start time.")]})
    if practitioner is not None and not practitioner.appointment_types.filter(pk=appointment_type.pk).exists():
        raise ValidationError({"practitioner": [_("This practitioner does not offer this appointment type.")]})
    with transaction.atomic():
        entry = WaitlistEntry.objects.create(
            patient=patient,
            appointment_type=appointment_type,
            practitioner=practitioner,
            earliest_date=earliest_date,
            latest_date=latest_date,
            weekdays=sorted({int(d) for d in weekdays or []}),
            time_from=time_from,
            time_until=time_until,
            note=note[:200],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            action=audit.Action.CREATE,
            request=request,
            actor=actor,
            obj=entry,
            patient_id=patient.pk,
            summary=f"Waiting list: {appointment_type.name}",
        )
    return entry


def remove_entry(*, entry: WaitlistEntry, actor=None, request=None) -> WaitlistEntry:
    with transaction.atomic():
        entry.status = WaitlistEntry.Status.REMOVED
        entry.save(update_fields=["status"])
        audit.record(
            action=audit.Action.CHANGE,
            request=request,
            actor=actor,
            obj=entry,
            patient_id=entry.patient_id,
            summary="Removed from the waiting list",
        )
    return entry


def waiting_entries() -> QuerySet[WaitlistEntry]:
    return (
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING)
        .select_related("patient", "appointment_type", "practitioner")
        .prefetch_related("offers")
        .order_by("created_at", "id")
    )


def _fits(entry: WaitlistEntry, start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> bool:
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = local_start.date()
    if entry.earliest_date and day < entry.earliest_date:
        return False
    if entry.latest_date and day > entry.latest_date:
        return False
    if entry.weekdays and day.weekday() not in entry.weekdays:
        return False
    if entry.time_from and local_start.time() < entry.time_from:
        return False
    return not (entry.time_until and (local_end.date() > day or local_end.time() > entry.time_until))


def matching_entries(appointment: Appointment, *, zone: ZoneInfo) -> list[WaitlistEntry]:
    """Waiting entries that would take this appointment's slot, oldest first (they have waited longest)."""
    candidates = (
        WaitlistEntry.objects.filter(
            status=WaitlistEntry.Status.WAITING,
            appointment_type_id=appointment.appointment_type_id,
            patient__is_archived=False,
        )
        .filter(Q(practitioner__isnull=True) | Q(practitioner_id=appointment.practitioner_id))
        .exclude(patient_id=appointment.patient_id)
        .exclude(patient__email="")
        .select_related("patient")
        .order_by("created_at", "id")
    )
    return [e for e in candidates if _fits(e, appointment.start, appointment.end, zone)]


# --- offers ---------------------------------------------------------------------------------------------------------


def slot_key(appointment: Appointment) -> str:
    return f"{appointment.practitioner_id}:{appointment.start.astimezone(dt.UTC):%Y%m%dT%H%M}"


def _still_free(appointment: Appointment) -> bool:
    return not Appointment.objects.filter(
        practitioner_id=appointment.practitioner_id,
        status__in=Appointment.BLOCKING_STATUSES,
        blocked_start__lt=appointment.blocked_end,
        blocked_end__gt=appointment.blocked_start,
    ).exists()


def _offerable(appointment: Appointment, *, rules: Rules, now: dt.datetime) -> bool:
    """Only a time a patient could have booked online is offered: the practice's minimum notice ahead and inside the
    practitioner's hours. A slot the front desk made out of hours (Sunday 21:30) or one starting within the hour is
    not something to email people about."""
    if appointment.start < now + rules.min_notice:
        return False
    day = availability.local_date(appointment.start, rules.zone)
    schedule = load_schedules(practitioner_ids=[appointment.practitioner_id], first=day, last=day, zone=rules.zone)[
        appointment.practitioner_id
    ]
    hours = availability.open_intervals(schedule, day - dt.timedelta(days=1), day + dt.timedelta(days=1), rules.zone)
    return any(start <= appointment.start and appointment.end <= end for start, end in hours)


def offer_freed_slot(*, appointment_id: int, now: dt.datetime | None = None) -> list[WaitlistOffer]:
    """Offer a cancelled appointment's slot to every matching waiting entry (idempotent: one offer per entry)."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_related("appointment_type", "practitioner").filter(pk=appointment_id).first()
    )
    if appointment is None or appointment.status != Appointment.Status.CANCELLED or appointment.start <= now:
        return []
    if not _still_free(appointment):
        return []
    practice = get_practice()
    zone = ZoneInfo(practice.time_zone)
    if not _offerable(appointment, rules=Rules.from_practice(practice), now=now):
        return []
    key = slot_key(appointment)
    offers = []
    with transaction.atomic():
        for entry in matching_entries(appointment, zone=zone):
            nonce = secrets.token_urlsafe(16)
            try:
                with transaction.atomic():
                    offer = WaitlistOffer.objects.create(
                        entry=entry,
                        freed_appointment=appointment,
                        slot_key=key,
                        practitioner_id=appointment.practitioner_id,
                        appointment_type_id=appointment.appointment_type_id,
                        start=appointment.start,
                        nonce=nonce,
                        token_hash=_hash(_token_for(nonce)),
                    )
            except IntegrityError:
                continue  # this entry was already offered this slot (the task ran twice)
            offers.append(offer)
            schedule_offer_email(offer)
    return offers


class _AlreadyClaimed(Exception):
    pass


def claim_offer(*, token: str, request=None, now: dt.datetime | None = None) -> Appointment:
    """Book the offered slot for the entry's patient, or raise OfferGone. The booking guarantee picks the winner.

    No row lock is held while booking: claims of one slot queue on the practitioner's lock inside
    create_appointment, and the winner marks the other offers gone; holding each loser's offer row as well would let
    the two kinds of lock wait on each other.
    """
    from . import services  # services queues this module's task, so import it late

    now = now or timezone.now()
    offer = offer_for_token(token)
    if offer is None:
        raise OfferGone(_("This link is not valid."))
    if offer.status == WaitlistOffer.Status.CLAIMED:
        return offer.appointment  # the same patient pressing the button twice
    if offer.status != WaitlistOffer.Status.OPEN:
        raise OfferGone(_("Sorry, this appointment has already been taken."))
    if offer.start <= now:
        WaitlistOffer.objects.filter(pk=offer.pk, status=WaitlistOffer.Status.OPEN).update(
            status=WaitlistOffer.Status.EXPIRED
        )
        raise OfferGone(_("Sorry, this appointment time has passed."))
    try:
        with transaction.atomic():
            # The practice itself offered this time, so the online rules (notice, hours) do not apply to the
            # patient's claim; the guarantee does: a slot booked meanwhile raises SlotUnavailable.
            appointment = services.create_appointment(
                patient=offer.entry.patient,
                practitioner=offer.practitioner,
                appointment_type=offer.appointment_type,
                start=offer.start,
                source=Appointment.Source.ONLINE,
                actor=None,
                staff_override=True,
                request=request,
                now=now,
            )
            claimed = WaitlistOffer.objects.filter(pk=offer.pk, status=WaitlistOffer.Status.OPEN).update(
                status=WaitlistOffer.Status.CLAIMED, claimed_at=now, appointment=appointment
            )
            if not claimed:
                raise _AlreadyClaimed  # rolls the appointment back
            WaitlistEntry.objects.filter(pk=offer.entry_id).update(status=WaitlistEntry.Status.BOOKED)
            others = list(
                WaitlistOffer.objects.filter(slot_key=offer.slot_key, status=WaitlistOffer.Status.OPEN)
                .exclude(pk=offer.pk)
                .select_related("entry__patient")
            )
            WaitlistOffer.objects.filter(pk__in=[o.pk for o in others]).update(
                status=WaitlistOffer.Status.GONE, gone_notified_at=now
            )
            for other in others:
                # Only the winning claim reaches this point (the booking guarantee), once, in its own transaction:
                # the "gone" messages commit with it or not at all.
                schedule_gone_email(other, due_at=now)
    except (services.BookingError, _AlreadyClaimed, IntegrityError):
        WaitlistOffer.objects.filter(pk=offer.pk, status=WaitlistOffer.Status.OPEN).update(
            status=WaitlistOffer.Status.GONE
        )
        offer.refresh_from_db()
        if offer.status == WaitlistOffer.Status.CLAIMED:
            return offer.appointment
        raise OfferGone(_("Sorry, this appointment has already been taken.")) from None
    return appointment


def offers_for_patient_view(offer: WaitlistOffer, zone: ZoneInfo) -> dict:
    return {
        "offer": offer,
        "patient": offer.entry.patient,
        "local_start": offer.start.astimezone(zone),
        "local_end": (offer.start + dt.timedelta(minutes=offer.appointment_type.duration_minutes)).astimezone(zone),
    }


# --- emails (notification records) ---------------------------------------------------------------------------------

SUBJECT_TYPE = "bookings.waitlistoffer"
Kind = Notification.Kind


def _schedule(offer: WaitlistOffer, kind: str, *, due_at: dt.datetime) -> None:
    """One email about the offer. `due_at` is part of the record's identity, so callers pass a time fixed by the
    offer itself (its creation, the claim that took it): scheduling again finds the same row, never a second one."""
    patient = offer.entry.patient
    if not patient.email:
        return
    local = offer.start.astimezone(ZoneInfo(get_practice().time_zone))
    notification, created = notification_services.schedule(
        subject_type=SUBJECT_TYPE,
        subject_id=offer.pk,
        kind=kind,
        channel=Notification.Channel.EMAIL,
        recipient=patient.email,
        due_at=due_at,
        subject_label=f"{_('Waiting list')} {local:%Y-%m-%d %H:%M}"[:100],
        patient_id=patient.pk,
    )
    if created:
        pending_tasks.enqueue(clinic_tasks.send_notification, notification.pk)


def schedule_offer_email(offer: WaitlistOffer) -> None:
    _schedule(offer, Kind.WAITLIST_OFFER, due_at=offer.created_at)


def schedule_gone_email(offer: WaitlistOffer, *, due_at: dt.datetime) -> None:
    _schedule(offer, Kind.WAITLIST_GONE, due_at=due_at)


def render(notification: Notification) -> Email:
    """The offer or "gone" email as it must read now, or Skip with the reason the outbox shows.

    Consent as before: the patient asked the practice to offer them an earlier time, so an address is enough (the
    waiting list itself is their request). The claim link is derived again from the offer's nonce (HMAC with
    SECRET_KEY), so no token is stored with the message.
    """
    offer = _offer_with_details(notification.subject_id)
    if offer is None:
        raise Skip(_("The waiting-list offer no longer exists."))
    patient = offer.entry.patient
    if not patient.email:
        raise Skip(_("The patient has no email address."))
    zone = ZoneInfo(get_practice().time_zone)
    context = offers_for_patient_view(offer, zone)
    if notification.kind == Kind.WAITLIST_OFFER:
        if offer.status != WaitlistOffer.Status.OPEN:
            raise Skip(_("The offered time was taken or has expired before the offer was sent."))
        if offer.start <= timezone.now():
            raise Expired(_("The offered time has passed."))
        context["claim_url"] = claim_url(offer)
        return Email.from_template("bookings/emails/waitlist_offer", context, to=patient.email)
    if offer.status != WaitlistOffer.Status.GONE:
        raise Skip(_("The offer is no longer marked as taken by someone else."))
    offered = Notification.objects.filter(
        subject_type=SUBJECT_TYPE,
        subject_id=notification.subject_id,
        kind=Kind.WAITLIST_OFFER,
        status=Notification.Status.SENT,
    )
    if not offered.exists():
        raise Skip(_("The offer itself was never sent."))
    return Email.from_template("bookings/emails/waitlist_gone", context, to=patient.email)


def _offer_with_details(offer_id: str) -> WaitlistOffer | None:
    if not str(offer_id).isdigit():
        return None
    return (
        WaitlistOffer.objects.select_related("entry__patient", "practitioner", "appointment_type")
        .filter(pk=int(offer_id))
        .first()
    )


def register() -> None:
    for kind in (Kind.WAITLIST_OFFER, Kind.WAITLIST_GONE):
        register_renderer(subject_type=SUBJECT_TYPE, kind=kind, renderer=render)
