from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("", views.outbox, name="list"),
    path("<int:pk>/", views.outbox_detail, name="detail"),
    path("<int:pk>/retry/", views.outbox_retry, name="retry"),
    path("patients/<int:pk>/panel/", views.patient_messages, name="patient-panel"),
]
