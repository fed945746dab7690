"""Invoices: added with their lines through invoice_create (posted, or saved as a draft), a draft edited,
posted or deleted, a posted invoice read-only and voided with a reason; printed as HTML or PDF."""

from django.contrib import admin
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse

from erp.money import money_grouped
from ledger.documents.admin import DocumentAdmin, DocumentForm
from ledger.documents.admin_drafts import DraftAdminMixin, DraftLineInline
from receivables.models import Invoice, InvoiceLine
from receivables.printing import invoice_pdf, invoice_printed, pdf_filename
from receivables.services import invoice_create, invoice_delete, invoice_post, invoice_update, invoice_void


class InvoiceForm(DocumentForm):
    class Meta:
        model = Invoice
        fields = ["customer", "invoice_date", "payment_terms_days", "due_date", "bill_to", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].required = False
        self.fields["due_date"].help_text = "Empty: from the terms, or due on receipt (the invoice date)."
        self.fields["payment_terms_days"].label = "Terms (net days)"
        self.fields["payment_terms_days"].help_text = "Net N days: the due date is the invoice date + N."
        self.fields["bill_to"].required = False
        self.fields["bill_to"].widget.attrs["rows"] = 3
        self.fields["bill_to"].help_text = "Empty: the customer's name and email."


class InvoiceLineInline(DraftLineInline):
    model = InvoiceLine


@admin.register(Invoice)
class InvoiceAdmin(DraftAdminMixin, DocumentAdmin):
    add_form = InvoiceForm
    header_fields = InvoiceForm.Meta.fields
    line_inline = InvoiceLineInline
    create_service = staticmethod(invoice_create)
    update_service, delete_service = staticmethod(invoice_update), staticmethod(invoice_delete)
    post_service, draft_keyword = staticmethod(invoice_post), "invoice"
    search_fields = ["number", "customer__name"]
    date_hierarchy = "invoice_date"

    def void_row(self, row, *, reason, voided_by):
        invoice_void(invoice=row, reason=reason, voided_by=voided_by)

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/print/",
                self.admin_site.admin_view(self.print_view),
                name="receivables_invoice_print",
            ),
            path(
                "<path:object_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="receivables_invoice_pdf",
            ),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        links = [
            {"url": reverse(f"admin:receivables_invoice_{kind}", args=[quote(unquote(object_id))]), **link}
            for kind, link in (
                ("print", {"label": "Print", "id": "print-link", "css": "viewlink"}),
                ("pdf", {"label": "PDF", "id": "pdf-link", "css": "viewlink"}),
            )
        ]
        extra_context = {**(extra_context or {}), "object_links": links}
        return super().change_view(request, object_id, form_url, extra_context)

    def _printable(self, request, object_id) -> Invoice:
        invoice = self.get_object(request, unquote(object_id))  # another entity's is a 404
        if invoice is None or not self.has_view_permission(request, invoice):
            raise PermissionDenied
        return invoice

    def print_view(self, request, object_id):
        """The invoice as a printable page (what its PDF shows)."""
        invoice = self._printable(request, object_id)
        printed = invoice_printed(invoice)
        return TemplateResponse(
            request,
            "admin/receivables/invoice/print.html",
            {
                "printed": printed,
                "lines": [
                    {
                        **vars(line),
                        "unit_price": money_grouped(line.unit_price),
                        "amount": money_grouped(line.amount),
                    }
                    for line in printed.lines
                ],
                "total": money_grouped(printed.total),
                "paid": money_grouped(printed.paid),
                "balance_due": money_grouped(printed.balance_due),
                "change_url": reverse("admin:receivables_invoice_change", args=[quote(invoice.pk)]),
                "pdf_url": reverse("admin:receivables_invoice_pdf", args=[quote(invoice.pk)]),
            },
        )

    def pdf_view(self, request, object_id):
        """The invoice as a PDF file."""
        invoice = self._printable(request, object_id)
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{pdf_filename(invoice)}"'
        return response
