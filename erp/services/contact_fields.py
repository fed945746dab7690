"""Checks shared by customers and vendors: the name, email and external reference of an account."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from erp.exceptions import InvalidInput
from erp.text import refuse_control_characters

MAX_NAME = 200
MAX_REFERENCE = 200


def checked_name(name, *, noun: str) -> str:
    """Return a stripped name of 1–200 characters without control characters (`noun`: the kind)."""
    if name is not None and not isinstance(name, str):
        raise InvalidInput("name must be a string.", code="parameter_invalid", param="name")
    name = refuse_control_characters((name or "").strip(), param="name")
    if not name:
        raise InvalidInput(f"A {noun} needs a name.", code="parameter_missing", param="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"name is longer than {MAX_NAME} characters.", code="name_too_long", param="name")
    return name


def checked_email(email) -> str:
    """Return a stripped email address, or "" when none is given."""
    if not isinstance(email, str):
        raise InvalidInput("email must be a string.", code="parameter_invalid", param="email")
    email = refuse_control_characters(email.strip(), param="email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                f"{email!r} is not an email address.", code="invalid_email", param="email"
            ) from None
    return email


def checked_reference(reference) -> str:
    """Return a stripped external reference of at most 200 characters."""
    if not isinstance(reference, str):
        raise InvalidInput(
            "external_reference must be a string.", code="parameter_invalid", param="external_reference"
        )
    reference = refuse_control_characters(reference.strip(), param="external_reference")
    if len(reference) > MAX_REFERENCE:
        raise InvalidInput(
            f"external_reference is longer than {MAX_REFERENCE} characters.",
            code="external_reference_too_long",
            param="external_reference",
        )
    return reference
