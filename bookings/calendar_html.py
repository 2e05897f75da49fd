"""The calendar grid's repeated markup, built in Python.

A template loop over 200 appointments and several hundred free times (a tag or two for each attribute) took most of the
day view's render time; plain string building does the same work about ten times faster (bench/calendar_day_view.py).
Every text that comes from the database or a translation goes through escape(); the other values are numbers and
ISO dates made in bookings.calendar. The rest of the page stays in templates.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .calendar import Column, Grid
from .models import Appointment


def _prefix(name: str) -> str:
    return reverse(name, args=[0]).removesuffix("0/")


def _slots(column: Column, *, book_url: str, label: str, week: bool, step: int) -> str:
    if not column.may_manage:
        return ""
    pid = column.practitioner.pk
    # Escaped once per column; the other values are numbers and ISO dates made by bookings.calendar.
    text = escape(f"{label} {{}}" + ("" if week else f" · {column.practitioner.display_name}"))
    return "".join(
        f'<a class="cal-slot" style="--top: {top}; --h: {step}" href="{book_url}?practitioner={pid}&amp;start={value}" '
        f'data-start="{value}" data-practitioner="{pid}"><span class="visually-hidden">{text.format(wall)}</span></a>'
        for top, value, wall in column.slots
    )


def _blocks(column: Column, *, detail: str, zone, statuses: dict[str, str]) -> str:
    parts = []
    names: dict[tuple[str, str], tuple[str, str]] = {}
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
        status = f'<span class="cal-status">{statuses[a.status]}</span>' if a.status != "booked" else ""
        parts.append(
            f'<a class="cal-appt status-{a.status}" id="appt-{a.pk}" href="{detail}{a.pk}/" style="--top: {block.top}; '
            f'--h: {block.height}; --lane: {block.lane}; --lanes: {block.lanes}; --colour: {colour}"{move}>'
            f'<span class="cal-time">{a.start.astimezone(zone):%H:%M}</span> '
            f"<strong>{escape(a.first_name)} {escape(a.last_name)}</strong>"
            f'<span class="cal-type">{type_name}</span>{status}</a>'
        )
    return "".join(parts)


def attach_markup(grid: Grid, *, week: bool = False) -> Grid:
    """Give each column its `slots_html` and `blocks_html` for templates/bookings/staff/_grid.html."""
    book_url = escape(reverse("bookings:calendar-book"))
    detail = escape(_prefix("bookings:appointment"))
    label = _("Book at")
    statuses = {value: escape(text) for value, text in Appointment.Status.choices}
    for column in grid.columns:
        column.slots_html = mark_safe(_slots(column, book_url=book_url, label=label, week=week, step=grid.step))
        column.blocks_html = mark_safe(_blocks(column, detail=detail, zone=grid.zone, statuses=statuses))
    return grid
