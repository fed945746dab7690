"""Row locks for payables, in one place (as Saleor does).

Every transaction that locks several of these rows takes them in the same order: bills before
credits, each set in primary-key order. Two payments wanting overlapping bills or credits then
queue behind each other instead of each holding what the other waits for: no deadlock can form.
"""

from collections.abc import Iterable
from uuid import UUID

from django.db.models import QuerySet

from erp.models import Entity
from payables.models import APPayment, VendorBill, VendorCredit


def vendor_bills_for_update(*, entity: Entity, ids: Iterable[UUID]) -> QuerySet[VendorBill]:
    """Return the entity's bills among `ids`, locked FOR UPDATE in id order (evaluate it once)."""
    return (
        VendorBill.objects.filter(entity=entity, pk__in=list(ids))
        .order_by("pk")
        .select_for_update(of=("self",))
    )


def vendor_credits_for_update(*, entity: Entity, ids: Iterable[UUID]) -> QuerySet[VendorCredit]:
    """Return the entity's credits among `ids`, locked FOR UPDATE in id order (evaluate it once)."""
    return (
        VendorCredit.objects.filter(entity=entity, pk__in=list(ids))
        .order_by("pk")
        .select_for_update(of=("self",))
    )


def vendor_bill_for_update(*, bill: VendorBill) -> VendorBill:
    """Return a fresh copy of the bill, locked FOR UPDATE."""
    return (
        VendorBill.objects.select_for_update(of=("self",))
        .select_related("entity", "journal_entry")
        .get(pk=bill.pk)
    )


def vendor_credit_for_update(*, credit: VendorCredit) -> VendorCredit:
    """Return a fresh copy of the credit, locked FOR UPDATE."""
    return (
        VendorCredit.objects.select_for_update(of=("self",))
        .select_related("entity", "journal_entry")
        .get(pk=credit.pk)
    )


def ap_payment_for_update(*, payment: APPayment) -> APPayment:
    """Return a fresh copy of the payment, locked FOR UPDATE (taken before its bills and credits)."""
    return (
        APPayment.objects.select_for_update(of=("self",))
        .select_related("entity", "journal_entry")
        .get(pk=payment.pk)
    )
