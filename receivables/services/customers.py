"""Customers: create and update (PATCH semantics: what is not given stays)."""

from django.db import transaction

from erp.models import Entity
from ledger.documents import services as kit
from receivables.models import Customer


@transaction.atomic
def customer_create(*, entity: Entity, name: str, email: str = "", external_reference: str = "") -> Customer:
    """Create a customer account."""
    return kit.party_create(
        Customer, entity=entity, name=name, email=email, external_reference=external_reference
    )


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    name: str | None = None,
    email: str | None = None,
    external_reference: str | None = None,
) -> Customer:
    """Change the given fields of a customer; None leaves a field as it is, "" clears email and reference."""
    return kit.party_update(customer, name=name, email=email, external_reference=external_reference)
