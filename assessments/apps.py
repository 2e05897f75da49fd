from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from clinic.panels import Panel, register_patient_panel
        from clinic.permissions import CLINICAL_VIEW

        register_patient_panel(
            Panel(
                key="assessments",
                title=_("Assessments and progress"),
                url_name="assessments:patient-panel",
                capability=CLINICAL_VIEW,
                order=20,
            )
        )
