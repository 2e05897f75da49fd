"""The calendar grid's repeated markup, built in Python.

A template loop over 200 appointments and several hundred free times (a tag or two for each attribute) took most of the
day view's render time; plain string building does the same work about ten times faster (bench/calendar_day_view.py).
Every text that comes from the database or a translation goes through escape(); the other values are numbers and
ISO dates made in bookings.calendar. The rest of the page stays in templates.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .calendar import Column, Grid
from .models import Appointment


def _prefix(name: str) -> str:
    return reverse(name, args=[0]).removesuffix("0/")


def braces(text: str) -> str:
    """Text kept as it is by str.format."""
    return text.replace("{", "{{").replace("}", "}}")


def _slots(column: Column, *, book_url: str, day: str, week: bool, step: int) -> list[tuple[int, str]]:
    """(top, markup) of each free time. Its name says the state and, in the week view, the day: "Monday 12 January
    09:15, free: book"; in the day view the practitioner, whose column it is: "09:15, free: book with Priya Raman"."""
    if not column.may_manage:
        return []
    pid = column.practitioner.pk
    if week:
        text = escape(_("%(day)s %(time)s, free: book") % {"day": day, "time": "{}"})
    else:
        text = escape(
            _("%(time)s, free: book with %(name)s") % {"time": "{}", "name": braces(column.practitioner.display_name)}
        )
    # Escaped once per column; the other values are numbers and ISO dates made by bookings.calendar.
    return [
        (
            top,
            f'<a class="cal-slot" style="--top: {top}; --h: {step}" '
            f'href="{book_url}?practitioner={pid}&amp;start={value}" '
            f'data-start="{value}" data-practitioner="{pid}" data-top="{top}">'
            f'<span class="visually-hidden">{text.format(wall)}</span></a>',
        )
        for top, value, wall in column.slots
    ]


def _blocks(column: Column, *, detail: str, zone, statuses: dict[str, str], day: str) -> list[tuple[int, str]]:
    """(top, markup) of each appointment; its name holds the time span, the patient, the type and the status (and the
    day in the week view)."""
    parts = []
    names: dict[tuple[str, str], tuple[str, str]] = {}
    until = escape(_("to"))
    day_prefix = f'<span class="visually-hidden">{day} </span>' if day else ""
    for block in column.blocks:
        a = block.appointment
        if (a.type_name, a.colour) not in names:
            names[a.type_name, a.colour] = (escape(a.type_name), escape(a.colour))
        type_name, colour = names[a.type_name, a.colour]
        move = (
            f' draggable="true" data-move-url="{detail}{a.pk}/move/"'
            if block.may_manage and a.status == "booked"
            else ""
        )
        if a.status == "booked":
            status = f'<span class="visually-hidden">, {statuses[a.status]}</span>'
        else:
            status = f'<span class="cal-status"><span class="visually-hidden">, </span>{statuses[a.status]}</span>'
        parts.append(
            (
                block.top,
                f'<a class="cal-appt status-{a.status}" id="appt-{a.pk}" href="{detail}{a.pk}/" '
                f'style="--top: {block.top}; --h: {block.height}; --lane: {block.lane}; --lanes: {block.lanes}; '
                f'--colour: {colour}" '
                f'data-top="{block.top}"{move}>{day_prefix}'
                f'<span class="cal-time">{a.start.astimezone(zone):%H:%M}</span>'
                f'<span class="visually-hidden"> {until} {a.end.astimezone(zone):%H:%M},</span> '
                f"<strong>{escape(a.first_name)} {escape(a.last_name)}</strong>"
                f'<span class="visually-hidden">,</span> <span class="cal-type">{type_name}</span>{status}</a>',
            )
        )
    return parts


def attach_markup(grid: Grid, *, week: bool = False) -> Grid:
    """Give each column its `items_html` for templates/bookings/staff/_grid.html: free times and appointments in time
    order, so that reading or arrowing down a column goes through the day as it happens."""
    book_url = escape(reverse("bookings:calendar-book"))
    detail = escape(_prefix("bookings:appointment"))
    statuses = {value: escape(text) for value, text in Appointment.Status.choices}
    for column in grid.columns:
        day = escape(date_format(column.day, "l j F")) if week else ""
        items = _slots(column, book_url=book_url, day=day, week=week, step=grid.step)
        items += _blocks(column, detail=detail, zone=grid.zone, statuses=statuses, day=day)
        items.sort(key=lambda item: item[0])  # stable: an appointment stays after a free time that ends as it starts
        column.items_html = mark_safe("".join(markup for _top, markup in items))
    return grid
