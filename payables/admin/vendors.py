"""Vendors: created and edited through the services; the change page lists the vendor's credits."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from erp.adminkit import ServiceFormMixin, adopt
from payables.admin.common import ReadOnlyInline
from payables.models import Vendor, VendorCredit
from payables.services import vendor_create, vendor_update


class VendorForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ["entity", "name", "email", "external_reference"]

    def validate_constraints(self, exclude=None):
        # The service validates with precise messages (and the database enforces).
        return None

    def service_call(self):
        data = self.cleaned_data
        fields = {
            "name": data["name"],
            "email": data["email"],
            "external_reference": data["external_reference"],
        }
        if self.instance._state.adding:
            return vendor_create(entity=data["entity"], **fields)
        return vendor_update(vendor=self.instance, **fields)


class VendorCreditHistoryInline(ReadOnlyInline):
    """The vendor's credits, newest first, each with the payments that spent from it."""

    model = VendorCredit
    fk_name = "vendor"
    verbose_name_plural = "credit history"
    fields = readonly_fields = [
        "credit",
        "created_at",
        "amount",
        "remaining_amount",
        "expired_amount",
        "status",
        "expires_at",
        "consumption",
    ]
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("applications__payment")

    @admin.display(description="credit")
    def credit(self, obj):
        url = reverse("admin:payables_vendorcredit_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.credit_number)

    @admin.display(description="spent by")
    def consumption(self, obj):
        spent = sorted(obj.applications.all(), key=lambda a: a.payment.created_at)
        if not spent:
            return "—"
        return format_html_join(
            "",
            '<div class="credit-consumption"><a href="{}">{}</a> {} — {}{}</div>',
            (
                (
                    reverse("admin:payables_appayment_change", args=[a.payment_id]),
                    a.payment.number,
                    a.payment.payment_date,
                    a.amount,
                    " (payment void, restored)" if a.payment.status == a.payment.Status.VOID else "",
                )
                for a in spent
            ),
        )


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    form = VendorForm
    list_display = ["name", "entity", "email", "external_reference", "created_at"]
    list_filter = ["entity"]
    search_fields = ["name", "email", "external_reference"]
    inlines = [VendorCreditHistoryInline]
    change_form_template = "admin/payables/vendor/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return ["entity", "created_at", "updated_at"] if obj else []

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def save_model(self, request, obj, form, change):
        adopt(obj, form.result)

    def save_related(self, request, form, formsets, change):
        # The credit history inline is read-only (no form can change a credit); saving it only records
        # "nothing changed" for the admin's history. No m2m fields: no save_m2m().
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        return False
