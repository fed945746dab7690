"""Vendors: create and update (PATCH semantics: what is not given stays)."""

from django.db import transaction

from erp.models import Entity
from ledger.documents import services as kit
from payables.models import Vendor


@transaction.atomic
def vendor_create(*, entity: Entity, name: str, email: str = "", external_reference: str = "") -> Vendor:
    """Create a vendor account."""
    return kit.party_create(
        Vendor, entity=entity, name=name, email=email, external_reference=external_reference
    )


@transaction.atomic
def vendor_update(
    *,
    vendor: Vendor,
    name: str | None = None,
    email: str | None = None,
    external_reference: str | None = None,
) -> Vendor:
    """Change the given fields of a vendor; None leaves a field as it is, "" clears email and reference."""
    return kit.party_update(vendor, name=name, email=email, external_reference=external_reference)
