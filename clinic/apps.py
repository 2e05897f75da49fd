from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    default = True
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from . import metrics, signals  # noqa: F401  (task timers; login and failed-login audit entries)
        from .notifications import register_outbox_nav

        register_outbox_nav()


class MediusAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "clinic.admin_site.MediusAdminSite"
