from django.contrib.admin import AdminSite

from .roles import Role, role_of


class MediusAdminSite(AdminSite):
    site_header = "Medius administration"
    site_title = "Medius admin"

    def has_permission(self, request) -> bool:
        # Only clinic admins reach the admin site, whatever their is_staff flag says (clinic.permissions matrix).
        return role_of(request.user) == Role.ADMIN
