from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self) -> None:
        from clinic.panels import NavItem, Panel, register_nav_item, register_patient_panel

        from . import notifications, waitlist

        # Confirmations, changes, cancellations, reminders, waiting-list offers: written by bookings, sent by
        # clinic.notifications.
        notifications.register()
        waitlist.register()
        from clinic.permissions import BOOKINGS_MANAGE, PATIENTS_VIEW, SCHEDULES_MANAGE

        # Front desk (issue 4): the calendar, the waiting list and schedules in the top navigation.
        register_nav_item(
            NavItem(
                title=_("Calendar"),
                url_name="bookings:calendar-day",
                capability=BOOKINGS_MANAGE,
                description=_("The day's appointments for every practitioner; book, move, check in."),
                order=10,
            )
        )
        register_nav_item(
            NavItem(
                title=_("Waiting list"),
                url_name="bookings:waitlist",
                capability=BOOKINGS_MANAGE,
                description=_("Patients who want an earlier appointment; offered cancelled times by email."),
                order=11,
            )
        )
        register_nav_item(
            NavItem(
                title=_("Schedules"),
                url_name="bookings:schedules",
                capability=SCHEDULES_MANAGE,
                description=_("Working hours, time off, extra hours and appointment types."),
                order=12,
            )
        )

        from clinic.panels import register_setup_item
        from clinic.permissions import STAFF_MANAGE

        register_setup_item(
            NavItem(
                title=_("Practitioners"),
                url_name="bookings:setup-practitioners",
                capability=STAFF_MANAGE,
                description=_("Who sees patients: name, photo and short bio on the booking page, the types they offer"),
                order=20,
            )
        )
        register_setup_item(
            NavItem(
                title=_("Rooms and equipment"),
                url_name="bookings:setup-resources",
                capability=STAFF_MANAGE,
                description=_("The gym, the treadmill: what an appointment type needs, held like a diary"),
                order=25,
            )
        )
        register_setup_item(
            NavItem(
                title=_("Appointment types and prices"),
                url_name="bookings:types",
                capability=STAFF_MANAGE,
                description=_("Length, buffers, price, colour, bookable online"),
                order=30,
            )
        )

        from clinic.panels import register_today_panel
        from clinic.permissions import CLINICAL_VIEW, FRONT_DESK_TODAY

        # The home page's "today": the front desk's day, and a physiotherapist's own day.
        register_today_panel(
            Panel(key="front-desk", title=_("The front desk today"), url_name="bookings:today-front-desk",
                  capability=FRONT_DESK_TODAY, order=10)
        )  # fmt: skip
        register_today_panel(
            Panel(key="my-day", title=_("My day"), url_name="bookings:today-my-day", capability=CLINICAL_VIEW, order=5)
        )

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
