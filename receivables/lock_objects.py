"""Row locks for receivables, in one place (as Saleor does).

Several rows are always locked in primary-key order, so two transactions wanting overlapping sets
queue behind each other instead of each holding what the other waits for: no deadlock can form.
"""

from collections.abc import Iterable
from uuid import UUID

from django.db.models import QuerySet

from erp.models import Entity
from receivables.models import Invoice, Payment


def invoices_for_update(*, entity: Entity, ids: Iterable[UUID]) -> QuerySet[Invoice]:
    """Return the entity's invoices among `ids`, locked FOR UPDATE in id order (evaluate it once)."""
    return (
        Invoice.objects.filter(entity=entity, pk__in=list(ids)).order_by("pk").select_for_update(of=("self",))
    )


def payment_for_update(*, payment: Payment) -> Payment:
    """Return a fresh copy of the payment, locked FOR UPDATE."""
    return (
        Payment.objects.select_for_update(of=("self",))
        .select_related("entity", "journal_entry")
        .get(pk=payment.pk)
    )


def invoice_for_update(*, invoice: Invoice) -> Invoice:
    """Return a fresh copy of one invoice, locked FOR UPDATE."""
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("entity", "journal_entry")
        .get(pk=invoice.pk)
    )
