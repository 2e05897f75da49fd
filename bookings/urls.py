from django.urls import include, path

from . import setup_views, today, views

app_name = "bookings"
urlpatterns = [
    # Public: patients book and manage their own appointments (no login).
    path("book/", views.book, name="book"),
    path("book/details/", views.book_details, name="details"),
    path("book/manage/<str:token>/", views.manage, name="manage"),
    path("book/manage/<str:token>/cancel/", views.manage_cancel, name="manage-cancel"),
    path("book/manage/<str:token>/reschedule/", views.manage_reschedule, name="manage-reschedule"),
    path("book/manage/<str:token>/calendar.ics", views.manage_calendar, name="manage-calendar"),
    # Staff: the appointments panel on the patient page.
    path("appointments/patients/<int:pk>/panel/", views.patient_panel, name="patient-panel"),
    # Staff: the home page's "today" sections.
    path("today/front-desk/", today.front_desk_today, name="today-front-desk"),
    path("today/my-day/", today.my_day, name="today-my-day"),
    # Clinic admins: practitioners and their public profile.
    path("setup/practitioners/", setup_views.practitioner_list, name="setup-practitioners"),
    path("setup/practitioners/new/", setup_views.practitioner_edit, name="setup-practitioner-new"),
    path("setup/practitioners/<int:pk>/", setup_views.practitioner_edit, name="setup-practitioner-edit"),
    path("setup/rooms-and-equipment/", setup_views.resource_list, name="setup-resources"),
    # Staff: the calendar, schedules, waiting list.
    path("", include("bookings.staff_urls")),
]
