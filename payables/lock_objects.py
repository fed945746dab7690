"""Row locks for payables, in one place.

Every transaction that locks several of these rows takes them in the same order: the payment (when
voiding), then bills, then credits, each set in primary-key order (ledger.documents.services.
rows_for_update). Two payments wanting overlapping bills or credits then queue behind each other
instead of each holding what the other waits for: no deadlock can form.
"""

from collections.abc import Iterable
from uuid import UUID

from django.db.models import QuerySet

from erp.models import Entity
from ledger.documents.services import row_for_update, rows_for_update
from payables.models import APPayment, VendorBill, VendorCredit


def vendor_bills_for_update(*, entity: Entity, ids: Iterable[UUID]) -> QuerySet[VendorBill]:
    """Return the entity's bills among `ids`, locked FOR UPDATE in id order (evaluate it once)."""
    return rows_for_update(VendorBill, entity=entity, ids=ids)


def vendor_credits_for_update(*, entity: Entity, ids: Iterable[UUID]) -> QuerySet[VendorCredit]:
    """Return the entity's credits among `ids`, locked FOR UPDATE in id order (evaluate it once)."""
    return rows_for_update(VendorCredit, entity=entity, ids=ids)


def vendor_bill_for_update(*, bill: VendorBill) -> VendorBill:
    """Return a fresh copy of the bill, locked FOR UPDATE."""
    return row_for_update(bill)


def vendor_credit_for_update(*, credit: VendorCredit) -> VendorCredit:
    """Return a fresh copy of the credit, locked FOR UPDATE."""
    return row_for_update(credit)


def ap_payment_for_update(*, payment: APPayment) -> APPayment:
    """Return a fresh copy of the payment, locked FOR UPDATE (taken before its bills and credits)."""
    return row_for_update(payment)
