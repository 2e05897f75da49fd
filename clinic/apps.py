from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    default = True
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from django_prometheus.middleware import Metrics

        from . import metrics, signals  # noqa: F401  (task timers; login and failed-login audit entries)
        from .api import install_strict_json_types
        from .notifications import register_outbox_nav
        from .security import lockout as _lockout  # noqa: F401  (an audit entry per lockout)
        from .security import signals as _security_signals  # noqa: F401  (tokens die with a password change)
        from .validation import install_field_bounds

        # django-prometheus creates its request metrics lazily, in the first request's middleware, without a lock:
        # two threads answering their first requests at once (gunicorn gthread) register them twice and one gets a
        # 500. Create them here, once, before any request.
        Metrics.get_instance()

        register_outbox_nav()
        install_field_bounds()
        install_strict_json_types()

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
