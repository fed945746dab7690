"""Users and groups: managed by superusers only (docs/access.md).

An account spans entities (its memberships) and its groups carry model permissions for every entity, so
whoever edits accounts edits everyone's access: Django's own admins would let a staff user holding
`auth.change_user` tick their own "superuser" box or set another entity's accountant's password.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db import transaction

from erp.adminkit import actor_of
from erp.models import Membership
from erp.services.memberships import membership_revoke


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

    # A deleted user's memberships would go by cascade, unlogged: each is revoked through its service
    # first (a `membership.deleted` row in its entity's activity log), then the user is deleted.
    def delete_model(self, request, obj):
        with transaction.atomic():
            _revoke_memberships(request, [obj])
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            _revoke_memberships(request, list(queryset))
            super().delete_queryset(request, queryset)


def _revoke_memberships(request, users) -> None:
    """Revoke every membership of `users` through the service, naming the admin user who deletes them."""
    for membership in Membership.objects.filter(user__in=users).order_by("pk"):
        membership_revoke(membership=membership, revoked_by=actor_of(request))


class FolioGroupAdmin(SuperuserOnly, GroupAdmin):
    """Django's group admin, for superusers only."""


for _model, _admin in ((User, FolioUserAdmin), (Group, FolioGroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
