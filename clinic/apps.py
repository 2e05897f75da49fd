from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    default = True
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login and failed-login audit entries)
        from .api import install_strict_json_types
        from .notifications import register_outbox_nav
        from .validation import install_field_bounds

        register_outbox_nav()
        install_field_bounds()
        install_strict_json_types()


class MediusAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "clinic.admin_site.MediusAdminSite"
