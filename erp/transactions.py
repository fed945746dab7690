"""Transactions: retried when PostgreSQL asks (a deadlock never reaches a client), and savepoints spared."""

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.db import DatabaseError, transaction

# deadlock_detected, serialization_failure: the transaction lost a race and changed nothing.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def run_in_transaction[T](work: Callable[[], T], *, attempts: int = 4) -> T:
    """Run `work` atomically (a savepoint when nested), again after a deadlock or serialization failure."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                return work()
        except DatabaseError as error:
            if attempt == attempts or getattr(error.__cause__, "sqlstate", None) not in RETRYABLE_SQLSTATES:
                raise
            # The rollback released every lock the attempt took; a jittered pause lets the winner finish.
            time.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise AssertionError("unreachable")


# Set while a transaction runs that is rolled back as a whole on any failure (an Idempotency-Key's,
# erp/services/idempotency.py): a service inside it needs no savepoint of its own.
_all_or_nothing: ContextVar[bool] = ContextVar("all_or_nothing", default=False)


@contextlib.contextmanager
def all_or_nothing() -> Iterator[None]:
    """Declare that the transaction open around this block is rolled back entirely if anything fails."""
    token = _all_or_nothing.set(True)
    try:
        yield
    finally:
        _all_or_nothing.reset(token)


def nested_atomic():
    """Return transaction.atomic() for a service, without a savepoint inside an all-or-nothing transaction.

    A savepoint costs two round trips (SAVEPOINT, RELEASE); on a hot path that takes a number the
    RELEASE comes after it, while the number's counter is locked. Elsewhere (no transaction, or a caller
    that may catch a refusal and go on) this is plain transaction.atomic().
    """
    return transaction.atomic(savepoint=not _all_or_nothing.get())
