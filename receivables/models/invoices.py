"""Invoices and their lines: what a customer owes, numbered from the `invoice` counter."""

from django.db import models
from django.db.models import ExpressionWrapper, F, Q

from ledger.documents import models as documents
from receivables.models.customers import Customer

# receivables/migrations/0003_database_guards.sql: what the database checks at commit, for invoices
# and payments alike (a payment moves invoice balances, and its void restores them).
COMMIT_CHECKS = (
    "receivables_invoice_consistent",
    "receivables_invoice_numbered_or_voided",
    "receivables_invoice_balance_consistent",
    "receivables_payment_consistent",
    "receivables_invoice_draft_lines_consistent",
)
MAX_PAYMENT_TERMS_DAYS = 365


class Invoice(documents.PostedDocument):
    """A customer invoice: posted DR receivable / CR revenue, paid down by payments."""

    # Its composite indexes (Meta.indexes, the unique number) lead with the entity: no index of its own.
    entity = documents.entity_reference("invoices", indexed=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    invoice_date = models.DateField()
    due_date = models.DateField()
    notes = models.TextField(blank=True)
    # Who the invoice is addressed to, as printed (docs/receivables.md, "Bill-to and terms").
    bill_to = models.TextField(blank=True)
    # Net N days: due_date = invoice_date + N. None: a due date given without terms.
    payment_terms_days = models.PositiveSmallIntegerField(null=True, blank=True)

    commit_checks = COMMIT_CHECKS

    class Meta(documents.PostedDocument.Meta):
        indexes = documents.document_indexes("invoice", party="customer", date_field="invoice_date")
        constraints = [
            *documents.document_constraints("invoice", noun="invoice", date_field="invoice_date"),
            models.CheckConstraint(
                condition=Q(payment_terms_days__isnull=True)
                | Q(
                    payment_terms_days__lte=MAX_PAYMENT_TERMS_DAYS,
                    due_date=ExpressionWrapper(
                        F("invoice_date") + F("payment_terms_days"), output_field=models.DateField()
                    ),
                ),
                name="invoice_due_date_follows_terms",
            ),
        ]


class InvoiceLine(documents.DocumentLine):
    """One line of an invoice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")

    class Meta(documents.DocumentLine.Meta):
        constraints = documents.line_constraints("invoice_line", document_field="invoice")
