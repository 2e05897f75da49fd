from django.contrib import admin

from .models import Appointment, AppointmentChange, AppointmentType, ExtraHours, Practitioner, TimeOff, WorkingHours


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class ExtraHoursInline(admin.TabularInline):
    model = ExtraHours
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ("display_name", "user", "is_active", "order")
    list_editable = ("is_active", "order")
    filter_horizontal = ("appointment_types",)
    inlines = [WorkingHoursInline, ExtraHoursInline, TimeOffInline]


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "duration_minutes",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "online_bookable",
        "is_active",
        "colour",
    )
    list_editable = ("online_bookable", "is_active")


class AppointmentChangeInline(admin.TabularInline):
    model = AppointmentChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "actor_label", "from_start", "to_start", "from_status", "to_status", "reason")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Read-only: every change goes through bookings.services (locks, history, emails), never the admin form."""

    list_display = ("reference", "start", "practitioner", "appointment_type", "status", "source")
    list_filter = ("status", "source", "practitioner", "appointment_type")
    search_fields = ("reference", "patient__last_name", "patient__email")
    date_hierarchy = "start"
    inlines = [AppointmentChangeInline]
    exclude = ("manage_nonce", "manage_token_hash")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
