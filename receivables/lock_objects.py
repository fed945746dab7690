"""Row locks for receivables, in one place: several invoices always in primary-key order, so no
deadlock can form between two payments (ledger.documents.services.rows_for_update).
"""

from collections.abc import Iterable
from uuid import UUID

from django.db.models import QuerySet

from erp.models import Entity
from ledger.documents.services import (
    DocumentState,
    document_states_for_update,
    row_for_update,
    rows_for_update,
)
from receivables.models import Invoice, Payment


def invoices_for_update(*, entity: Entity, ids: Iterable[UUID]) -> QuerySet[Invoice]:
    """Return the entity's invoices among `ids`, locked FOR UPDATE in id order (evaluate it once)."""
    return rows_for_update(Invoice, entity=entity, ids=ids)


def invoice_states_for_update(*, entity: Entity, ids: Iterable[UUID]) -> list[DocumentState]:
    """Lock the entity's invoices among `ids` FOR UPDATE in id order; return what a payment checks of each."""
    return document_states_for_update(Invoice, party_field="customer", entity=entity, ids=ids)


def payment_for_update(*, payment: Payment) -> Payment:
    """Return a fresh copy of the payment, locked FOR UPDATE."""
    return row_for_update(payment)


def invoice_for_update(*, invoice: Invoice) -> Invoice:
    """Return a fresh copy of one invoice, locked FOR UPDATE."""
    return row_for_update(invoice)
