"""Vendors: created and edited through the services; the change page lists the vendor's credits."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from erp.adminkit import ReadOnlyInline
from ledger.documents.admin import PartyAdmin
from payables.models import Vendor, VendorCredit
from payables.services import vendor_create, vendor_update


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
class VendorAdmin(PartyAdmin):
    inlines = [VendorCreditHistoryInline]
    change_form_template = "admin/payables/vendor/change_form.html"

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def party_create(self, **fields):
        return vendor_create(**fields)

    def party_update(self, party, **fields):
        return vendor_update(vendor=party, **fields)
