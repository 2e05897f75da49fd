"""Public booking pages (/book/) and the staff panel on the patient page.

The booking pages are plain links and forms (GET for choosing, POST for booking), so they work without JavaScript
and every step has a URL the back button understands.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import secrets
from functools import wraps
from types import SimpleNamespace
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import audit
from clinic.permissions import PATIENTS_VIEW, public, require
from patients import selectors as patient_selectors

from . import availability, emails, links, selectors, services
from .api import PublicWriteThrottle
from .availability import Problem, Rules
from .forms import CancelForm, ChooseForm, DetailsForm
from .models import Appointment, AppointmentType, Practitioner
from .services import BookingError, DuplicateBooking, InvalidBooking, PatientDetails, Replay, SlotUnavailable


def throttled_post(view):
    """Public POSTs from the pages share the API's per-client limit (scope "public_write"): 429 when exceeded."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            throttle = PublicWriteThrottle()
            if not throttle.allow_request(request, SimpleNamespace(throttle_scope="public_write")):
                response = render(request, "bookings/too_many.html", status=429)
                response["Retry-After"] = str(int(throttle.wait() or 60))
                return response
        return view(request, *args, **kwargs)

    return wrapped


START_PROBLEMS = {Problem.PAST, Problem.OFF_STEP, Problem.NOTICE, Problem.HORIZON, Problem.OUTSIDE_HOURS, Problem.BUSY}


def _parse_start(value: str | None) -> dt.datetime | None:
    try:
        start = dt.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return start if start.tzinfo is not None else None


def zone_note(practice, now: dt.datetime | None = None) -> str:
    """The clinic's time zone in words: "Times are London time (Europe/London, now GMT)."."""
    zone = ZoneInfo(practice.time_zone)
    city = practice.time_zone.rsplit("/", 1)[-1].replace("_", " ")
    abbreviation = (now or timezone.now()).astimezone(zone).tzname()
    return _("Times are %(city)s time (%(zone)s, now %(abbreviation)s).") % {
        "city": city,
        "zone": practice.time_zone,
        "abbreviation": abbreviation,
    }


def _booking_facts(practice) -> dict:
    return {"zone_note": zone_note(practice), "cutoff_hours": practice.cancellation_cutoff_hours}


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


def _month_calendar(
    *, request, rules: Rules, now: dt.datetime, load_slots, query: dict, base_url: str, anchor: str = ""
) -> dict:
    """A month of days (those with room are links), the chosen day and its free times.

    A day's link ends in #anchor, the heading of its times, so the page opens there (and keyboard focus starts
    there) instead of at the top."""
    today = availability.local_date(now, rules.zone)
    last_day = today + dt.timedelta(days=rules.horizon_days)
    chosen_day = _parse_date(request.GET.get("day"))
    if chosen_day is not None and not (today <= chosen_day <= last_day):
        chosen_day = None
    month = _parse_date((request.GET.get("month") or "") + "-01")
    if month is None:
        month = (chosen_day or today).replace(day=1)
    month = max(month, today.replace(day=1))
    month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    first, last = max(month, today), min(month_end, last_day)
    slots = load_slots(first, last) if first <= last else []
    room = selectors.days_with_room(slots, rules.zone)

    def url(**extra) -> str:
        return f"{base_url}?{urlencode({**query, **extra})}"

    weeks = [
        [
            {
                "date": day,
                "in_month": day.month == month.month,
                "free": room.get(day, 0),
                "url": url(month=f"{month:%Y-%m}", day=day.isoformat()) + (f"#{anchor}" if anchor else ""),
                "chosen": day == chosen_day,
            }
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    ]
    previous_month = (month - dt.timedelta(days=1)).replace(day=1)
    next_month = month_end + dt.timedelta(days=1)
    times: list[dict] = []
    if chosen_day is not None:
        seen = set()
        for slot in slots:
            if availability.local_date(slot.start, rules.zone) == chosen_day and slot.start not in seen:
                seen.add(slot.start)
                times.append({"start": slot.start.astimezone(rules.zone), "practitioner_id": slot.practitioner_id})
    return {
        "month": month,
        "weeks": weeks,
        "weekday_names": [calendar.day_abbr[i] for i in range(7)],
        "previous_url": url(month=f"{previous_month:%Y-%m}") if previous_month >= today.replace(day=1) else None,
        "next_url": url(month=f"{next_month:%Y-%m}") if next_month <= last_day else None,
        "chosen_day": chosen_day,
        "times": times,
        "any_room": bool(room),
    }


@public
def book(request):
    types = selectors.offered_online_types()
    practitioners = list(selectors.online_practitioners())
    form = ChooseForm(request.GET or None, types=types, practitioners=practitioners, currency=request.practice.currency)
    context: dict = {"form": form, "practitioners": practitioners, **_booking_facts(request.practice)}
    if request.GET and form.is_valid():
        appointment_type: AppointmentType = form.cleaned_data["type"]
        practitioner_id = form.cleaned_data["practitioner"]
        practitioner = next((p for p in practitioners if p.pk == practitioner_id), None)
        if practitioner is not None and appointment_type.pk not in {t.pk for t in practitioner.online_types}:
            form.add_error("practitioner", _("%(name)s does not offer this appointment type.") % {"name": practitioner})
        else:
            rules = Rules.from_practice(request.practice)
            query = {"type": appointment_type.pk, "practitioner": practitioner_id or ""}
            context.update(
                appointment_type=appointment_type,
                practitioner=practitioner,
                query=query,
                cal=_month_calendar(
                    request=request,
                    rules=rules,
                    now=timezone.now(),
                    load_slots=lambda first, last: selectors.available_slots(
                        appointment_type=appointment_type,
                        first=first,
                        last=last,
                        practitioner_id=practitioner_id,
                        practice=request.practice,
                    ),
                    query=query,
                    base_url=reverse("bookings:book"),
                    anchor="times-heading",
                ),
            )
    return render(request, "bookings/book.html", context)


def _choice(request) -> tuple[AppointmentType, Practitioner | None]:
    params = request.POST if request.method == "POST" else request.GET
    try:
        type_id = int(params.get("type", ""))
        practitioner_id = int(params["practitioner"]) if params.get("practitioner") else None
    except ValueError:
        raise Http404 from None
    appointment_type = selectors.online_appointment_types().filter(pk=type_id).first()
    if appointment_type is None:
        raise Http404
    practitioner = None
    if practitioner_id is not None:
        practitioner = selectors.online_practitioners().filter(pk=practitioner_id).first()
        if practitioner is None:
            raise Http404
    return appointment_type, practitioner


def _alternatives(appointment_type, practitioner, wanted: dt.datetime, practice) -> list[dict]:
    """The free times nearest to the one that went (three days either side)."""
    rules = Rules.from_practice(practice)
    day = availability.local_date(wanted, rules.zone)
    slots = selectors.available_slots(
        appointment_type=appointment_type,
        first=day - dt.timedelta(days=3),
        last=day + dt.timedelta(days=3),
        practitioner_id=practitioner.pk if practitioner else None,
        practice=practice,
    )
    return [
        {"start": s.start.astimezone(rules.zone), "value": s.start.isoformat()}
        for s in availability.nearest(slots, wanted)
    ]


@public
@throttled_post
def book_details(request):
    appointment_type, practitioner = _choice(request)
    params = request.POST if request.method == "POST" else request.GET
    start = _parse_start(params.get("start"))
    if start is None:
        messages.error(request, _("Please choose a time."))
        return redirect(f"{reverse('bookings:book')}?{urlencode({'type': appointment_type.pk})}")
    form = DetailsForm(request.POST or None, initial={"submission": secrets.token_urlsafe(16)})
    # The session cookie is what ties a form's token to this browser (see _submission_key).
    request.session.setdefault("booking_form", True)
    problem = ""
    alternatives: list[dict] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.book_online(
                appointment_type_id=appointment_type.pk,
                practitioner_id=practitioner.pk if practitioner else None,
                start=start,
                patient=PatientDetails(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    phone=str(data["phone"]),
                    date_of_birth=data["date_of_birth"],
                ),
                notes=data["notes"],
                request=request,
                practice=request.practice,
                idempotency_key=_submission_key(request, data["submission"]),
                request_hash="booking page",
            )
        except DuplicateBooking as exc:
            form.add_error(None, exc.detail)
            status = exc.http_status
        except (SlotUnavailable, InvalidBooking) as exc:
            if isinstance(exc, SlotUnavailable) or exc.problem in START_PROBLEMS or "start" in exc.errors:
                # Keep everything they typed; offer the nearest free times in the same form.
                problem = exc.detail
                alternatives = _alternatives(appointment_type, practitioner, start, request.practice)
            else:
                for field, errors in (exc.errors.get("patient") or {"__all__": [exc.detail]}).items():
                    form.add_error(field if field in form.fields else None, errors)
        else:
            # A repeat of the same form (double tap, Back then Confirm) lands on the first booking's page.
            appointment = result.appointment if isinstance(result, Replay) else result
            messages.success(
                request,
                _("You are booked in. We have emailed your confirmation to %(email)s.") % {"email": data["email"]},
            )
            return redirect(links.path_for(appointment))
    return render(
        request,
        "bookings/details.html",
        {
            "appointment_type": appointment_type,
            "practitioner": practitioner,
            "start": start.astimezone(Rules.from_practice(request.practice).zone),
            "start_value": start.isoformat(),
            "form": form,
            "problem": problem,
            "alternatives": alternatives,
            **_booking_facts(request.practice),
        },
        status=409 if problem else status,
    )


def _submission_key(request, token: str) -> str:
    """The idempotency key of one details form: its random token, bound to the browser's session.

    Only the hash is stored, so the key in the database cannot be replayed from another browser.
    """
    if not token:
        return ""
    return "page:" + hashlib.sha256(f"{request.session.session_key or ''}:{token}".encode()).hexdigest()


def _managed_or_404(request, token: str) -> Appointment:
    appointment = selectors.appointment_for_token(token)
    if appointment is None:
        raise Http404(_("This link is not valid or has expired."))
    return appointment


def _can_change(appointment: Appointment, practice) -> bool:
    cutoff = dt.timedelta(hours=practice.cancellation_cutoff_hours)
    return appointment.status == Appointment.Status.BOOKED and appointment.start - timezone.now() >= cutoff


@public
def manage(request, token: str):
    appointment = selectors.appointment_for_token(token)
    if appointment is None:
        return render(request, "bookings/link_invalid.html", status=404)
    practice = request.practice
    rules = Rules.from_practice(practice)
    can_change = _can_change(appointment, practice)
    context = {
        "appointment": appointment,
        "can_change": can_change,
        "cutoff_hours": practice.cancellation_cutoff_hours,
        "cancel_form": CancelForm(),
        "token": token,
        **_booking_facts(practice),
    }
    if can_change:
        context["cal"] = _month_calendar(
            request=request,
            rules=rules,
            now=timezone.now(),
            load_slots=lambda first, last: selectors.available_slots(
                appointment_type=appointment.appointment_type,
                first=first,
                last=last,
                practitioner_id=appointment.practitioner_id,
                practice=practice,
                exclude_appointment_id=appointment.pk,
            ),
            query={},
            base_url=request.path,
            anchor="new-times",
        )
    return render(request, "bookings/manage.html", context)


@public
def manage_calendar(request, token: str):
    """ "Add to calendar": the appointment as an .ics file, from the private link (the same event as the emails')."""
    appointment = _managed_or_404(request, token)
    if appointment.status != Appointment.Status.BOOKED:
        raise Http404(_("This appointment is not booked."))
    response = HttpResponse(
        emails.ics(appointment, practice=request.practice), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.reference}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def _confirm_page(request, token: str, appointment: Appointment, **extra):
    zone = Rules.from_practice(request.practice).zone
    return render(
        request,
        "bookings/manage_confirm.html",
        {"appointment": appointment, "token": token, "local_start": appointment.start.astimezone(zone), **extra},
    )


@public
@throttled_post
def manage_cancel(request, token: str):
    appointment = _managed_or_404(request, token)
    if request.method == "GET":
        # A confirmation step first: a cancelled appointment cannot be taken back (its time may go to someone else).
        # The optional reason is asked for here, in the POST form, so it never travels in a URL.
        if not _can_change(appointment, request.practice):
            return redirect("bookings:manage", token=token)
        return _confirm_page(request, token, appointment, action="cancel", cancel_form=CancelForm())
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.cancel_appointment(appointment=appointment, reason=reason, request=request)
    except BookingError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Your appointment is cancelled. We have emailed you to confirm."))
    return redirect("bookings:manage", token=token)


@public
@throttled_post
def manage_reschedule(request, token: str):
    appointment = _managed_or_404(request, token)
    params = request.POST if request.method == "POST" else request.GET
    start = _parse_start(params.get("start"))
    if start is None:
        messages.error(request, _("Please choose a new time."))
        return redirect("bookings:manage", token=token)
    if request.method == "GET":
        if not _can_change(appointment, request.practice):
            return redirect("bookings:manage", token=token)
        zone = Rules.from_practice(request.practice).zone
        return _confirm_page(
            request,
            token,
            appointment,
            action="move",
            new_start=start.astimezone(zone),
            start_value=start.isoformat(),
            back_day=availability.local_date(start, zone).isoformat(),
        )
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        services.move_appointment(appointment=appointment, start=start, request=request)
    except BookingError as exc:
        messages.error(request, exc.detail)
        day = availability.local_date(start, Rules.from_practice(request.practice).zone)
        return redirect(f"{reverse('bookings:manage', kwargs={'token': token})}?day={day.isoformat()}")
    messages.success(request, _("Your appointment has been moved. We have emailed you the new time."))
    return redirect("bookings:manage", token=token)


@require(PATIENTS_VIEW)
def patient_panel(request, pk: int):
    try:
        patient = patient_selectors.get_patient(pk)
    except ObjectDoesNotExist:
        raise Http404 from None
    audit.record(
        action=audit.Action.VIEW, request=request, obj=patient, patient_id=patient.pk, summary="Viewed appointments"
    )
    return render(request, "bookings/patient_panel.html", {"patient": patient, **selectors.patient_appointments(pk)})
