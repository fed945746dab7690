"""Receivables fixtures: customers, invoices, and a check that the deferred ledger rules hold."""

import pytest
from django.db import connection

from tests.receivables.factories import CustomerFactory, InvoiceFactory


@pytest.fixture(autouse=True)
def deferred_constraints_hold(request):
    """Fire the deferred ledger triggers at the end of each rolled-back test, as a commit would."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or marker.kwargs.get("transaction"):
        yield  # no database, or real commits that run the triggers anyway
        return
    request.getfixturevalue("db")  # set up first, so this check runs before its rollback
    yield
    if connection.in_atomic_block and not connection.needs_rollback:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def customer(entity):
    """A customer of `entity`."""
    return CustomerFactory(entity=entity)


@pytest.fixture
def invoices(customer):
    """Three open invoices of `customer`: 100.00, 250.00 and 75.50."""
    return [InvoiceFactory(customer=customer, amount=amount) for amount in ("100.00", "250.00", "75.50")]
