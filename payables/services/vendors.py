"""Vendors: create and update (PATCH semantics: what is not given stays)."""

from django.db import transaction

from erp.models import Entity
from erp.services.contact_fields import checked_email, checked_name, checked_reference
from payables.models import Vendor


@transaction.atomic
def vendor_create(*, entity: Entity, name: str, email: str = "", external_reference: str = "") -> Vendor:
    """Create a vendor account."""
    return Vendor.objects.create(
        entity=entity,
        name=checked_name(name, noun="vendor"),
        email=checked_email(email),
        external_reference=checked_reference(external_reference),
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
    locked = Vendor.objects.select_for_update(of=("self",)).get(pk=vendor.pk)
    if name is not None:
        locked.name = checked_name(name, noun="vendor")
    if email is not None:
        locked.email = checked_email(email)
    if external_reference is not None:
        locked.external_reference = checked_reference(external_reference)
    locked.save(update_fields=["name", "email", "external_reference", "updated_at"])
    return locked
