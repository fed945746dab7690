"""Vendor bills: create (posted and numbered in one transaction) and void (only with nothing applied)."""

import datetime
import uuid
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from erp.exceptions import Conflict, InvalidInput, RuleViolation
from erp.models import Entity
from erp.money import CENT, MAX_AMOUNT, money_parse
from ledger.services import journal_entry_number, journal_entry_record, journal_entry_record_reversal
from numbering.services import counter_type_issue_next
from payables.lock_objects import vendor_bill_for_update
from payables.models import VendorBill, VendorBillLine
from payables.services.inputs import date_checked, text_checked, vendor_of
from payables.services.postings import vendor_bill_lines

MAX_LINES = 200
QUANTITY_PLACES = Decimal("0.0001")
MAX_QUANTITY = Decimal("99999999.9999")


def vendor_bill_create(
    *,
    entity: Entity,
    vendor_id,
    bill_date: datetime.date,
    lines: Sequence[Mapping],
    due_date: datetime.date | None = None,
    vendor_reference: str = "",
    created_by: str = "",
) -> VendorBill:
    """Record a vendor's bill: its lines, the posting DR expense / CR accounts_payable, then its number."""
    vendor = vendor_of(entity=entity, vendor_id=vendor_id)
    bill_date = date_checked(bill_date, param="bill_date")
    if due_date is not None:
        due_date = date_checked(due_date, param="due_date")
        if due_date < bill_date:
            raise RuleViolation(
                "due_date cannot be before bill_date.", code="due_date_before_bill_date", param="due_date"
            )
    vendor_reference = text_checked(vendor_reference, param="vendor_reference", max_length=200)
    checked = _checked_lines(lines)
    total = sum((amount for *_, amount in checked), Decimal("0.00"))
    if total <= 0:
        raise RuleViolation(
            "A bill's total must be greater than zero.", code="bill_total_not_positive", param="lines"
        )
    if total > MAX_AMOUNT:
        raise InvalidInput(
            f"A bill's total must be at most {MAX_AMOUNT}.", code="amount_too_large", param="lines"
        )
    with transaction.atomic():
        bill_id = uuid.uuid4()
        entry = journal_entry_record(
            entity=entity,
            date=bill_date,
            memo=f"Vendor bill from {vendor.name}"[:500],
            lines=vendor_bill_lines(total=total),
            source_type="vendor_bill",
            source_id=str(bill_id),
            posted_by=created_by,
        )
        bill = VendorBill.objects.create(
            id=bill_id,
            entity=entity,
            vendor=vendor,
            bill_date=bill_date,
            due_date=due_date,
            vendor_reference=vendor_reference,
            total=total,
            balance_due=total,
            status=VendorBill.Status.OPEN,
            journal_entry=entry,
            created_by=created_by,
        )
        VendorBillLine.objects.bulk_create(
            [
                VendorBillLine(
                    bill=bill,
                    position=position,
                    description=description,
                    quantity=quantity,
                    unit_price=unit_price,
                    amount=amount,
                )
                for position, (description, quantity, unit_price, amount) in enumerate(checked, start=1)
            ]
        )
        # Numbers last: the bill's own counter, then the journal's (the lock every posting shares).
        issued = counter_type_issue_next(
            entity=entity,
            counter_type="vendor_bill",
            date=bill_date,
            document_type="vendor_bill",
            document_id=str(bill.pk),
            issued_by=created_by,
        )
        VendorBill.objects.filter(pk=bill.pk).update(number=issued.number)
        bill.number = issued.number
        journal_entry_number(entry=entry, issued_by=created_by)
    return bill


def vendor_bill_void(*, bill: VendorBill, reason: str = "", voided_by: str = "") -> VendorBill:
    """Void a bill nothing was applied to, posting the reversal of its entry."""
    reason = text_checked(reason, param="reason", max_length=500)
    with transaction.atomic():
        locked = vendor_bill_for_update(bill=bill)
        if locked.status == VendorBill.Status.VOID:
            raise Conflict(f"{locked} is already void.", code="bill_already_void")
        if locked.status != VendorBill.Status.OPEN:
            raise RuleViolation(
                f"{locked} has payments applied; void those payments first.", code="bill_has_payments"
            )
        original = locked.journal_entry
        reversal = journal_entry_record_reversal(
            entry=original,
            date=max(timezone.localdate(), original.date),
            memo=f"Void of vendor bill {locked}",
            posted_by=voided_by,
        )
        locked.status = VendorBill.Status.VOID
        locked.balance_due = Decimal("0.00")
        locked.void_journal_entry = reversal
        locked.void_reason = reason
        locked.voided_at = timezone.now()
        locked.voided_by = voided_by
        locked.save(
            update_fields=[
                "status",
                "balance_due",
                "void_journal_entry",
                "void_reason",
                "voided_at",
                "voided_by",
                "updated_at",
            ]
        )
        journal_entry_number(entry=reversal, issued_by=voided_by)
    return locked


def _checked_lines(lines) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """Return (description, quantity, unit_price, amount) per line, or raise naming the line's field."""
    if not isinstance(lines, list | tuple) or not lines:
        raise InvalidInput("A bill needs at least one line.", code="lines_required", param="lines")
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"A bill has at most {MAX_LINES} lines.", code="too_many_lines", param="lines")
    checked = []
    for index, line in enumerate(lines):
        param = f"lines[{index}]"
        if not isinstance(line, Mapping):
            raise InvalidInput("Each line is an object.", code="parameter_invalid", param=param)
        description = text_checked(
            line.get("description"), param=f"{param}.description", max_length=500, code="description_too_long"
        )
        if not description:
            raise InvalidInput(
                "Each line needs a description.", code="parameter_missing", param=f"{param}.description"
            )
        quantity = _quantity(line.get("quantity", 1), param=f"{param}.quantity")
        if line.get("unit_price") is None:
            raise InvalidInput(
                "unit_price is required.", code="parameter_missing", param=f"{param}.unit_price"
            )
        unit_price = money_parse(line["unit_price"], param=f"{param}.unit_price", positive=False)
        amount = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount > MAX_AMOUNT:
            raise InvalidInput(
                f"A line's amount must be at most {MAX_AMOUNT}.",
                code="amount_too_large",
                param=f"{param}.quantity",
            )
        checked.append((description, quantity, unit_price, amount))
    return checked


def _quantity(value, *, param: str) -> Decimal:
    if value is None or isinstance(value, bool):
        raise InvalidInput(f"{param} must be a number.", code="parameter_invalid", param=param)
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{param} must be a number.", code="parameter_invalid", param=param) from None
    if not quantity.is_finite():
        raise InvalidInput(f"{param} must be a number.", code="parameter_invalid", param=param)
    if quantity <= 0:
        raise InvalidInput(f"{param} must be greater than zero.", code="quantity_not_positive", param=param)
    if quantity > MAX_QUANTITY:
        raise InvalidInput(f"{param} must be at most {MAX_QUANTITY}.", code="quantity_too_large", param=param)
    if quantity != quantity.quantize(QUANTITY_PLACES):
        raise InvalidInput(
            f"{param} has more than four decimal places.", code="too_many_decimal_places", param=param
        )
    return quantity.quantize(QUANTITY_PLACES)
