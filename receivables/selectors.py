"""Receivables reads: per-entity lists and the open invoices a payment can be applied to."""

from django.db.models import QuerySet

from erp.models import Entity
from receivables.models import Customer, Invoice, Payment


def customers_for_entity(*, entity: Entity) -> QuerySet[Customer]:
    """Return an entity's customers, by name."""
    return Customer.objects.filter(entity=entity).order_by("name")


def invoices_for_entity(*, entity: Entity) -> QuerySet[Invoice]:
    """Return an entity's invoices with their lines, newest first."""
    return Invoice.objects.filter(entity=entity).prefetch_related("lines").order_by("-created_at")


def open_invoices_for_customer(*, customer: Customer) -> QuerySet[Invoice]:
    """Return the invoices a payment from this customer can be applied to, oldest due first."""
    return Invoice.objects.filter(
        entity_id=customer.entity_id,
        customer=customer,
        status__in=[Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID],
    ).order_by("due_date", "invoice_date", "number")


def payments_for_entity(*, entity: Entity) -> QuerySet[Payment]:
    """Return an entity's payments with their applications and journal entries, newest first."""
    return (
        Payment.objects.filter(entity=entity)
        .select_related("journal_entry", "void_journal_entry")
        .prefetch_related("applications")
        .order_by("-created_at")
    )
