"""The patient's private plan link (no account): /plan/<token>/."""

from django.urls import path

from . import views

app_name = "plan"
urlpatterns = [
    path("<str:token>/", views.plan_page, name="page"),
    path("<str:token>/pdf/", views.plan_pdf, name="pdf"),
]
