"""Checks every payables service applies to what it is given, each error naming its `param`."""

import datetime
from uuid import UUID

from erp.exceptions import InvalidInput, NotFound
from erp.models import Entity
from payables.models import Vendor


def uuid_parse(value, *, param: str) -> UUID:
    """Return `value` as a UUID, or raise InvalidInput naming `param`."""
    if isinstance(value, UUID):
        return value
    if value is None or value == "":
        raise InvalidInput(f"{param} is required.", code="parameter_missing", param=param)
    try:
        return UUID(str(value))
    except (TypeError, ValueError):
        raise InvalidInput(f"{param} must be a UUID.", code="parameter_invalid", param=param) from None


def date_checked(value, *, param: str) -> datetime.date:
    """Return `value` if it is a date (not a datetime), or raise InvalidInput naming `param`."""
    if value is None:
        raise InvalidInput(f"{param} is required.", code="parameter_missing", param=param)
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise InvalidInput(f"{param} must be a date.", code="parameter_invalid", param=param)
    return value


def text_checked(value, *, param: str, max_length: int, code: str | None = None) -> str:
    """Return `value` stripped (None is empty), or raise InvalidInput for a non-string or a too-long one."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{param} must be a string.", code="parameter_invalid", param=param)
    if "\x00" in value:
        # PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database.
        raise InvalidInput(f"{param} contains a NUL character.", code="parameter_invalid", param=param)
    value = value.strip()
    if len(value) > max_length:
        raise InvalidInput(
            f"{param} is longer than {max_length} characters.",
            code=code or f"{param}_too_long",
            param=param,
        )
    return value


def vendor_of(*, entity: Entity, vendor_id, param: str = "vendor_id") -> Vendor:
    """Return the entity's vendor with this id; another entity's vendor does not exist here (404)."""
    pk = uuid_parse(vendor_id, param=param)
    vendor = Vendor.objects.filter(entity=entity, pk=pk).first()
    if vendor is None:
        raise NotFound(f"No vendor {pk} in this entity.", code="vendor_not_found", param=param)
    return vendor
