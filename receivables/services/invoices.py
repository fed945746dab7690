"""Invoices: create (posted DR accounts_receivable / CR revenue, numbered last) and void (reversed)."""

import datetime
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from erp.exceptions import Conflict, InvalidInput, NotFound, RuleViolation
from erp.models import Entity
from erp.money import CENT, MAX_AMOUNT, money_parse
from ledger.services import journal_entry_number, journal_entry_record, journal_entry_record_reversal
from receivables.lock_objects import invoice_for_update
from receivables.models import Customer, Invoice, InvoiceLine

MAX_LINES = 200
MAX_QUANTITY = Decimal("99999999.9999")  # Decimal(12, 4)
QUANTITY_PLACES = Decimal("0.0001")
_TEXT_LIMITS = {"notes": 5000, "created_by": 100}


@dataclass(frozen=True)
class InvoiceLineInput:
    """A line as a caller gives it; quantity defaults to 1."""

    description: str
    unit_price: Decimal | str | int | float
    quantity: Decimal | str | int | float = 1


def invoice_create(
    *,
    entity: Entity,
    customer_id,
    invoice_date: datetime.date,
    lines: list[InvoiceLineInput],
    due_date: datetime.date | None = None,
    notes: str = "",
    created_by: str = "",
) -> Invoice:
    """Create and post an invoice; due_date defaults to the invoice date (due on receipt)."""
    customer = _customer_of(entity, customer_id)
    if not _is_date(invoice_date):
        raise InvalidInput("invoice_date must be a date.", code="parameter_invalid", param="invoice_date")
    due_date = invoice_date if due_date is None else due_date
    if not _is_date(due_date):
        raise InvalidInput("due_date must be a date.", code="parameter_invalid", param="due_date")
    if due_date < invoice_date:
        raise RuleViolation(
            "due_date cannot be before invoice_date.", code="due_before_invoice_date", param="due_date"
        )
    _check_text(notes=notes, created_by=created_by)
    priced = _priced_lines(lines)
    total = sum((amount for _, _, _, amount in priced), Decimal("0.00"))
    if total <= 0:
        raise RuleViolation(
            "An invoice must total more than zero.", code="invoice_total_not_positive", param="lines"
        )
    if total > MAX_AMOUNT:
        raise InvalidInput(f"The invoice total exceeds {MAX_AMOUNT}.", code="amount_too_large", param="lines")

    from numbering.services import counter_type_issue_next

    invoice_id = uuid.uuid4()
    with transaction.atomic():
        entry = journal_entry_record(
            entity=entity,
            date=invoice_date,
            memo=f"Invoice to {customer.name}"[:500],
            lines=[("accounts_receivable", total, 0), ("revenue", 0, total)],
            source_type="invoice",
            source_id=str(invoice_id),
            posted_by=created_by,
        )
        invoice = Invoice.objects.create(
            id=invoice_id,
            entity=entity,
            customer=customer,
            invoice_date=invoice_date,
            due_date=due_date,
            notes=notes,
            total=total,
            balance_due=total,
            status=Invoice.Status.OPEN,
            journal_entry=entry,
            created_by=created_by,
        )
        invoice_lines = InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=invoice,
                    position=position,
                    description=description,
                    quantity=quantity,
                    unit_price=unit_price,
                    amount=amount,
                )
                for position, (description, quantity, unit_price, amount) in enumerate(priced, start=1)
            ]
        )
        # Numbers last, each written with one UPDATE: first the invoice's own counter, then the
        # entity-wide journal counter, the hottest lock, held only for its UPDATE and the commit.
        issued = counter_type_issue_next(
            entity=entity,
            counter_type="invoice",
            date=invoice_date,
            document_type="invoice",
            document_id=str(invoice_id),
            issued_by=created_by,
        )
        Invoice.objects.filter(pk=invoice_id).update(number=issued.number)
        journal_entry_number(entry=entry, issued_by=created_by)
    invoice.number = issued.number
    invoice._prefetched_objects_cache = {"lines": invoice_lines}
    return invoice


def invoice_void(*, invoice: Invoice, reason: str = "", voided_by: str = "") -> Invoice:
    """Void an invoice nothing is applied to, posting the reversal of its entry."""
    if not isinstance(reason, str) or len(reason) > 500:
        raise InvalidInput("reason must be at most 500 characters.", code="reason_too_long", param="reason")
    _check_text(created_by=voided_by)
    with transaction.atomic():
        locked = invoice_for_update(invoice=invoice)
        if locked.status == Invoice.Status.VOID:
            raise Conflict(f"Invoice {locked.number} is already void.", code="invoice_already_void")
        if locked.status != Invoice.Status.OPEN:
            raise RuleViolation(
                f"Invoice {locked.number} has payments applied; void those payments first.",
                code="invoice_has_payments",
            )
        now = timezone.now()
        reversal = journal_entry_record_reversal(
            entry=locked.journal_entry,
            date=max(timezone.localdate(), locked.invoice_date),
            memo=f"Void of invoice {locked.number}",
            posted_by=voided_by,
        )
        Invoice.objects.filter(pk=locked.pk).update(
            status=Invoice.Status.VOID,
            balance_due=0,
            void_journal_entry=reversal,
            void_reason=reason.strip(),
            voided_at=now,
            voided_by=voided_by,
            updated_at=now,
        )
        journal_entry_number(entry=reversal, issued_by=voided_by)
    return Invoice.objects.prefetch_related("lines").get(pk=locked.pk)


def _customer_of(entity: Entity, customer_id) -> Customer:
    try:
        customer_id = uuid.UUID(str(customer_id))
    except ValueError:
        raise InvalidInput(
            "customer_id must be a UUID.", code="parameter_invalid", param="customer_id"
        ) from None
    customer = Customer.objects.filter(entity=entity, pk=customer_id).first()
    if customer is None:
        raise NotFound("No such customer.", code="resource_missing", param="customer_id")
    return customer


def _priced_lines(lines) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    if not isinstance(lines, list | tuple) or not 1 <= len(lines) <= MAX_LINES:
        raise InvalidInput(f"An invoice has 1–{MAX_LINES} lines.", code="invalid_line_count", param="lines")
    priced = []
    for index, line in enumerate(lines):
        param = f"lines[{index}]"
        description = line.description.strip() if isinstance(line.description, str) else None
        if not description:
            raise InvalidInput(
                "Each line needs a description.", code="parameter_missing", param=f"{param}.description"
            )
        if len(description) > 500:
            raise InvalidInput(
                "description is longer than 500 characters.",
                code="description_too_long",
                param=f"{param}.description",
            )
        quantity = _quantity(line.quantity, param=f"{param}.quantity")
        unit_price = money_parse(line.unit_price, param=f"{param}.unit_price", positive=False)
        amount = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount > MAX_AMOUNT:
            raise InvalidInput(f"The line amount exceeds {MAX_AMOUNT}.", code="amount_too_large", param=param)
        priced.append((description, quantity, unit_price, amount))
    return priced


def _quantity(value, *, param: str) -> Decimal:
    if value is None or isinstance(value, bool):
        raise InvalidInput("quantity must be a number.", code="parameter_invalid", param=param)
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput("quantity must be a number.", code="parameter_invalid", param=param) from None
    if not quantity.is_finite() or quantity <= 0:
        raise InvalidInput("quantity must be greater than zero.", code="quantity_not_positive", param=param)
    if quantity > MAX_QUANTITY or quantity != quantity.quantize(QUANTITY_PLACES):
        raise InvalidInput(
            f"quantity must be at most {MAX_QUANTITY} with at most four decimal places.",
            code="parameter_invalid",
            param=param,
        )
    return quantity.quantize(QUANTITY_PLACES)


def _is_date(value) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _check_text(**text) -> None:
    for name, value in text.items():
        if not isinstance(value, str) or len(value) > _TEXT_LIMITS[name]:
            raise InvalidInput(
                f"{name} must be text of at most {_TEXT_LIMITS[name]} characters.",
                code=f"invalid_{name}",
                param=name,
            )
