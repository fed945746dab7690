"""Entities: created and renamed through entity_create / entity_update."""

from django import forms
from django.contrib import admin

from erp.access import Role
from erp.adminkit import ServiceAdmin, ServiceForm, actor_of
from erp.models import Entity
from erp.services.entities import entity_create, entity_update
from erp.services.lock_date import entity_lock_date_set


class EntityForm(ServiceForm, forms.ModelForm):
    class Meta:
        model = Entity
        fields = [
            "name",
            "code",
            "base_currency",
            "fiscal_year_start_month",
            "vendor_credit_expiry_days",
            "lock_date",
        ]
        widgets = {"lock_date": forms.DateInput(attrs={"type": "date"})}

    def clean_base_currency(self):
        return (self.cleaned_data.get("base_currency") or "").strip().upper()


@admin.register(Entity)
class EntityAdmin(ServiceAdmin):
    form = EntityForm
    # Members see their entities and test books (docs/access.md); an entity admin edits its settings.
    write_role = Role.ADMIN
    list_display = ["name", "code", "livemode", "base_currency", "fiscal_year_start_month", "created_at"]
    list_filter = ["livemode"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # Closing periods needs its own permission (docs/posting.md, "Closed periods").
        # A new entity has no closed period yet.
        lock = [] if obj and request.user.has_perm("erp.set_lock_date") else ["lock_date"]
        # Fixed at creation: numbers and postings already depend on them.
        fixed = ["code", "base_currency", "fiscal_year_start_month", "id", "created_at"] if obj else []
        return [*fixed, *lock]

    def service_save(self, request, form, formsets, change):
        data = form.cleaned_data
        if change:
            entity = entity_update(
                entity=form.instance,
                name=data["name"],
                vendor_credit_expiry_days=data["vendor_credit_expiry_days"],
            )
            if "lock_date" in data and data["lock_date"] != entity.lock_date:
                entity = entity_lock_date_set(
                    entity=entity, lock_date=data["lock_date"], set_by=actor_of(request)
                )
            return entity
        return entity_create(
            name=data["name"],
            code=data["code"],
            base_currency=data["base_currency"],
            fiscal_year_start_month=data["fiscal_year_start_month"],
            vendor_credit_expiry_days=data["vendor_credit_expiry_days"],
        )

    def has_add_permission(self, request):
        # A new entity has no members yet: only a superuser creates one and gives access to it.
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        # Test books follow their live entity (erp/services/modes.py); their lock date is the API's.
        if obj is not None and not obj.livemode:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
