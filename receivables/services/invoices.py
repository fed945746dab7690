"""Invoices: create (posted DR accounts_receivable / CR revenue, numbered last) and void (reversed)."""

import datetime
from collections.abc import Sequence

from django.db import transaction

from erp.models import Entity
from ledger.documents import services as kit
from receivables.lock_objects import invoice_for_update
from receivables.models import Customer, Invoice, InvoiceLine

# The kit's line: description, unit_price, quantity (default 1).
InvoiceLineInput = kit.LineInput


def invoice_create(
    *,
    entity: Entity,
    customer_id,
    invoice_date: datetime.date,
    lines: Sequence[kit.LineInput],
    due_date: datetime.date | None = None,
    notes: str = "",
    created_by: str = "",
) -> Invoice:
    """Create and post an invoice; due_date defaults to the invoice date (due on receipt)."""
    customer = kit.party_of(Customer, entity=entity, party_id=customer_id, param="customer_id")
    invoice_date = kit.posting_date_parse(invoice_date, entity=entity, param="invoice_date")
    due_date = invoice_date if due_date is None else kit.date_parse(due_date, param="due_date")
    kit.due_date_check(invoice_date, due_date, date_param="invoice_date")
    notes = kit.text_parse(notes, param="notes", max_length=5000)
    priced, total = kit.lines_price(lines)
    return kit.document_post(
        model=Invoice,
        line_model=InvoiceLine,
        entity=entity,
        date=invoice_date,
        lines=priced,
        total=total,
        journal_lines=[("accounts_receivable", total, 0), ("revenue", 0, total)],
        memo=f"Invoice to {customer.name}",
        counter_type="invoice",
        created_by=created_by,
        customer=customer,
        invoice_date=invoice_date,
        due_date=due_date,
        notes=notes,
    )


def invoice_void(*, invoice: Invoice, reason: str, voided_by: str = "") -> Invoice:
    """Void an invoice nothing is applied to, posting the reversal of its entry; a reason is required."""
    reason = kit.reason_parse(reason)
    with transaction.atomic():
        locked = invoice_for_update(invoice=invoice)
        kit.document_void(locked, reason=reason, voided_by=voided_by, memo=f"Void of invoice {locked.number}")
    return Invoice.objects.prefetch_related("lines").get(pk=locked.pk)
