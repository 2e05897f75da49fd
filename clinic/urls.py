"""URL wiring. Every view carries a capability from clinic.permissions (see tests/clinic/test_url_permissions.py)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from assessments.api import AssessmentViewSet
from bookings.staff_api import AppointmentViewSet
from patients.api import PatientViewSet
from programs.api import ExerciseViewSet, ProgramTemplateViewSet, ProgramViewSet

from . import setup_views, views
from .api_views import RedocView, SchemaView, SwaggerView
from .permissions import STAFF, public, require
from .security import urls as security_urls
from .security.api import TokenView
from .security.views import LimitedPasswordResetView

router = SimpleRouter(use_regex_path=False)
router.register("patients", PatientViewSet, basename="patient")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("exercises", ExerciseViewSet, basename="exercise")
router.register("program-templates", ProgramTemplateViewSet, basename="program-template")
router.register("programs", ProgramViewSet, basename="program")

auth_patterns = [
    path("login/", public(auth_views.LoginView.as_view(redirect_authenticated_user=True)), name="login"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password/change/",
        require(STAFF)(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password/change/done/",
        require(STAFF)(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        public(LimitedPasswordResetView.as_view()),
        name="password_reset",
    ),
    path("password/reset/sent/", public(auth_views.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        public(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        public(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    *security_urls.account_patterns,
    path("passkeys/", include(security_urls.passkey_patterns)),
]

api_patterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("public/", include("bookings.api_urls")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include(auth_patterns)),
    path("patients/", include("patients.urls")),
    path("assessments/", include("assessments.urls")),
    path("programs/", include("programs.urls")),
    path("plan/", include("programs.public_urls")),
    path("", include("bookings.urls")),
    path("outbox/", include("clinic.notifications.urls")),
    path("audit/", views.audit_log, name="audit-log"),
    path("settings/", views.practice_settings, name="practice-settings"),
    path("security/", include(security_urls.admin_patterns)),
    path("setup/", setup_views.setup, name="setup"),
    path("setup/staff/", setup_views.staff_list, name="setup-staff"),
    path("setup/staff/<int:pk>/", setup_views.staff_edit, name="setup-staff-edit"),
    path("setup/staff/<int:pk>/active/", setup_views.staff_active, name="setup-staff-active"),
    path("setup/staff/<int:pk>/invite/", setup_views.staff_invite, name="setup-staff-invite"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics, name="metrics"),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
]

# A database outage raised outside a view (in a middleware) still answers 503, not 500 (clinic.unavailable).
handler500 = "clinic.views.server_error"

if settings.DEBUG:
    # Development only: in production the web server serves the public media (docs/security.md); private files are
    # never under MEDIA_ROOT, and this view refuses anything outside the public folders as well.
    urlpatterns += [path("media/<path:path>", views.public_media, name="public-media")]
