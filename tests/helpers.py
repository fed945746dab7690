"""Helpers shared by the test suites: database refusals, raw SQL, commands, the ledger, API clients, errors.

Fixtures live in the root conftest.py; plain functions live here and are imported by name (the
forked workers and lock watching of the concurrency suites are in tests/processes.py)::

    from tests.helpers import refused, sql
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from ledger.models import JournalEntry


@contextmanager
def refused(
    constraint: str | None = None, *, match: str | None = None, sqlstate: str | None = None
) -> Iterator[pytest.ExceptionInfo[IntegrityError]]:
    """Assert that the database refuses the writes in the block, as it would refuse them at commit.

    The block runs in a savepoint, so the test's transaction stays usable after the refusal.
    Deferred constraints and triggers are then forced with ``SET CONSTRAINTS ALL IMMEDIATE``:
    the block's statements together are judged as one commit would judge them (a check that
    waits for the commit still fires; states a multi-statement write passes through do not).
    ``constraint`` is the name the database reports, ``match`` a regular expression searched in
    the message, ``sqlstate`` the error code (e.g. "23001" for the immutability triggers)::

        with refused("invoice_balance_within_total"):
            Invoice.objects.filter(pk=invoice.pk).update(balance_due=-1)

        with refused(match="counter only grows"):
            sql("UPDATE numbering_numberingperiod SET last_value = 0 WHERE id = %s", [period_id])

    The block yields pytest's ExceptionInfo for any further assertion on the error.
    """
    with pytest.raises(IntegrityError, match=match) as raised, transaction.atomic():
        yield raised
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cause = raised.value.__cause__
    if constraint is not None:
        assert cause.diag.constraint_name == constraint, str(raised.value)
    if sqlstate is not None:
        assert cause.sqlstate == sqlstate, str(raised.value)


def sql(statement: str, params=()) -> None:
    """Run one raw SQL statement on the test connection, around every service."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def command_output(*args, **options) -> str:
    """Run a management command and return what it printed."""
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


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


def client_for(token: str | None) -> APIClient:
    """Return an API client that sends the given bearer token."""
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def error_of(response) -> tuple[int, str, str | None]:
    """Return (status, code, param) of an error response."""
    error = response.json()["error"]
    return response.status_code, error["code"], error.get("param")


def race(*calls: Callable) -> list:
    """Run each call in a thread of its own (its own connection), released together; return what each
    returned or raised, in order (for tests with `django_db(transaction=True)`)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call: Callable) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # the caller's assertions show what escaped
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
