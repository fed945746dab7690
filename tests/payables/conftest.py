"""Payables fixtures and the helpers tests use to read the ledger."""

from decimal import Decimal

import pytest

from ledger.models import JournalEntry
from tests.payables.factories import VendorFactory


@pytest.fixture
def vendor(entity):
    """A vendor of `entity`."""
    return VendorFactory(entity=entity, name="Northwind")


@pytest.fixture
def other_vendor(entity):
    """A second vendor of the same entity."""
    return VendorFactory(entity=entity, name="Contoso")


def posted_lines(entry: JournalEntry) -> list[tuple[str, Decimal, Decimal]]:
    """Return an entry's lines as (account code, debit, credit), in posting order."""
    return [(line.account.code, line.debit, line.credit) for line in entry.lines.select_related("account")]


def entries_for(source_type: str, source_id) -> list[JournalEntry]:
    """Return the journal entries a document posted, oldest first."""
    return list(
        JournalEntry.objects.filter(source_type=source_type, source_id=str(source_id)).order_by(
            "posted_at", "id"
        )
    )


def error_of(response) -> tuple[int, str, str | None]:
    """Return (status, code, param) of an error response."""
    error = response.json()["error"]
    return response.status_code, error["code"], error.get("param")
