"""Messages to patients and staff, each recorded and sent exactly once (docs/reminders.md).

Apps schedule rows (services.schedule / replace_pending / skip_pending) inside their own transactions and register a
renderer per (subject type, kind) in AppConfig.ready(); clinic.tasks dispatches what is due every minute.
"""

from .registry import Email, Skip, Sms, register_renderer, subject_type_of

__all__ = ["Email", "Skip", "Sms", "register_renderer", "subject_type_of"]
