"""Vendor bills: create (posted and numbered in one transaction) and void (only with nothing applied)."""

import datetime
from collections.abc import Sequence

from django.db import transaction

from erp.models import Entity
from ledger.documents import services as kit
from payables.lock_objects import vendor_bill_for_update
from payables.models import Vendor, VendorBill, VendorBillLine
from payables.services.postings import vendor_bill_lines


def vendor_bill_create(
    *,
    entity: Entity,
    vendor_id,
    bill_date: datetime.date,
    lines: Sequence[kit.LineInput],
    due_date: datetime.date | None = None,
    vendor_reference: str = "",
    created_by: str = "",
) -> VendorBill:
    """Record a vendor's bill: its lines, the posting DR expense / CR accounts_payable, then its number."""
    vendor = kit.party_of(Vendor, entity=entity, party_id=vendor_id, param="vendor_id")
    bill_date = kit.posting_date_parse(bill_date, entity=entity, param="bill_date")
    if due_date is not None:
        due_date = kit.date_parse(due_date, param="due_date")
        kit.due_date_check(bill_date, due_date, date_param="bill_date")
    vendor_reference = kit.text_parse(vendor_reference, param="vendor_reference", max_length=200)
    priced, total = kit.lines_price(lines)
    return kit.document_post(
        model=VendorBill,
        line_model=VendorBillLine,
        entity=entity,
        date=bill_date,
        lines=priced,
        total=total,
        journal_lines=vendor_bill_lines(total=total),
        memo=f"Vendor bill from {vendor.name}",
        counter_type="vendor_bill",
        created_by=created_by,
        vendor=vendor,
        bill_date=bill_date,
        due_date=due_date,
        vendor_reference=vendor_reference,
    )


def vendor_bill_void(*, bill: VendorBill, reason: str, voided_by: str = "") -> VendorBill:
    """Void a bill nothing was applied to, posting the reversal of its entry; a reason is required."""
    reason = kit.reason_parse(reason)
    with transaction.atomic():
        locked = vendor_bill_for_update(bill=bill)
        return kit.document_void(
            locked, reason=reason, voided_by=voided_by, memo=f"Void of vendor bill {locked}"
        )
