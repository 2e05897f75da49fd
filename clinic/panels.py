"""A small registry of panels for the patient page.

patients/ knows nothing of bookings, assessments or programs (shared/ARCHITECTURE.md). Each of those apps registers a
panel in its AppConfig.ready(): a URL name that takes the patient id and renders its own fragment, and the capability
needed to see it. The patient page loads the panels the user may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from .permissions import allows


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    url_name: str
    capability: str
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register_patient_panel(panel: Panel) -> None:
    _PANELS[panel.key] = panel


def patient_panels_for(user) -> list[Panel]:
    return sorted((p for p in _PANELS.values() if allows(user, p.capability)), key=lambda p: (p.order, p.key))


@dataclass(frozen=True)
class NavItem:
    title: str
    url_name: str
    capability: str
    description: str = ""
    order: int = 100


_NAV: dict[str, NavItem] = {}


def register_nav_item(item: NavItem) -> None:
    """Apps add their main pages to the top navigation and the home page (e.g. the calendar)."""
    _NAV[item.url_name] = item


def nav_items_for(user) -> list[NavItem]:
    return sorted((n for n in _NAV.values() if allows(user, n.capability)), key=lambda n: (n.order, n.title))


_SETUP: dict[str, NavItem] = {}


def register_setup_item(item: NavItem) -> None:
    """Apps add their setup pages (practitioners, types, questionnaire packs) to the clinic admin's Setup page."""
    _SETUP[item.url_name] = item


def setup_items_for(user) -> list[NavItem]:
    return sorted((n for n in _SETUP.values() if allows(user, n.capability)), key=lambda n: (n.order, n.title))


_TODAY: dict[str, Panel] = {}
_SUMMARIES: dict[str, Panel] = {}


def register_today_panel(panel: Panel) -> None:
    """Apps add a section to the home page's "today" view (a URL with no arguments, loaded by htmx)."""
    _TODAY[panel.key] = panel


def today_panels_for(user) -> list[Panel]:
    return sorted((p for p in _TODAY.values() if allows(user, p.capability)), key=lambda p: (p.order, p.key))


def register_patient_summary(panel: Panel) -> None:
    """Apps add a one-line summary of a patient (a URL taking the patient id), shown next to them in a physio's day.

    The day's list belongs to bookings, the last findings to assessments and the program to programs: each serves its
    own fragment, so no app imports another (the same rule as the patient page's panels)."""
    _SUMMARIES[panel.key] = panel


def patient_summaries_for(user) -> list[Panel]:
    return sorted((p for p in _SUMMARIES.values() if allows(user, p.capability)), key=lambda p: (p.order, p.key))
