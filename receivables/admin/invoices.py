"""Invoices: added with their lines through invoice_create, read-only once posted, voided with a reason."""

from django.contrib import admin

from ledger.documents.admin import DocumentAdmin, DocumentForm, DocumentLineInline, party_choice
from ledger.documents.services import LineInput
from receivables.models import Customer, Invoice, InvoiceLine
from receivables.services import invoice_create, invoice_void


class InvoiceForm(DocumentForm):
    customer = party_choice(Customer)
    params = {"customer_id": "customer"}

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
    search_fields = ["number", "customer__name"]
    date_hierarchy = "invoice_date"

    def document_create(self, header, lines, *, created_by):
        customer = header["customer"]
        return invoice_create(
            entity=customer.entity,
            customer_id=customer.pk,
            invoice_date=header["invoice_date"],
            due_date=header["due_date"],
            notes=header["notes"],
            lines=[LineInput(**line) for line in lines],
            created_by=created_by,
        )

    def void_row(self, row, *, reason, voided_by):
        invoice_void(invoice=row, reason=reason, voided_by=voided_by)
