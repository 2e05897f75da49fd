from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    default = True
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login and failed-login audit entries)
        from .notifications import register_outbox_nav
        from .security import lockout as _lockout  # noqa: F401  (an audit entry per lockout)
        from .security import signals as _security_signals  # noqa: F401  (tokens die with a password change)

        register_outbox_nav()


class MediusAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "clinic.admin_site.MediusAdminSite"
