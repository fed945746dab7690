"""Row locks for receivables, in one place: several invoices always in primary-key order, so no
deadlock can form between two payments (ledger.documents.services.rows_for_update).
"""

from collections.abc import Iterable
from uuid import UUID

from django.db.models import QuerySet

from erp.models import Entity
from ledger.documents.services import (
    Application,
    applications_lock_and_check,
    row_for_update,
    rows_for_update,
)
from receivables.models import Customer, Invoice, Payment


def invoices_for_update(*, entity: Entity, ids: Iterable[UUID]) -> QuerySet[Invoice]:
    """Return the entity's invoices among `ids`, locked FOR UPDATE in id order (evaluate it once)."""
    return rows_for_update(Invoice, entity=entity, ids=ids)


def invoices_for_payment(*, entity: Entity, customer: Customer, applications: list[Application]) -> None:
    """Lock the invoices a payment applies to, in id order, refusing what applications_check refuses."""
    applications_lock_and_check(
        Invoice, applications, entity=entity, party=customer, party_field="customer", id_param="order_id"
    )


def payment_for_update(*, payment: Payment) -> Payment:
    """Return a fresh copy of the payment, locked FOR UPDATE."""
    return row_for_update(payment)


def invoice_for_update(*, invoice: Invoice) -> Invoice:
    """Return a fresh copy of one invoice, locked FOR UPDATE."""
    return row_for_update(invoice)
