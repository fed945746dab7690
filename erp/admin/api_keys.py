"""API keys: created through api_key_create (the token is shown once), revoked by an action."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from erp.adminkit import ServiceAdmin, ServiceForm
from erp.models import ApiKey
from erp.scopes import SCOPES
from erp.services.api_keys import api_key_create, api_key_revoke

VIEW_FIELDS = [
    "id",
    "entity",
    "name",
    "prefix",
    "livemode",
    "scopes",
    "created_at",
    "last_used_at",
    "revoked_at",
]


class ApiKeyCreateForm(ServiceForm, forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=[(s, s) for s in sorted(SCOPES)], widget=forms.CheckboxSelectMultiple
    )
    livemode = forms.BooleanField(required=False, initial=True, label="Live key (uncheck for a test key)")

    class Meta:
        model = ApiKey
        fields = ["entity", "name", "scopes", "livemode"]


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceAdmin):
    form = ApiKeyCreateForm
    list_display = [
        "prefix",
        "name",
        "entity",
        "scope_list",
        "livemode",
        "status",
        "last_used_at",
        "created_at",
    ]
    list_filter = ["entity", "livemode", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "entity__code"]
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        return VIEW_FIELDS if obj else []

    def get_fields(self, request, obj=None):
        return VIEW_FIELDS if obj else ApiKeyCreateForm.Meta.fields

    def service_save(self, request, form, formsets, change):
        data = form.cleaned_data
        api_key, token = api_key_create(
            entity=data["entity"], scopes=data["scopes"], name=data["name"], livemode=data["livemode"]
        )
        # The only time the token is ever shown: Django's messages are displayed once.
        messages.warning(
            request,
            format_html(
                "Copy this key now, it will not be shown again: <code id='new-api-key-token'>{}</code>",
                token,
            ),
        )
        return api_key

    @admin.display(description="scopes")
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    @admin.display(description="status")
    def status(self, obj):
        return "revoked" if obj.revoked_at else "active"

    @admin.action(description="Revoke selected API keys")
    def revoke_selected(self, request, queryset):
        for api_key in queryset:
            api_key_revoke(api_key=api_key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
