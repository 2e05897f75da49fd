from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    default = True
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login and failed-login audit entries)
        from .notifications import register_outbox_nav

        register_outbox_nav()

        from django.utils.translation import gettext_lazy as _

        from .panels import NavItem, register_nav_item, register_setup_item
        from .permissions import STAFF_MANAGE

        register_nav_item(
            NavItem(
                title=_("Setup"),
                url_name="setup",
                capability=STAFF_MANAGE,
                description=_("Staff and roles, practitioners, appointment types and prices, questionnaires"),
                order=90,
            )
        )
        register_setup_item(
            NavItem(
                title=_("Staff accounts and roles"),
                url_name="setup-staff",
                capability=STAFF_MANAGE,
                description=_("Invite staff, change a role, deactivate an account"),
                order=10,
            )
        )


class MediusAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "clinic.admin_site.MediusAdminSite"
