from django.contrib import admin

from .models import Equipment, Exercise, Muscle, ProgramTemplate, TemplateItem


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "category", "position", "is_archived")
    list_filter = ("category", "position", "is_archived")
    search_fields = ("name", "key")
    # Edits go through the library pages (services, audit); the admin is for looking things up.
    readonly_fields = [f.name for f in Exercise._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TemplateItemInline(admin.TabularInline):
    model = TemplateItem
    extra = 0


@admin.register(ProgramTemplate)
class ProgramTemplateAdmin(admin.ModelAdmin):
    list_display = ("name",)
    inlines = [TemplateItemInline]


admin.site.register(Muscle)
admin.site.register(Equipment)
