from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from clinic.panels import NavItem, Panel, register_patient_panel, register_patient_summary, register_setup_item
        from clinic.permissions import CLINICAL_VIEW, STAFF_MANAGE

        register_patient_summary(
            Panel(
                key="findings",
                title=_("Last findings"),
                url_name="assessments:patient-summary",
                capability=CLINICAL_VIEW,
                order=10,
            )
        )
        register_setup_item(
            NavItem(
                title=_("Questionnaire packs"),
                url_name="assessments:setup-packs",
                capability=STAFF_MANAGE,
                description=_("Load the practice's licensed questionnaire wording"),
                order=40,
            )
        )

        register_patient_panel(
            Panel(
                key="assessments",
                title=_("Assessments and progress"),
                url_name="assessments:patient-panel",
                capability=CLINICAL_VIEW,
                order=20,
            )
        )
