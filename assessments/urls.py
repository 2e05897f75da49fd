from django.urls import path

from . import setup_views, views

app_name = "assessments"
urlpatterns = [
    path("setup/questionnaire-packs/", setup_views.packs, name="setup-packs"),
    path("patient/<int:patient_id>/panel/", views.patient_panel, name="patient-panel"),
    path("patient/<int:patient_id>/summary/", views.patient_summary, name="patient-summary"),
    path("patient/<int:patient_id>/new/", views.assessment_create, name="create"),
    path("patient/<int:patient_id>/progress/", views.patient_progress, name="progress"),
    path("patient/<int:patient_id>/report/", views.report_request, name="report-request"),
    path("reports/<int:pk>/", views.report_download, name="report-download"),
    path("reports/<int:pk>/status/", views.report_status, name="report-status"),
    path("reports/<int:pk>/retry/", views.report_retry, name="report-retry"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/edit/", views.assessment_edit, name="edit"),
    path("<int:pk>/autosave/", views.assessment_autosave, name="autosave"),
    path("<int:pk>/amend/", views.assessment_amend, name="amend"),
    path("<int:pk>/versions/<int:number>/", views.assessment_version, name="version"),
]
