from django.urls import include, path

from . import views

app_name = "bookings"
urlpatterns = [
    # Public: patients book and manage their own appointments (no login).
    path("book/", views.book, name="book"),
    path("book/details/", views.book_details, name="details"),
    path("book/manage/<str:token>/", views.manage, name="manage"),
    path("book/manage/<str:token>/cancel/", views.manage_cancel, name="manage-cancel"),
    path("book/manage/<str:token>/reschedule/", views.manage_reschedule, name="manage-reschedule"),
    # Staff: the appointments panel on the patient page.
    path("appointments/patients/<int:pk>/panel/", views.patient_panel, name="patient-panel"),
    # Staff: the calendar, schedules, waiting list (issue 4).
    path("", include("bookings.staff_urls")),
]
