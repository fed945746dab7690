"""Invoices: added with their lines through invoice_create, read-only once posted, voided with a reason."""

from django.contrib import admin

from ledger.documents.admin import DocumentAdmin, DocumentForm, DocumentLineInline
from receivables.models import Invoice, InvoiceLine
from receivables.services import invoice_create, invoice_void


class InvoiceForm(DocumentForm):
    class Meta:
        model = Invoice
        fields = ["customer", "invoice_date", "due_date", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].required = False
        self.fields["due_date"].help_text = "Empty: due on receipt (the invoice date)."


class InvoiceLineInline(DocumentLineInline):
    model = InvoiceLine


@admin.register(Invoice)
class InvoiceAdmin(DocumentAdmin):
    add_form = InvoiceForm
    header_fields = InvoiceForm.Meta.fields
    line_inline = InvoiceLineInline
    create_service = staticmethod(invoice_create)
    search_fields = ["number", "customer__name"]
    date_hierarchy = "invoice_date"

    def void_row(self, row, *, reason, voided_by):
        invoice_void(invoice=row, reason=reason, voided_by=voided_by)
