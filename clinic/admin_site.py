from django.contrib.admin import AdminSite

from .roles import Role, role_of


class MediusAdminSite(AdminSite):
    site_header = "Medius administration"
    site_title = "Medius admin"

    def has_permission(self, request) -> bool:
        # Superusers only (the operator's tool). Clinic admins run the practice from the app's own Setup pages,
        # which check the role matrix and write the audit trail; the admin site does neither.
        user = request.user
        return bool(user.is_active and user.is_superuser and role_of(user) == Role.ADMIN)
