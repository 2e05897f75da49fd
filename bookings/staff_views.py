"""Front-desk pages: the calendar, booking and changing appointments, schedules, types, the waiting list, the day
list and the practitioner's calendar feed. Thin views: a form checks the shape, bookings.services (and
bookings.schedules / waitlist / feeds) apply the rules.

Panels open in the calendar's side column through htmx (static/js/calendar.js); every one is also a full page, so the
calendar works without JavaScript (drag and drop has the move form as its fallback).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clinic import audit
from clinic.forms import add_service_errors
from clinic.permissions import BOOKINGS_MANAGE, PATIENTS_VIEW, SCHEDULES_MANAGE, public, require
from patients import selectors as patient_selectors
from patients import services as patient_services

from . import access, calendar_html, feeds, schedules, series, services, waitlist
from . import calendar as cal
from .front_desk_models import WaitlistEntry
from .models import Appointment, AppointmentChange, AppointmentType, ExtraHours, Practitioner, TimeOff, WorkingHours
from .staff_forms import (
    AppointmentTypeForm,
    BookForm,
    CancelForm,
    ExtraHoursForm,
    MoveForm,
    StatusForm,
    TimeOffForm,
    WaitlistForm,
    WeeklyHoursFormSet,
)


def _zone(request) -> ZoneInfo:
    return ZoneInfo(request.practice.time_zone)


def _day(request, zone: ZoneInfo) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.now().astimezone(zone).date()


def day_url(day: dt.date, **params) -> str:
    return reverse("bookings:calendar-day") + "?" + urlencode({"date": day.isoformat(), **params}, doseq=True)


def _done(request, url: str, message: str = ""):
    """After a change: htmx reloads the whole calendar (the grid changed), a plain form post redirects."""
    if message:
        messages.success(request, message)
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _template(request, partial: str, page: str) -> str:
    return partial if request.htmx else page


# --- the calendar ---------------------------------------------------------------------------------------------------


@require(BOOKINGS_MANAGE)
def calendar_day(request):
    zone = _zone(request)
    day = _day(request, zone)
    practitioners = list(cal.calendar_practitioners())
    chosen = {int(p) for p in request.GET.getlist("p") if p.isdigit()}
    shown = [p for p in practitioners if p.pk in chosen] or practitioners
    show_cancelled = request.GET.get("cancelled") == "1"
    grid = cal.build_grid(
        practitioners=shown,
        days=[day],
        zone=zone,
        step=request.practice.slot_step_minutes,
        now=timezone.now(),
        may_manage=_may_manage_ids(request.user, practitioners),
        show_cancelled=show_cancelled,
    )
    calendar_html.attach_markup(grid)
    audit.record_shown(
        request=request, patient_ids=grid.patient_ids(), object_type="bookings.appointment", summary="Day calendar"
    )
    keep = {"p": sorted(chosen)} if chosen else {}
    if show_cancelled:
        keep["cancelled"] = "1"
    return render(
        request,
        "bookings/staff/calendar_day.html",
        {
            "grid": grid,
            "day": day,
            "today": timezone.now().astimezone(zone).date(),
            "prev_url": day_url(day - dt.timedelta(days=1), **keep),
            "next_url": day_url(day + dt.timedelta(days=1), **keep),
            "today_url": day_url(timezone.now().astimezone(zone).date(), **keep),
            "practitioners": practitioners,
            "chosen": {p.pk for p in shown},
            "show_cancelled": show_cancelled,
            "book_url": reverse("bookings:calendar-book"),
            "changes_url": _changes_url(day, timezone.now()),
        },
    )


def _changes_url(day: dt.date, since: dt.datetime) -> str:
    return reverse("bookings:calendar-changes") + "?" + urlencode({"date": day.isoformat(), "since": since.isoformat()})


@require(BOOKINGS_MANAGE)
def calendar_changes(request):
    """Polled by the day view every 20 seconds: 204 when nothing on that day changed since `since`; otherwise a quiet
    notice (times and practitioners, no patient names) that also tells the page to redraw its grid."""
    zone = _zone(request)
    day = _day(request, zone)
    try:
        since = dt.datetime.fromisoformat(request.GET.get("since", ""))
    except ValueError:
        since = None
    if since is None or timezone.is_naive(since):
        return HttpResponse(status=400)
    changes = cal.changes_since(day=day, zone=zone, since=since)
    if not changes:
        return HttpResponse(status=204)
    newest = max(c.at for c in changes)
    response = render(
        request, "bookings/staff/_changes.html", {"changes": changes, "changes_url": _changes_url(day, newest)}
    )
    response["HX-Trigger"] = "calendar-changed"
    return response


def _may_manage_ids(user, practitioners):
    allowed = {p.pk for p in practitioners if access.may_manage(user, p)}
    return lambda pk: pk in allowed


@require(BOOKINGS_MANAGE)
def calendar_week(request, practitioner_id: int):
    practitioner = get_object_or_404(Practitioner, pk=practitioner_id)
    zone = _zone(request)
    day = _day(request, zone)
    days = cal.week_days(day)
    grid = cal.build_grid(
        practitioners=[practitioner],
        days=days,
        zone=zone,
        step=request.practice.slot_step_minutes,
        now=timezone.now(),
        may_manage=_may_manage_ids(request.user, [practitioner]),
    )
    calendar_html.attach_markup(grid, week=True)
    audit.record_shown(
        request=request, patient_ids=grid.patient_ids(), object_type="bookings.appointment", summary="Week calendar"
    )
    base = reverse("bookings:calendar-week", kwargs={"practitioner_id": practitioner.pk})
    return render(
        request,
        "bookings/staff/calendar_week.html",
        {
            "grid": grid,
            "day": day,
            "practitioner": practitioner,
            "practitioners": list(cal.calendar_practitioners()),
            "prev_url": f"{base}?date={(days[0] - dt.timedelta(days=7)).isoformat()}",
            "next_url": f"{base}?date={(days[0] + dt.timedelta(days=7)).isoformat()}",
            "today_url": base,
            "book_url": reverse("bookings:calendar-book"),
        },
    )


# --- booking --------------------------------------------------------------------------------------------------------


# What a refused change shows: the services' rule (400/409), or bookings.access (403: not your diary). Caught here so
# the message appears in the panel that was submitted instead of replacing the page.
REFUSED = (services.BookingError, PermissionDenied)


def _refusal(exc: Exception) -> tuple[str, str, int]:
    if isinstance(exc, PermissionDenied):
        return "forbidden", str(exc) or _("You cannot change this appointment."), 403
    return exc.code, exc.detail, exc.http_status


@require(BOOKINGS_MANAGE)
def book(request):
    initial = {}
    preselected = None
    if request.method == "GET":
        initial = {k: request.GET[k] for k in ("practitioner", "start", "appointment_type") if request.GET.get(k)}
        # "Book again" and "Book an appointment" on the patient's page arrive with the patient chosen.
        if request.GET.get("patient", "").isdigit():
            preselected = patient_selectors.search_patients(q="").filter(pk=int(request.GET["patient"])).first()
    form = BookForm(request.POST or None, initial=initial)
    warning = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start = data["start"]
        warning = cal.rule_warning(
            practitioner_id=data["practitioner"].pk, appointment_type=data["appointment_type"], start=start
        )
        if warning and not data["confirm_outside_rules"]:
            form.add_error(
                "confirm_outside_rules", _("%(warning)s Tick the box to book anyway.") % {"warning": warning}
            )
            status = 400
        else:
            try:
                appointment, repeated = _book(request, form)
            except REFUSED as exc:
                _code, detail, status = _refusal(exc)
                form.add_error(None, detail)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    name = f"new_{field}"
                    form.add_error(name if name in form.fields else None, errors)
                status = 400
            else:
                zone = _zone(request)
                if repeated is not None:
                    _series_messages(request, repeated)
                    return _done(request, day_url(appointment.start.astimezone(zone).date()))
                return _done(
                    request,
                    day_url(appointment.start.astimezone(zone).date()),
                    _("Booked %(patient)s with %(practitioner)s at %(time)s.")
                    % {
                        "patient": appointment.patient.full_name,
                        "practitioner": appointment.practitioner.display_name,
                        "time": f"{appointment.start.astimezone(zone):%H:%M}",
                    },
                )
    elif request.method == "POST":
        status = 400
    patient = form.cleaned_data.get("patient") if form.is_bound and hasattr(form, "cleaned_data") else preselected
    if patient is not None and not form.is_bound:
        audit.record(
            action=audit.Action.VIEW, request=request, obj=patient, patient_id=patient.pk, summary="Booking form"
        )
    return render(
        request,
        _template(request, "bookings/staff/_book_form.html", "bookings/staff/book.html"),
        {
            "form": form,
            "warning": warning,
            "chosen_patient": patient,
            "chosen_patient_list": [patient] if patient else [],
        },
        status=status,
    )


def _series_messages(request, result: series.SeriesResult) -> None:
    messages.success(
        request,
        _("Booked %(count)d weekly appointments for %(patient)s.")
        % {"count": len(result.booked), "patient": result.booked[0].patient.full_name},
    )
    if result.skipped:
        messages.warning(
            request,
            _("Not booked (clash): %(list)s.")
            % {"list": "; ".join(f"{start:%a %d %b %H:%M} ({why})" for start, why in result.skipped)},
        )


def _book(request, form: BookForm) -> tuple[Appointment, series.SeriesResult | None]:
    data = form.cleaned_data
    # One transaction: a new patient is only kept if their appointment is booked too.
    with transaction.atomic():
        patient = data["patient"] or patient_services.create_patient(
            actor=request.user, request=request, **form.new_patient_fields()
        )
        weeks = data.get("repeat_weeks") or 1
        if weeks > 1:
            result = series.book_weekly(
                patient=patient,
                practitioner=data["practitioner"],
                appointment_type=data["appointment_type"],
                first_start=data["start"],
                weeks=weeks,
                zone=_zone(request),
                actor=request.user,
                notes=data["notes"],
                request=request,
            )
            if not result.booked:
                raise services.SlotUnavailable(_("None of these weeks is free at that time."))
            return result.booked[0], result
        return services.create_appointment(
            patient=patient,
            practitioner=data["practitioner"],
            appointment_type=data["appointment_type"],
            start=data["start"],
            source=Appointment.Source.FRONT_DESK,
            actor=request.user,
            notes=data["notes"],
            staff_override=True,
            request=request,
        ), None


@require(PATIENTS_VIEW)
def patient_search(request):
    q = (request.GET.get("patient_q") or request.GET.get("q") or "").strip()
    patients = list(patient_selectors.search_patients(q=q)[:8]) if len(q) >= 2 else []
    audit.record_shown(
        request=request,
        patient_ids=[p.pk for p in patients],
        object_type="patients.patient",
        summary="Patient search (booking)",
    )
    return render(request, "bookings/staff/_patient_results.html", {"patients": patients, "q": q})


# --- one appointment ------------------------------------------------------------------------------------------------


def _appointment(pk: int) -> Appointment:
    return get_object_or_404(Appointment.objects.select_related("patient", "practitioner", "appointment_type"), pk=pk)


@require(BOOKINGS_MANAGE)
def appointment_detail(request, pk: int):
    appointment = _appointment(pk)
    audit.record(
        action=audit.Action.VIEW,
        request=request,
        obj=appointment,
        patient_id=appointment.patient_id,
        summary=f"Appointment {appointment.reference}",
    )
    return render(
        request,
        _template(request, "bookings/staff/_appointment.html", "bookings/staff/appointment.html"),
        _appointment_context(request, appointment),
    )


def _appointment_context(request, appointment: Appointment, **extra) -> dict:
    zone = _zone(request)
    local = appointment.start.astimezone(zone)
    return {
        "appointment": appointment,
        "may_manage": access.may_manage(request.user, appointment.practitioner),
        "changes": _changes(appointment),
        "move_form": extra.pop("move_form", None)
        or MoveForm(initial={"start": local.replace(tzinfo=None), "practitioner": appointment.practitioner_id}),
        "cancel_form": extra.pop("cancel_form", None) or CancelForm(),
        "back_url": day_url(local.date()),
        **extra,
    }


def _changes(appointment: Appointment) -> list[AppointmentChange]:
    labels = dict(Appointment.Status.choices)
    changes = list(AppointmentChange.objects.filter(appointment=appointment).order_by("at", "id"))
    for change in changes:
        change.to_status_label = labels.get(change.to_status, change.to_status)
    return changes


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require(BOOKINGS_MANAGE)
def appointment_move(request, pk: int):
    appointment = _appointment(pk)
    if request.method != "POST":
        return render(
            request,
            _template(request, "bookings/staff/_appointment.html", "bookings/staff/appointment.html"),
            _appointment_context(request, appointment),
        )
    form = MoveForm(request.POST)
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse(
                {"code": "invalid", "detail": _("Some fields are not valid."), "errors": form.errors}, status=400
            )
        return _appointment_error(request, appointment, 400, move_form=form)
    data = form.cleaned_data
    practitioner = data["practitioner"]
    warning = cal.rule_warning(
        practitioner_id=practitioner.pk,
        appointment_type=appointment.appointment_type,
        start=data["start"],
        moving=appointment if practitioner.pk == appointment.practitioner_id else None,
    )
    if warning and not data["confirm_outside_rules"]:
        message = _("%(warning)s Tick the box to move it anyway.") % {"warning": warning}
        if _wants_json(request):
            return JsonResponse({"code": "confirm", "detail": warning, "confirm": True}, status=400)
        form.add_error("confirm_outside_rules", message)
        return _appointment_error(request, appointment, 400, move_form=form, move_warning=warning)
    try:
        moved = services.move_appointment(
            appointment=appointment,
            start=data["start"],
            practitioner=practitioner,
            actor=request.user,
            staff_override=True,
            request=request,
        )
    except REFUSED as exc:
        code, detail, status = _refusal(exc)
        if _wants_json(request):
            return JsonResponse({"code": code, "detail": detail}, status=status)
        form.add_error(None, detail)
        return _appointment_error(request, appointment, status, move_form=form)
    zone = _zone(request)
    message = _("Moved %(patient)s to %(time)s with %(practitioner)s.") % {
        "patient": moved.patient.full_name,
        "time": f"{moved.start.astimezone(zone):%d %b %H:%M}",
        "practitioner": moved.practitioner.display_name,
    }
    if _wants_json(request):
        messages.success(request, message)
        return JsonResponse({"code": "moved", "detail": message})
    return _done(request, day_url(moved.start.astimezone(zone).date()), message)


def _appointment_error(request, appointment, status: int, **extra):
    return render(
        request,
        _template(request, "bookings/staff/_appointment.html", "bookings/staff/appointment.html"),
        _appointment_context(request, appointment, **extra),
        status=status,
    )


@require(BOOKINGS_MANAGE)
@require_POST
def appointment_cancel(request, pk: int):
    appointment = _appointment(pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _appointment_error(request, appointment, 400, cancel_form=form)
    try:
        services.cancel_appointment(
            appointment=appointment,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            notify_patient=form.cleaned_data["notify_patient"],
            staff_override=True,
            request=request,
        )
    except REFUSED as exc:
        _code, detail, status = _refusal(exc)
        form.add_error(None, detail)
        return _appointment_error(request, appointment, status, cancel_form=form)
    return _done(
        request,
        day_url(appointment.start.astimezone(_zone(request)).date()),
        _("Cancelled %(patient)s's appointment.") % {"patient": appointment.patient.full_name},
    )


STATUS_MESSAGES = {
    "check_in": lambda a: _("%(patient)s is checked in.") % {"patient": a.patient.full_name},
    "complete": lambda a: _("%(patient)s's appointment is completed.") % {"patient": a.patient.full_name},
    "no_show": lambda a: _("%(patient)s is marked as a no-show.") % {"patient": a.patient.full_name},
}


@require(BOOKINGS_MANAGE)
@require_POST
def appointment_status(request, pk: int):
    appointment = _appointment(pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _appointment_error(request, appointment, 400, status_error=_("Choose what happened."))
    action = form.cleaned_data["action"]
    change = {
        "check_in": services.check_in,
        "complete": services.complete_appointment,
        "no_show": services.mark_no_show,
    }[action]
    try:
        changed = change(appointment=appointment, actor=request.user, request=request)
    except REFUSED as exc:
        _code, detail, status = _refusal(exc)
        return _appointment_error(request, appointment, status, status_error=detail)
    return _done(request, day_url(changed.start.astimezone(_zone(request)).date()), STATUS_MESSAGES[action](changed))


# --- printable day list ---------------------------------------------------------------------------------------------


@require(BOOKINGS_MANAGE)
def day_list(request, practitioner_id: int):
    practitioner = get_object_or_404(Practitioner, pk=practitioner_id)
    zone = _zone(request)
    day = _day(request, zone)
    appointments = cal.day_list(practitioner=practitioner, day=day, zone=zone)
    audit.record_shown(
        action=audit.Action.EXPORT,
        request=request,
        patient_ids=[a.patient_id for a in appointments],
        object_type="bookings.appointment",
        summary=f"Day list {practitioner.display_name} {day.isoformat()}",
        detail={"practitioner": practitioner.pk},
    )
    return render(
        request,
        "bookings/staff/day_list.html",
        {"practitioner": practitioner, "day": day, "appointments": appointments},
    )


# --- schedules ------------------------------------------------------------------------------------------------------


@require(SCHEDULES_MANAGE)
def schedule_list(request):
    practitioners = list(Practitioner.objects.select_related("user").order_by("order", "display_name", "id"))
    return render(
        request,
        "bookings/staff/schedules.html",
        {"practitioners": [(p, access.may_manage(request.user, p)) for p in practitioners]},
    )


def _schedule_context(request, practitioner: Practitioner, **extra) -> dict:
    hours = WorkingHours.objects.filter(practitioner=practitioner).order_by("weekday", "start_time")
    outside = schedules.appointments_outside_hours(practitioner)
    audit.record_shown(
        request=request,
        patient_ids=[a.patient_id for a in outside],
        object_type="bookings.appointment",
        summary="Schedule: appointments outside the hours",
    )
    return {
        "practitioner": practitioner,
        "may_manage": access.may_manage(request.user, practitioner),
        "hours_formset": extra.pop("hours_formset", None)
        or WeeklyHoursFormSet(
            prefix="hours",
            initial=[{"weekday": h.weekday, "start_time": h.start_time, "end_time": h.end_time} for h in hours],
        ),
        "time_off": TimeOff.objects.filter(practitioner=practitioner, end__gt=timezone.now()).order_by("start"),
        "time_off_form": extra.pop("time_off_form", None) or TimeOffForm(prefix="off"),
        "extra_hours": ExtraHours.objects.filter(practitioner=practitioner, date__gte=timezone.localdate()),
        "extra_form": extra.pop("extra_form", None) or ExtraHoursForm(prefix="extra"),
        "outside": outside,
        "feed": feeds.live_feed(practitioner),
        **extra,
    }


def _schedule_page(request, practitioner, status=200, **extra):
    return render(
        request, "bookings/staff/schedule.html", _schedule_context(request, practitioner, **extra), status=status
    )


@require(SCHEDULES_MANAGE)
def schedule_detail(request, practitioner_id: int):
    practitioner = get_object_or_404(Practitioner, pk=practitioner_id)
    if request.method != "POST":
        return _schedule_page(request, practitioner)
    formset = WeeklyHoursFormSet(request.POST, prefix="hours")
    if not formset.is_valid():
        return _schedule_page(request, practitioner, 400, hours_formset=formset)
    hours = [
        schedules.Hours(f.cleaned_data["weekday"], f.cleaned_data["start_time"], f.cleaned_data["end_time"])
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]
    outside = schedules.replace_weekly_hours(
        practitioner=practitioner, hours=hours, actor=request.user, request=request
    )
    messages.success(request, _("Weekly hours saved. They apply to bookings straight away."))
    if outside:
        messages.warning(
            request,
            _("%(count)d upcoming appointments fall outside the hours: they are listed below and were not moved.")
            % {"count": len(outside)},
        )
    return redirect("bookings:schedule", practitioner_id=practitioner.pk)


@require(SCHEDULES_MANAGE)
@require_POST
def time_off_add(request, practitioner_id: int):
    practitioner = get_object_or_404(Practitioner, pk=practitioner_id)
    form = TimeOffForm(request.POST, prefix="off")
    if not form.is_valid():
        return _schedule_page(request, practitioner, 400, time_off_form=form)
    try:
        schedules.add_time_off(practitioner=practitioner, actor=request.user, request=request, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _schedule_page(request, practitioner, 400, time_off_form=form)
    messages.success(request, _("Time off added."))
    return redirect("bookings:schedule", practitioner_id=practitioner.pk)


@require(SCHEDULES_MANAGE)
@require_POST
def time_off_delete(request, pk: int):
    time_off = get_object_or_404(TimeOff.objects.select_related("practitioner"), pk=pk)
    schedules.delete_time_off(time_off=time_off, actor=request.user, request=request)
    messages.success(request, _("Time off removed."))
    return redirect("bookings:schedule", practitioner_id=time_off.practitioner_id)


@require(SCHEDULES_MANAGE)
@require_POST
def extra_hours_add(request, practitioner_id: int):
    practitioner = get_object_or_404(Practitioner, pk=practitioner_id)
    form = ExtraHoursForm(request.POST, prefix="extra")
    if not form.is_valid():
        return _schedule_page(request, practitioner, 400, extra_form=form)
    try:
        schedules.add_extra_hours(practitioner=practitioner, actor=request.user, request=request, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _schedule_page(request, practitioner, 400, extra_form=form)
    messages.success(request, _("Extra hours added."))
    return redirect("bookings:schedule", practitioner_id=practitioner.pk)


@require(SCHEDULES_MANAGE)
@require_POST
def extra_hours_delete(request, pk: int):
    extra = get_object_or_404(ExtraHours.objects.select_related("practitioner"), pk=pk)
    outside = schedules.delete_extra_hours(extra=extra, actor=request.user, request=request)
    messages.success(request, _("Extra hours removed."))
    if outside:
        messages.warning(request, _("Some upcoming appointments now fall outside the hours: see the list below."))
    return redirect("bookings:schedule", practitioner_id=extra.practitioner_id)


@require(SCHEDULES_MANAGE)
@require_POST
def calendar_feed_manage(request, practitioner_id: int):
    practitioner = get_object_or_404(Practitioner, pk=practitioner_id)
    if request.POST.get("action") == "revoke":
        feeds.revoke_feed(practitioner=practitioner, actor=request.user, request=request)
        messages.success(request, _("The calendar link no longer works."))
        return redirect("bookings:schedule", practitioner_id=practitioner.pk)
    token = feeds.create_feed(practitioner=practitioner, actor=request.user, request=request)
    # Shown once, on this response only: the database keeps just the token's hash.
    return _schedule_page(request, practitioner, new_feed_url=feeds.feed_url(token))


# --- appointment types ----------------------------------------------------------------------------------------------


@require(SCHEDULES_MANAGE)
def type_list(request):
    return render(
        request,
        "bookings/staff/types.html",
        {
            "types": AppointmentType.objects.prefetch_related("practitioners"),
            "may_edit": access.may_manage_all(request.user),
        },
    )


@require(SCHEDULES_MANAGE)
@require_http_methods(["GET", "POST"])
def type_edit(request, pk: int | None = None):
    if request.method == "POST":
        # Before the lookup: a physio is refused whether or not the type exists.
        access.ensure_manages_all(request.user)
    appointment_type = get_object_or_404(AppointmentType, pk=pk) if pk is not None else None
    form = AppointmentTypeForm(request.POST or None, instance=appointment_type)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            practitioners = data.pop("practitioners")
            resources = data.pop("resources")
            try:
                schedules.save_appointment_type(
                    appointment_type=appointment_type,
                    practitioners=practitioners,
                    resources=resources,
                    actor=request.user,
                    request=request,
                    **data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Appointment type saved."))
                return redirect("bookings:types")
        status = 400
    return render(
        request,
        "bookings/staff/type_form.html",
        {"form": form, "appointment_type": appointment_type, "may_edit": access.may_manage_all(request.user)},
        status=status,
    )


# --- waiting list ---------------------------------------------------------------------------------------------------


@require(BOOKINGS_MANAGE)
def waitlist_page(request):
    form = WaitlistForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                waitlist.add_entry(actor=request.user, request=request, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Added to the waiting list."))
                return redirect("bookings:waitlist")
        status = 400
    chosen = form.cleaned_data.get("patient") if form.is_bound and hasattr(form, "cleaned_data") else None
    entries = list(waitlist.waiting_entries())
    audit.record_shown(
        request=request,
        patient_ids=[e.patient_id for e in entries] + [chosen.pk if chosen else None],
        object_type="bookings.waitlistentry",
        summary="Waiting list",
    )
    return render(
        request,
        "bookings/staff/waitlist.html",
        {"form": form, "entries": entries, "chosen_patient": chosen},
        status=status,
    )


@require(BOOKINGS_MANAGE)
@require_POST
def waitlist_remove(request, pk: int):
    entry = get_object_or_404(WaitlistEntry, pk=pk, status=WaitlistEntry.Status.WAITING)
    waitlist.remove_entry(entry=entry, actor=request.user, request=request)
    messages.success(request, _("Removed from the waiting list."))
    return redirect("bookings:waitlist")


# --- public: waiting-list claim and the practitioner's feed ---------------------------------------------------------


@public
def waitlist_claim(request, token: str):
    offer = waitlist.offer_for_token(token)
    if offer is None:
        raise Http404
    zone = _zone(request)
    context = waitlist.offers_for_patient_view(offer, zone)
    if request.method == "POST":
        try:
            appointment = waitlist.claim_offer(token=token, request=request)
        except waitlist.OfferGone as exc:
            return render(request, "bookings/staff/claim.html", {**context, "gone": str(exc)}, status=409)
        return render(request, "bookings/staff/claim.html", {**context, "appointment": appointment})
    return render(request, "bookings/staff/claim.html", context)


@public
def calendar_feed(request, token: str):
    feed = feeds.feed_for_token(token)
    if feed is None:
        raise Http404
    response = HttpResponse(feeds.render_feed(feed.practitioner), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
