from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken as KnoxAuthToken

from .forms import LogoCleaningMixin
from .models import AuditEvent, Practice, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active")
    list_filter = ("is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "groups")}),)
    filter_horizontal = ("groups",)


class PracticeAdminForm(LogoCleaningMixin, forms.ModelForm):
    class Meta:
        model = Practice
        fields = ("logo",)  # the admin passes its own field list; this form adds the logo checks


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    form = PracticeAdminForm

    def has_add_permission(self, request):
        return not Practice.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_id", "patient_id", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "summary", "object_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Sign-in security is managed in the app (Security, Sign-in security), never here: the admin site would show
# colleagues' authenticator secrets and recovery codes (and knox's own token model is replaced by clinic.ApiToken).
for _model in (TOTPDevice, StaticDevice, KnoxAuthToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
