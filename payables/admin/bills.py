"""Vendor bills: added with their lines through vendor_bill_create, read-only once posted, voidable."""

from django import forms
from django.contrib import admin

from erp.adminkit import ReadOnlyInline
from ledger.documents.admin import DocumentAdmin, DocumentForm, DocumentLineInline
from payables.models import APPaymentApplication, VendorBill, VendorBillLine
from payables.services import vendor_bill_create, vendor_bill_void


class VendorBillAddForm(DocumentForm):
    class Meta:
        model = VendorBill
        fields = ["vendor", "bill_date", "due_date", "vendor_reference"]
        widgets = {
            "bill_date": forms.DateInput(attrs={"type": "date"}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
        }


class VendorBillLineInline(DocumentLineInline):
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
class VendorBillAdmin(DocumentAdmin):
    add_form = VendorBillAddForm
    header_fields = VendorBillAddForm.Meta.fields
    line_inline = VendorBillLineInline
    create_service = staticmethod(vendor_bill_create)
    posted_inlines = [BillApplicationInline]
    search_fields = ["number", "vendor_reference", "vendor__name"]
    date_hierarchy = "bill_date"

    def void_row(self, row, *, reason, voided_by):
        vendor_bill_void(bill=row, reason=reason, voided_by=voided_by)
