"""Renderers: each app says how its messages read, clinic sends them.

An app registers one renderer per (subject type, kind) in its AppConfig.ready(). At send time the renderer gets the
Notification row and returns the message for the row's channel (Email or Sms), or raises Skip(reason) when the
message no longer makes sense (the appointment was cancelled, consent was withdrawn), or Expired(reason) when it is
too late (the appointment has already started).
Renderers read the subject fresh at send time, so a message always tells the current date and time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from clinic import emails
from clinic.emails import Attachment

if TYPE_CHECKING:
    from clinic.models import Notification


class Skip(Exception):  # a decision, not an error
    """Raised by a renderer: this message must not be sent; the reason is shown in the outbox."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Expired(Skip):
    """Raised by a renderer: this message is too late to be of use (the appointment or offered time has passed)."""


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str = ""
    attachments: Sequence[Attachment] = field(default_factory=tuple)
    to: str | None = None  # set when the address changed since the row was scheduled
    # What the outbox keeps as "text as sent" instead of `text`, when the text carries a secret every member of
    # staff must not read there (a patient's private link to their exercise plan).
    kept_text: str | None = None

    @classmethod
    def from_template(
        cls, template: str, context: dict, *, attachments: Sequence[Attachment] = (), to: str | None = None
    ) -> Email:
        """templates/<template>_subject.txt, _body.txt and _body.html, rendered by clinic.emails."""
        subject, text, html = emails.render(template, context)
        return cls(subject=subject, text=text, html=html, attachments=tuple(attachments), to=to)


@dataclass(frozen=True)
class Sms:
    text: str
    to: str | None = None


Renderer = Callable[["Notification"], Email | Sms]
Preloader = Callable[[list["Notification"]], None]

_RENDERERS: dict[tuple[str, str], Renderer] = {}
_PRELOADERS: dict[str, Preloader] = {}


def register_renderer(*, subject_type: str, kind: str, renderer: Renderer, preload: Preloader | None = None) -> None:
    """`preload`, if given, receives a whole batch's rows about `subject_type` before any is rendered, and may attach
    what the renderer needs (one query for 200 appointments instead of 200)."""
    _RENDERERS[(subject_type, kind)] = renderer
    if preload is not None:
        _PRELOADERS[subject_type] = preload


def preload(rows: list[Notification]) -> None:
    by_type: dict[str, list[Notification]] = {}
    for row in rows:
        by_type.setdefault(row.subject_type, []).append(row)
    for subject_type, group in by_type.items():
        loader = _PRELOADERS.get(subject_type)
        if loader is not None:
            loader(group)


def renderer_for(notification: Notification) -> Renderer | None:
    return _RENDERERS.get((notification.subject_type, notification.kind))


def subject_type_of(obj) -> str:
    """ "bookings.appointment" for an Appointment: the label used as subject_type."""
    return obj._meta.label_lower
