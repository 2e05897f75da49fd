from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Exercise programs")

    def ready(self) -> None:
        from clinic.panels import NavItem, Panel, register_nav_item, register_patient_panel, register_patient_summary
        from clinic.permissions import CLINICAL_VIEW, EXERCISES_MANAGE

        from . import notifications

        # The "plan ready" email: written by programs, sent once by clinic.notifications.
        notifications.register()

        register_patient_panel(
            Panel(
                key="programs",
                title=_("Exercise programs"),
                url_name="programs:patient-panel",
                capability=CLINICAL_VIEW,
                order=40,
            )
        )
        register_patient_summary(
            Panel(
                key="program",
                title=_("Program"),
                url_name="programs:patient-summary",
                capability=CLINICAL_VIEW,
                order=20,
            )
        )
        register_nav_item(
            NavItem(
                title=_("Exercises"),
                url_name="programs:exercise-list",
                capability=EXERCISES_MANAGE,
                description=_("The exercise library: steps, cues, doses and pictures"),
                order=40,
            )
        )
