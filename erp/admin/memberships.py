"""Memberships: who works on which entity in the admin, in what role; managed by superusers only."""

from django import forms
from django.contrib import admin

from erp.adminkit import ServiceAdmin, ServiceForm, actor_of
from erp.models import Entity, Membership
from erp.services.memberships import membership_grant, membership_revoke


class MembershipForm(ServiceForm, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "entity", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "entity" in self.fields:
            # A membership names the live entity; it covers the entity's test books too.
            self.fields["entity"].queryset = Entity.objects.filter(livemode=True).order_by("name")

    def validate_unique(self):
        # Granting again changes the role (membership_grant); the database still keeps one per pair.
        return None


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    form = MembershipForm
    list_display = ["user", "entity", "role", "granted_by", "created_at"]
    list_filter = ["role", "entity"]
    search_fields = ["user__username", "entity__name", "entity__code"]
    list_select_related = ["user", "entity"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "entity", "granted_by", "created_at"] if obj else []

    def service_save(self, request, form, formsets, change):
        data = form.cleaned_data
        membership = form.instance
        return membership_grant(
            user=membership.user if change else data["user"],
            entity=membership.entity if change else data["entity"],
            role=data["role"],
            granted_by=actor_of(request),
        )

    def delete_model(self, request, obj):
        membership_revoke(membership=obj, revoked_by=actor_of(request))

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            membership_revoke(membership=membership, revoked_by=actor_of(request))

    # Only a superuser gives or takes access: a member could otherwise widen their own.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)
