"""Users and groups: managed by superusers only (docs/access.md).

An account spans entities (its memberships) and its groups carry model permissions for every entity, so
whoever edits accounts edits everyone's access: Django's own admins would let a staff user holding
`auth.change_user` tick their own "superuser" box or set another entity's accountant's password.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User


class SuperuserOnly:
    """A model admin only active superusers see and use, whatever permissions a staff user holds."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


class FolioUserAdmin(SuperuserOnly, UserAdmin):
    """Django's user admin, for superusers only."""


class FolioGroupAdmin(SuperuserOnly, GroupAdmin):
    """Django's group admin, for superusers only."""


for _model, _admin in ((User, FolioUserAdmin), (Group, FolioGroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
