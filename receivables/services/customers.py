"""Customers: create and update (PATCH semantics: what is not given stays)."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from erp.exceptions import InvalidInput
from erp.models import Entity
from receivables.models import Customer


@transaction.atomic
def customer_create(*, entity: Entity, name: str, email: str = "", external_reference: str = "") -> Customer:
    """Create a customer account."""
    return Customer.objects.create(
        entity=entity,
        name=_checked_name(name),
        email=_checked_email(email),
        external_reference=_checked_reference(external_reference),
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
    locked = Customer.objects.select_for_update(of=("self",)).get(pk=customer.pk)
    if name is not None:
        locked.name = _checked_name(name)
    if email is not None:
        locked.email = _checked_email(email)
    if external_reference is not None:
        locked.external_reference = _checked_reference(external_reference)
    locked.save(update_fields=["name", "email", "external_reference", "updated_at"])
    return locked


def _checked_name(name) -> str:
    name = (name or "").strip() if isinstance(name, str) or name is None else name
    if not isinstance(name, str) or not name:
        raise InvalidInput("A customer needs a name.", code="parameter_missing", param="name")
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
