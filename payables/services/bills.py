"""Vendor bills: saved as drafts or posted at once (DR expense / CR accounts_payable, numbered last); drafts
edited, deleted and posted; posted bills voided (only with nothing applied). One live bill per vendor
reference (docs/payables.md, "Drafts" and "Duplicate vendor references").
"""

import datetime
import unicodedata
from collections.abc import Sequence
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.models import Value

from erp.exceptions import Conflict
from erp.models import Entity
from ledger.documents import services as kit
from payables.lock_objects import vendor_bill_for_update
from payables.models import Vendor, VendorBill, VendorBillLine
from payables.models.bills import vendor_reference_key
from payables.services.postings import vendor_bill_lines

UNIQUE_REFERENCE = "vendor_bill_unique_vendor_reference"
UNCHANGED = kit.UNCHANGED


def vendor_bill_create(
    *,
    entity: Entity,
    vendor_id,
    bill_date: datetime.date,
    lines: Sequence[kit.LineInput],
    due_date: datetime.date | None = None,
    vendor_reference: str = "",
    draft: bool = False,
    created_by: str = "",
) -> VendorBill:
    """Record a vendor's bill: its lines, the posting DR expense / CR accounts_payable, then its number.

    With `draft`, save it unnumbered and unposted instead (vendor_bill_post posts it).
    """
    header = _header(
        entity=entity, vendor_id=vendor_id, bill_date=bill_date, due_date=due_date, reference=vendor_reference
    )
    priced, total = kit.lines_price(lines)
    _reference_check(entity=entity, header=header)
    with _reference_race_answered(header):
        return kit.document_create(
            draft=draft,
            model=VendorBill,
            line_model=VendorBillLine,
            entity=entity,
            date=header["bill_date"],
            date_param="bill_date",
            lines=priced,
            total=total,
            journal_lines=vendor_bill_lines(total=total),
            memo=f"Vendor bill from {header['vendor'].name}",
            counter_type="vendor_bill",
            created_by=created_by,
            **header,
        )


def vendor_bill_update(
    *,
    bill: VendorBill,
    vendor_id=UNCHANGED,
    bill_date=UNCHANGED,
    due_date=UNCHANGED,
    vendor_reference=UNCHANGED,
    lines=UNCHANGED,
    updated_by: str = "",
) -> VendorBill:
    """Change a draft: the fields given (lines given replace all of its lines); a posted bill is 409."""
    with transaction.atomic():
        locked = vendor_bill_for_update(bill=bill)
        kit.draft_check(locked, doing="edited")
        given = {
            "vendor_id": locked.vendor_id if vendor_id is UNCHANGED else vendor_id,
            "bill_date": locked.bill_date if bill_date is UNCHANGED else bill_date,
            "due_date": locked.due_date if due_date is UNCHANGED else due_date,
            "reference": locked.vendor_reference if vendor_reference is UNCHANGED else vendor_reference,
        }
        header = _header(entity=locked.entity, **given)
        priced, total = kit.lines_price(lines) if lines is not UNCHANGED else (None, None)
        _reference_check(entity=locked.entity, header=header, other_than=locked)
        with _reference_race_answered(header):
            header["vendor_id"] = header.pop("vendor").pk
            kit.document_draft_update(locked, line_model=VendorBillLine, lines=priced, total=total, **header)
    return VendorBill.objects.prefetch_related("lines").get(pk=locked.pk)


def vendor_bill_delete(*, bill: VendorBill, deleted_by: str = "") -> None:
    """Delete a draft bill and its lines; a posted bill is kept (409: void it instead)."""
    with transaction.atomic():
        kit.document_draft_delete(vendor_bill_for_update(bill=bill), line_model=VendorBillLine)


def vendor_bill_post(*, bill: VendorBill, posted_by: str = "") -> VendorBill:
    """Post a draft bill: its entry DR expense / CR accounts_payable, then its number, last; 409 if posted."""
    with transaction.atomic():
        locked = vendor_bill_for_update(bill=bill)
        kit.document_draft_post(
            locked,
            date=locked.bill_date,
            date_param="bill_date",
            journal_lines=vendor_bill_lines(total=locked.total),
            memo=f"Vendor bill from {locked.vendor.name}",
            counter_type="vendor_bill",
            posted_by=posted_by,
        )
    return VendorBill.objects.prefetch_related("lines").get(pk=locked.pk)


def vendor_bill_void(*, bill: VendorBill, reason: str, voided_by: str = "") -> VendorBill:
    """Void a bill nothing was applied to, posting the reversal of its entry; a reason is required."""
    reason = kit.reason_parse(reason)
    with transaction.atomic():
        locked = vendor_bill_for_update(bill=bill)
        return kit.document_void(
            locked, reason=reason, voided_by=voided_by, memo=f"Void of vendor bill {locked}"
        )


def _header(*, entity: Entity, vendor_id, bill_date, due_date, reference) -> dict:
    """Return a bill's checked header fields (the vendor as `vendor`)."""
    vendor = kit.party_of(Vendor, entity=entity, party_id=vendor_id, param="vendor_id")
    bill_date = kit.date_parse(bill_date, param="bill_date")
    if due_date is not None:
        due_date = kit.date_parse(due_date, param="due_date")
        kit.due_date_check(bill_date, due_date, date_param="bill_date")
    return {
        "vendor": vendor,
        "bill_date": bill_date,
        "due_date": due_date,
        "vendor_reference": _plain_spaces(
            kit.text_parse(reference, param="vendor_reference", max_length=200)
        ),
    }


def _plain_spaces(reference: str) -> str:
    """Return `reference` with every Unicode space (no-break, narrow, ideographic…) as a plain space.

    The unique index folds runs of whitespace, but PostgreSQL's `\\s` leaves the no-break ones out, and a
    reference copied from a PDF often carries one: `INV\\u00a01` would pass as another bill than `INV 1`.
    """
    return "".join(" " if unicodedata.category(c) == "Zs" else c for c in reference)


def _reference_check(*, entity: Entity, header: dict, other_than: VendorBill | None = None) -> None:
    """Refuse a vendor reference a live bill of the vendor already carries: 409 `duplicate_vendor_reference`.

    Compared as the database's unique index compares them (any case, whitespace runs as one space);
    void bills do not count, drafts do.
    """
    reference = header["vendor_reference"]
    if not reference:
        return
    same = (
        VendorBill.objects.filter(entity=entity, vendor=header["vendor"])
        .exclude(status=VendorBill.Status.VOID)
        .alias(key=vendor_reference_key("vendor_reference"))
        .filter(key=vendor_reference_key(Value(reference)))
    )
    if other_than is not None:
        same = same.exclude(pk=other_than.pk)
    existing = same.first()
    if existing is not None:
        raise _duplicate(reference, existing)


def _duplicate(reference: str, existing: VendorBill | None) -> Conflict:
    which = f" ({existing})" if existing is not None else ""
    return Conflict(
        f"This vendor's reference {reference!r} is already on a live bill{which}: a vendor invoice is "
        "entered once.",
        code="duplicate_vendor_reference",
        param="vendor_reference",
        hint="Void the other bill first if it was entered by mistake.",
    )


@contextmanager
def _reference_race_answered(header: dict):
    """Answer a bill that took the same reference concurrently (the unique index) as the same 409."""
    try:
        yield
    except IntegrityError as error:
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) != UNIQUE_REFERENCE:
            raise
        raise _duplicate(header["vendor_reference"], None) from error
