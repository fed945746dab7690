"""Entities (tenants): creation with everything a new company needs."""

import re

from django.db import transaction

from erp.exceptions import Conflict, InvalidInput
from erp.models import Entity
from erp.services.activity import activity_record, changes_between, created, fields_of
from erp.services.modes import books_follow_live
from erp.text import refuse_control_characters
from erp.wiring import wired_steps

MAX_NAME = 200
MAX_EXPIRY_DAYS = 36_500  # a hundred years; further would overflow the dates computed from it
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_FIELDS = ("name", "code", "base_currency", "fiscal_year_start_month", "vendor_credit_expiry_days")


def entity_code_from_name(name: str) -> str:
    """Derive a short slug code from a company name."""
    code = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")
    return code or "entity"


def _checked_name(name) -> str:
    """Return an entity's name stripped: required, at most 200 characters, no control character."""
    if name is not None and not isinstance(name, str):
        raise InvalidInput("name must be a string.", code="parameter_invalid", param="name")
    name = refuse_control_characters((name or "").strip(), param="name")
    if not name:
        raise InvalidInput("An entity needs a name.", code="name_required", param="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"name is longer than {MAX_NAME} characters.", code="name_too_long", param="name")
    return name


def _check_expiry_days(days) -> None:
    """Refuse an expiry that is not a whole number of days from 1 to 36,500 (or None: never)."""
    if days is None:
        return
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXPIRY_DAYS:
        raise InvalidInput(
            f"vendor_credit_expiry_days must be 1–{MAX_EXPIRY_DAYS:,} or empty.",
            code="invalid_vendor_credit_expiry_days",
            param="vendor_credit_expiry_days",
        )


@transaction.atomic
def entity_create(
    *,
    name: str,
    code: str | None = None,
    base_currency: str = "USD",
    fiscal_year_start_month: int = 1,
    vendor_credit_expiry_days: int | None = None,
) -> Entity:
    """Create an entity with its default setup."""
    name = _checked_name(name)
    if code is not None and not isinstance(code, str):
        raise InvalidInput("code must be a string.", code="invalid_code", param="code")
    code = (code or entity_code_from_name(name)).strip().lower()
    if not _CODE.match(code):
        raise InvalidInput(
            "code must be 1–40 lowercase letters, digits or hyphens.",
            code="invalid_code",
            param="code",
        )
    currency = (base_currency or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise InvalidInput(
            "base_currency must be a three-letter ISO 4217 code.",
            code="invalid_currency",
            param="base_currency",
        )
    if not isinstance(fiscal_year_start_month, int) or not 1 <= fiscal_year_start_month <= 12:
        raise InvalidInput(
            "fiscal_year_start_month must be 1–12.",
            code="invalid_fiscal_year_start_month",
            param="fiscal_year_start_month",
        )
    _check_expiry_days(vendor_credit_expiry_days)
    if Entity.objects.filter(code=code).exists():
        raise Conflict(
            f"An entity with code {code!r} already exists.", code="entity_code_taken", param="code"
        )
    entity = Entity.objects.create(
        name=name,
        code=code,
        base_currency=currency,
        fiscal_year_start_month=fiscal_year_start_month,
        vendor_credit_expiry_days=vendor_credit_expiry_days,
    )
    for setup in wired_steps("FOLIO_ENTITY_SETUP"):
        setup(entity=entity)
    activity_record(action="entity.created", obj=entity, changes=created(entity, _FIELDS))
    return entity


@transaction.atomic
def entity_update(
    *, entity: Entity, name: str | None = None, vendor_credit_expiry_days: int | None = ...
) -> Entity:
    """Rename an entity or change its vendor-credit expiry default.

    Currency and fiscal year start are fixed at creation: issued numbers and postings depend on them.
    """
    locked = Entity.objects.select_for_update().get(pk=entity.pk)
    before = fields_of(locked, _FIELDS)
    if name is not None:
        locked.name = _checked_name(name)
    if vendor_credit_expiry_days is not ...:
        _check_expiry_days(vendor_credit_expiry_days)
        locked.vendor_credit_expiry_days = vendor_credit_expiry_days
    locked.save(update_fields=["name", "vendor_credit_expiry_days"])
    activity_record(
        action="entity.updated", obj=locked, changes=changes_between(before, fields_of(locked, _FIELDS))
    )
    if locked.livemode:
        books_follow_live(live=locked, fields=["name", "vendor_credit_expiry_days"])
    return locked
