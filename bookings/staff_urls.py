"""Front-desk URLs (issue 4), included by bookings/urls.py inside the "bookings" namespace."""

from django.urls import path

from . import staff_views as views

urlpatterns = [
    path("calendar/", views.calendar_day, name="calendar-day"),
    path("calendar/week/<int:practitioner_id>/", views.calendar_week, name="calendar-week"),
    path("calendar/changes/", views.calendar_changes, name="calendar-changes"),
    path("calendar/book/", views.book, name="calendar-book"),
    path("calendar/patient-search/", views.patient_search, name="calendar-patient-search"),
    path("calendar/appointments/<int:pk>/", views.appointment_detail, name="appointment"),
    path("calendar/appointments/<int:pk>/move/", views.appointment_move, name="appointment-move"),
    path("calendar/appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment-cancel"),
    path("calendar/appointments/<int:pk>/status/", views.appointment_status, name="appointment-status"),
    path("calendar/day-list/<int:practitioner_id>/", views.day_list, name="day-list"),
    path("calendar/schedules/", views.schedule_list, name="schedules"),
    path("calendar/schedules/<int:practitioner_id>/", views.schedule_detail, name="schedule"),
    path("calendar/schedules/<int:practitioner_id>/time-off/", views.time_off_add, name="time-off-add"),
    path("calendar/schedules/time-off/<int:pk>/delete/", views.time_off_delete, name="time-off-delete"),
    path("calendar/schedules/<int:practitioner_id>/extra-hours/", views.extra_hours_add, name="extra-hours-add"),
    path("calendar/schedules/extra-hours/<int:pk>/delete/", views.extra_hours_delete, name="extra-hours-delete"),
    path("calendar/schedules/<int:practitioner_id>/feed/", views.calendar_feed_manage, name="calendar-feed-manage"),
    path("calendar/types/", views.type_list, name="types"),
    path("calendar/types/new/", views.type_edit, name="type-new"),
    path("calendar/types/<int:pk>/", views.type_edit, name="type-edit"),
    path("calendar/waiting-list/", views.waitlist_page, name="waitlist"),
    path("calendar/waiting-list/<int:pk>/remove/", views.waitlist_remove, name="waitlist-remove"),
    # Public, behind secrets: the practitioner's feed and a waiting-list patient's claim link.
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("book/waiting-list/<str:token>/", views.waitlist_claim, name="waitlist-claim"),
]
