"""Vendor bills: added with their lines through vendor_bill_create (posted, or saved as a draft), a draft
edited, posted or deleted, a posted bill read-only and voidable."""

from django import forms
from django.contrib import admin

from erp.adminkit import ReadOnlyInline
from ledger.documents.admin import DocumentAdmin, DocumentForm
from ledger.documents.admin_drafts import DraftAdminMixin, DraftLineInline
from payables.models import APPaymentApplication, VendorBill, VendorBillLine
from payables.services import (
    vendor_bill_create,
    vendor_bill_delete,
    vendor_bill_post,
    vendor_bill_update,
    vendor_bill_void,
)


class VendorBillAddForm(DocumentForm):
    class Meta:
        model = VendorBill
        fields = ["vendor", "bill_date", "due_date", "vendor_reference"]
        widgets = {
            "bill_date": forms.DateInput(attrs={"type": "date"}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
        }


class VendorBillLineInline(DraftLineInline):
    model = VendorBillLine


class BillApplicationInline(ReadOnlyInline):
    model = APPaymentApplication
    fk_name = "bill"
    verbose_name_plural = "payments applied"
    fields = readonly_fields = ["payment", "payment_status", "amount_applied"]

    @admin.display(description="payment status")
    def payment_status(self, obj):
        return obj.payment.status


@admin.register(VendorBill)
class VendorBillAdmin(DraftAdminMixin, DocumentAdmin):
    add_form = VendorBillAddForm
    header_fields = VendorBillAddForm.Meta.fields
    line_inline = VendorBillLineInline
    create_service = staticmethod(vendor_bill_create)
    update_service, delete_service = staticmethod(vendor_bill_update), staticmethod(vendor_bill_delete)
    post_service, draft_keyword = staticmethod(vendor_bill_post), "bill"
    posted_inlines = [BillApplicationInline]
    search_fields = ["number", "vendor_reference", "vendor__name"]
    date_hierarchy = "bill_date"

    def void_row(self, row, *, reason, voided_by):
        vendor_bill_void(bill=row, reason=reason, voided_by=voided_by)
