"""Test mode: an entity's test books, where its test keys work (docs/api.md, "Test mode").

The test books are an entity of their own (``livemode=False``, ``live_entity`` the live one), so every
query that filters by entity keeps test and live data apart: sequences, documents, the ledger and
idempotency records. They are created on first use (a test key's creation), set up like their live
entity: its chart of accounts and its sequences' definitions, with counters of their own.
"""

from django.db import transaction

from erp.models import Entity
from erp.models.entities import TEST_CODE_SUFFIX
from erp.wiring import wired_steps


def live_entity_of(entity: Entity) -> Entity:
    """Return the live entity of `entity` (itself when live)."""
    return entity if entity.livemode else entity.live_entity


@transaction.atomic
def entity_test_books(*, entity: Entity) -> Entity:
    """Return the test books of `entity` (live or test), creating and setting them up on first use."""
    live = live_entity_of(entity)
    books = Entity.objects.filter(live_entity=live).first()
    if books is not None:
        return books
    # Two first uses at once: the second waits here, then finds the books the first created.
    Entity.objects.select_for_update().filter(pk=live.pk).first()
    books = Entity.objects.filter(live_entity=live).first()
    if books is not None:
        return books
    books = Entity.objects.create(
        name=live.name,
        code=f"{live.code}{TEST_CODE_SUFFIX}",
        base_currency=live.base_currency,
        fiscal_year_start_month=live.fiscal_year_start_month,
        vendor_credit_expiry_days=live.vendor_credit_expiry_days,
        livemode=False,
        live_entity=live,
    )
    for setup in wired_steps("FOLIO_TEST_BOOKS_SETUP"):
        setup(entity=books, live_entity=live)
    return books


def books_follow_live(*, live: Entity, fields: list[str]) -> None:
    """Copy `fields` of a live entity to its test books, if any (their name and defaults follow it)."""
    books = Entity.objects.select_for_update().filter(live_entity=live).first()
    if books is None:
        return
    for name in fields:
        setattr(books, name, getattr(live, name))
    books.save(update_fields=fields)
