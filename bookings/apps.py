from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self) -> None:
        from clinic.panels import Panel, register_patient_panel
        from clinic.permissions import PATIENTS_VIEW

        from . import notifications

        # Confirmations, changes, cancellations, reminders: written by bookings, sent by clinic.notifications.
        notifications.register()

        # Front desk sees appointments (not clinical), so the panel needs only PATIENTS_VIEW.
        register_patient_panel(
            Panel(
                key="appointments",
                title=_("Appointments"),
                url_name="bookings:patient-panel",
                capability=PATIENTS_VIEW,
                order=10,
            )
        )
