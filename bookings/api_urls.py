"""The public booking API, mounted at /api/v1/public/ (clinic/urls.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("appointment-types/", api.AppointmentTypeList.as_view(), name="public-appointment-types"),
    path("practitioners/", api.PractitionerList.as_view(), name="public-practitioners"),
    path("availability/", api.AvailabilityView.as_view(), name="public-availability"),
    path("bookings/", api.BookingCreate.as_view(), name="public-bookings"),
    path("bookings/<str:token>/", api.BookingDetail.as_view(), name="public-booking"),
    path("bookings/<str:token>/cancel/", api.BookingCancel.as_view(), name="public-booking-cancel"),
    path("bookings/<str:token>/reschedule/", api.BookingReschedule.as_view(), name="public-booking-reschedule"),
]
