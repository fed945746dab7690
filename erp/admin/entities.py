"""Entities: created and renamed through entity_create / entity_update."""

from django import forms
from django.contrib import admin

from erp.adminkit import ServiceAdmin, ServiceForm
from erp.models import Entity
from erp.services.entities import entity_create, entity_update


class EntityForm(ServiceForm, forms.ModelForm):
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


@admin.register(Entity)
class EntityAdmin(ServiceAdmin):
    form = EntityForm
    list_display = ["name", "code", "base_currency", "fiscal_year_start_month", "created_at"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # Fixed at creation: numbers and postings already depend on them.
        return ["code", "base_currency", "fiscal_year_start_month", "id", "created_at"] if obj else []

    def service_save(self, request, form, formsets, change):
        data = form.cleaned_data
        if change:
            return entity_update(
                entity=form.instance,
                name=data["name"],
                vendor_credit_expiry_days=data["vendor_credit_expiry_days"],
            )
        return entity_create(
            name=data["name"],
            code=data["code"],
            base_currency=data["base_currency"],
            fiscal_year_start_month=data["fiscal_year_start_month"],
            vendor_credit_expiry_days=data["vendor_credit_expiry_days"],
        )

    def has_delete_permission(self, request, obj=None):
        return False
