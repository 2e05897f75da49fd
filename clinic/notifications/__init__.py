"""Messages to patients and staff, each recorded and sent at least once, never lost (docs/reminders.md).

Apps schedule rows (services.schedule / replace_pending / skip_pending) inside their own transactions and register a
renderer per (subject type, kind) in AppConfig.ready(); clinic.tasks dispatches what is due every minute.
"""

from .registry import Email, Expired, Skip, Sms, register_renderer, subject_type_of

__all__ = ["Email", "Expired", "Skip", "Sms", "register_outbox_nav", "register_renderer", "subject_type_of"]


def register_outbox_nav() -> None:
    from django.utils.translation import gettext_lazy as _

    from clinic.panels import NavItem, Panel, register_nav_item, register_patient_panel
    from clinic.permissions import OUTBOX_VIEW

    register_nav_item(
        NavItem(
            title=_("Outbox"),
            url_name="outbox:list",
            capability=OUTBOX_VIEW,
            description=_("Every message sent, waiting, failed, skipped or expired"),
            order=80,
        )
    )
    register_patient_panel(
        Panel(key="messages", title=_("Messages"), url_name="outbox:patient-panel", capability=OUTBOX_VIEW, order=90)
    )
