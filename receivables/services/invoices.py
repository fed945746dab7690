"""Invoices: saved as drafts or posted at once (DR accounts_receivable / CR revenue, numbered last); drafts
edited, deleted and posted; posted invoices voided (reversed). docs/receivables.md, "Drafts" and "Bill-to
and terms".
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from erp.exceptions import InvalidInput, RuleViolation
from erp.models import Entity
from ledger.documents import services as kit
from receivables.lock_objects import invoice_for_update
from receivables.models import Customer, Invoice, InvoiceLine
from receivables.models.invoices import MAX_PAYMENT_TERMS_DAYS

# The kit's line: description, unit_price, quantity (default 1).
InvoiceLineInput = kit.LineInput
MAX_BILL_TO = 1000
UNCHANGED = kit.UNCHANGED


@dataclass(frozen=True)
class _Header:
    """An invoice's checked header: everything but its lines."""

    customer: Customer
    invoice_date: datetime.date
    due_date: datetime.date
    payment_terms_days: int | None
    bill_to: str
    notes: str

    def fields(self) -> dict:
        return {
            "customer_id": self.customer.pk,
            "invoice_date": self.invoice_date,
            "due_date": self.due_date,
            "payment_terms_days": self.payment_terms_days,
            "bill_to": self.bill_to,
            "notes": self.notes,
        }


def invoice_create(
    *,
    entity: Entity,
    customer_id,
    invoice_date: datetime.date,
    lines: Sequence[kit.LineInput],
    due_date: datetime.date | None = None,
    payment_terms_days: int | None = None,
    bill_to: str | None = None,
    notes: str = "",
    draft: bool = False,
    created_by: str = "",
) -> Invoice:
    """Post an invoice (or save it as a draft: unnumbered, unposted); terms or due date as _header says."""
    header = _header(
        entity=entity,
        customer_id=customer_id,
        invoice_date=invoice_date,
        due_date=due_date,
        payment_terms_days=payment_terms_days,
        bill_to=bill_to,
        notes=notes,
    )
    priced, total = kit.lines_price(lines)
    return kit.document_create(
        draft=draft,
        model=Invoice,
        line_model=InvoiceLine,
        entity=entity,
        date=header.invoice_date,
        date_param="invoice_date",
        lines=priced,
        total=total,
        journal_lines=_postings(total),
        memo=f"Invoice to {header.customer.name}",
        counter_type="invoice",
        created_by=created_by,
        **header.fields(),
    )


def invoice_update(
    *,
    invoice: Invoice,
    customer_id=UNCHANGED,
    invoice_date=UNCHANGED,
    due_date=UNCHANGED,
    payment_terms_days=UNCHANGED,
    bill_to=UNCHANGED,
    notes=UNCHANGED,
    lines=UNCHANGED,
    updated_by: str = "",
) -> Invoice:
    """Change a draft: the fields given (lines given replace all of its lines); a posted invoice is 409.

    What a change implies is _implied's; the header is checked whole again (_header).
    """
    with transaction.atomic():
        locked = invoice_for_update(invoice=invoice)
        kit.draft_check(locked, doing="edited")
        given = {
            name: value
            for name, value in {
                "customer_id": customer_id,
                "invoice_date": invoice_date,
                "due_date": due_date,
                "payment_terms_days": payment_terms_days,
                "bill_to": bill_to,
                "notes": notes,
            }.items()
            if value is not UNCHANGED
        }
        given |= _implied(given, locked)
        kept = {
            "customer_id": locked.customer_id,
            "invoice_date": locked.invoice_date,
            "due_date": locked.due_date,
            "payment_terms_days": locked.payment_terms_days,
            "bill_to": locked.bill_to,
            "notes": locked.notes,
        }
        header = _header(entity=locked.entity, **(kept | given))
        priced, total = kit.lines_price(lines) if lines is not UNCHANGED else (None, None)
        kit.document_draft_update(
            locked, line_model=InvoiceLine, lines=priced, total=total, **header.fields()
        )
    return Invoice.objects.prefetch_related("lines").get(pk=locked.pk)


def invoice_delete(*, invoice: Invoice, deleted_by: str = "") -> None:
    """Delete a draft and its lines; a posted invoice is kept (409: void it instead)."""
    with transaction.atomic():
        kit.document_draft_delete(invoice_for_update(invoice=invoice), line_model=InvoiceLine)


def invoice_post(*, invoice: Invoice, posted_by: str = "") -> Invoice:
    """Post a draft: its entry DR accounts_receivable / CR revenue, then its number, last; 409 if posted.

    Its date is checked again: the lock date or today may have moved since it was saved.
    """
    with transaction.atomic():
        locked = invoice_for_update(invoice=invoice)
        kit.document_draft_post(
            locked,
            date=locked.invoice_date,
            date_param="invoice_date",
            journal_lines=_postings(locked.total),
            memo=f"Invoice to {locked.customer.name}",
            counter_type="invoice",
            posted_by=posted_by,
        )
    return Invoice.objects.prefetch_related("lines").get(pk=locked.pk)


def invoice_void(*, invoice: Invoice, reason: str, voided_by: str = "") -> Invoice:
    """Void an invoice nothing is applied to, posting the reversal of its entry; a reason is required."""
    reason = kit.reason_parse(reason)
    with transaction.atomic():
        locked = invoice_for_update(invoice=invoice)
        kit.document_void(locked, reason=reason, voided_by=voided_by, memo=f"Void of invoice {locked.number}")
    return Invoice.objects.prefetch_related("lines").get(pk=locked.pk)


def _implied(given: dict, draft: Invoice) -> dict:
    """Return what a draft's edit implies besides the fields given.

    A new customer without a bill_to takes the new customer's; a due date given alone replaces the
    terms; a new date or new terms, without a due date, recompute it from the terms (without terms the
    due date stays).
    """
    implied = {}
    if "customer_id" in given and "bill_to" not in given:
        implied["bill_to"] = None
    if "due_date" in given and "payment_terms_days" not in given:
        implied["payment_terms_days"] = None
    terms = given.get("payment_terms_days", draft.payment_terms_days)
    if ("invoice_date" in given or "payment_terms_days" in given) and "due_date" not in given:
        implied["due_date"] = None if terms is not None else draft.due_date
    return implied


def _postings(total: Decimal) -> list[tuple[str, Decimal, Decimal]]:
    return [("accounts_receivable", total, 0), ("revenue", 0, total)]


def _header(
    *, entity: Entity, customer_id, invoice_date, due_date, payment_terms_days, bill_to, notes
) -> _Header:
    """Return the checked header.

    Terms (net N days, 0–365) set the due date to invoice_date + N; a due date given with them must be
    that date (422 `due_date_terms_mismatch`). Without terms the due date is the one given, or the invoice
    date (due on receipt). bill_to defaults to the customer's name and email.
    """
    customer = kit.party_of(Customer, entity=entity, party_id=customer_id, param="customer_id")
    invoice_date = kit.date_parse(invoice_date, param="invoice_date")
    if due_date is not None:
        due_date = kit.date_parse(due_date, param="due_date")
    if payment_terms_days is not None:
        if (
            isinstance(payment_terms_days, bool)
            or not isinstance(payment_terms_days, int)
            or not 0 <= payment_terms_days <= MAX_PAYMENT_TERMS_DAYS
        ):
            raise InvalidInput(
                f"payment_terms_days must be a whole number of days from 0 to {MAX_PAYMENT_TERMS_DAYS}.",
                code="payment_terms_invalid",
                param="payment_terms_days",
            )
        computed = invoice_date + datetime.timedelta(days=payment_terms_days)
        if due_date is not None and due_date != computed:
            raise RuleViolation(
                f"due_date {due_date.isoformat()} is not invoice_date + {payment_terms_days} days "
                f"({computed.isoformat()}); give one of them, or both agreeing.",
                code="due_date_terms_mismatch",
                param="due_date",
            )
        due_date = computed
    elif due_date is None:
        due_date = invoice_date
    kit.due_date_check(invoice_date, due_date, date_param="invoice_date")
    bill_to = kit.text_parse(bill_to, param="bill_to", max_length=MAX_BILL_TO)
    if not bill_to:
        bill_to = "\n".join(part for part in (customer.name, customer.email) if part)
    return _Header(
        customer=customer,
        invoice_date=invoice_date,
        due_date=due_date,
        payment_terms_days=payment_terms_days,
        bill_to=bill_to,
        notes=kit.text_parse(notes, param="notes", max_length=5000),
    )
