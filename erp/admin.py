"""Admin for the platform: the branded site, entities and API keys (writes go through services)."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from erp.adminkit import ServiceFormMixin, adopt
from erp.models import ApiKey, Entity
from erp.scopes import SCOPES
from erp.services.api_keys import api_key_create, api_key_revoke
from erp.services.entities import entity_create, entity_update

admin.site.site_header = "Folio back office"
admin.site.site_title = "Folio"
admin.site.index_title = "Numbering, receivables and payables"


class EntityForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = Entity
        fields = [
            "name",
            "code",
            "base_currency",
            "fiscal_year_start_month",
            "vendor_credit_expiry_days",
        ]

    def clean_base_currency(self):
        return (self.cleaned_data.get("base_currency") or "").strip().upper()

    def service_call(self):
        data = self.cleaned_data
        if self.instance._state.adding:
            return entity_create(
                name=data["name"],
                code=data["code"],
                base_currency=data["base_currency"],
                fiscal_year_start_month=data["fiscal_year_start_month"],
                vendor_credit_expiry_days=data["vendor_credit_expiry_days"],
            )
        return entity_update(
            entity=self.instance,
            name=data["name"],
            vendor_credit_expiry_days=data["vendor_credit_expiry_days"],
        )


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    form = EntityForm
    list_display = ["name", "code", "base_currency", "fiscal_year_start_month", "created_at"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # Fixed at creation: numbers and postings already depend on them.
        return ["code", "base_currency", "fiscal_year_start_month", "id", "created_at"] if obj else []

    def save_model(self, request, obj, form, change):
        adopt(obj, form.result)

    def has_delete_permission(self, request, obj=None):
        return False


class ApiKeyCreateForm(ServiceFormMixin, forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=[(s, s) for s in sorted(SCOPES)], widget=forms.CheckboxSelectMultiple
    )
    livemode = forms.BooleanField(required=False, initial=True, label="Live key (uncheck for a test key)")

    class Meta:
        model = ApiKey
        fields = ["entity", "name", "scopes", "livemode"]

    def service_call(self):
        data = self.cleaned_data
        return api_key_create(
            entity=data["entity"],
            scopes=data["scopes"],
            name=data["name"],
            livemode=data["livemode"],
        )


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
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
    readonly_fields = [
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj else ["entity", "name", "scopes", "livemode"]

    def save_model(self, request, obj, form, change):
        api_key, token = form.result
        adopt(obj, api_key)
        # The only time the token is ever shown: Django's messages are displayed once.
        messages.warning(
            request,
            format_html(
                "Copy this key now, it will not be shown again: <code id='new-api-key-token'>{}</code>",
                token,
            ),
        )

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
