"""Celery queues by kind of work, so a burst of PDF renders never delays a reminder (docs/deploy.md).

Each task belongs to one kind; settings.CELERY_QUEUES_BY_KIND names the queue of each kind (empty: everything goes to
the default queue, as under `make run` with one worker for all). A task that is not listed here fails
tests/clinic/test_celery_routes.py, so a new task is sorted into a kind when it is written.
"""

from __future__ import annotations

from django.conf import settings

NOTIFICATIONS = "notifications"  # messages: confirmations, reminders, offers; small and time-critical
PDF = "pdf"  # rendering printable programs and reports: seconds of CPU each
MAINTENANCE = "maintenance"  # housekeeping on a schedule: purges, relays; never urgent

KINDS = (NOTIFICATIONS, PDF, MAINTENANCE)

TASK_KINDS: dict[str, str] = {
    "clinic.tasks.dispatch_notifications": NOTIFICATIONS,
    "clinic.tasks.send_due_notifications": NOTIFICATIONS,
    "clinic.tasks.send_notification": NOTIFICATIONS,
    "bookings.waitlist_tasks.offer_freed_slot": NOTIFICATIONS,
    "bookings.waitlist_tasks.send_waitlist_offer": NOTIFICATIONS,
    "bookings.waitlist_tasks.send_waitlist_gone": NOTIFICATIONS,
    "programs.tasks.email_plan_link": NOTIFICATIONS,
    "assessments.tasks.render_progress_report": PDF,
    "programs.tasks.render_program_pdf": PDF,
    "clinic.tasks.send_staff_invitation": NOTIFICATIONS,
    "bookings.tasks.purge_idempotency_records": MAINTENANCE,
    "clinic.tasks.relay_pending_tasks": MAINTENANCE,
}


def kind_of(task_name: str) -> str | None:
    return TASK_KINDS.get(task_name)


def route_by_kind(name, args, kwargs, options, task=None, **kw):
    """Celery router (settings.CELERY_TASK_ROUTES): the queue of the task's kind, or None for the default queue."""
    queues = getattr(settings, "CELERY_QUEUES_BY_KIND", None) or {}
    kind = kind_of(name)
    if kind is None or kind not in queues:
        return None
    return {"queue": queues[kind]}


def worker_queues(kinds: list[str] | None = None) -> list[str]:
    """The queues a worker should consume for the given kinds (all of them, plus the default queue, when None)."""
    queues = getattr(settings, "CELERY_QUEUES_BY_KIND", None) or {}
    names = [queues[k] for k in (kinds or KINDS) if k in queues]
    if kinds is None:
        names.insert(0, settings.CELERY_TASK_DEFAULT_QUEUE)
    return names
