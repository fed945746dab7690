"""Vendors: create and update (PATCH semantics: what is not given stays)."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from erp.exceptions import InvalidInput
from erp.models import Entity
from payables.models import Vendor


@transaction.atomic
def vendor_create(*, entity: Entity, name: str, email: str = "", external_reference: str = "") -> Vendor:
    """Create a vendor account."""
    return Vendor.objects.create(
        entity=entity,
        name=_checked_name(name),
        email=_checked_email(email),
        external_reference=_checked_reference(external_reference),
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
        locked.name = _checked_name(name)
    if email is not None:
        locked.email = _checked_email(email)
    if external_reference is not None:
        locked.external_reference = _checked_reference(external_reference)
    locked.save(update_fields=["name", "email", "external_reference", "updated_at"])
    return locked


def _checked_name(name) -> str:
    if name is not None and not isinstance(name, str):
        raise InvalidInput("name must be a string.", code="parameter_invalid", param="name")
    name = (name or "").strip()
    if not name:
        raise InvalidInput("A vendor needs a name.", code="parameter_missing", param="name")
    if len(name) > 200:
        raise InvalidInput("name is longer than 200 characters.", code="name_too_long", param="name")
    return name


def _checked_email(email) -> str:
    if not isinstance(email, str):
        raise InvalidInput("email must be a string.", code="parameter_invalid", param="email")
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                f"{email!r} is not an email address.", code="invalid_email", param="email"
            ) from None
    return email


def _checked_reference(reference) -> str:
    if not isinstance(reference, str):
        raise InvalidInput(
            "external_reference must be a string.", code="parameter_invalid", param="external_reference"
        )
    if len(reference.strip()) > 200:
        raise InvalidInput(
            "external_reference is longer than 200 characters.",
            code="external_reference_too_long",
            param="external_reference",
        )
    return reference.strip()
