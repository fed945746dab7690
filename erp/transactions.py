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
    """Run `work` atomically, again after a deadlock or serialization failure.

    Nested in an all-or-nothing transaction (an Idempotency-Key's) it takes no savepoint, and a lost
    race is retried by that transaction's owner, whole (all_or_nothing). Elsewhere a savepoint when
    nested, and the retry is here.
    """
    enclosing = _all_or_nothing.get()
    if enclosing is not None:
        try:
            with transaction.atomic(savepoint=False):
                return work()
        except DatabaseError as error:
            if retryable(error):
                enclosing.lost_race = True
            raise
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                return work()
        except DatabaseError as error:
            if attempt == attempts or not retryable(error):
                raise
            retry_pause(attempt)
    raise AssertionError("unreachable")


def retryable(error: DatabaseError) -> bool:
    """Return whether PostgreSQL refused the transaction for a lost race: it changed nothing, run it again."""
    return getattr(error.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def retry_pause(attempt: int) -> None:
    """Wait before the next attempt: the rollback released every lock; a jittered pause lets the winner go."""
    time.sleep(random.uniform(0, 0.005 * 2**attempt))


def lost_race_noted(error: BaseException) -> None:
    """Tell the all-or-nothing transaction around (if any) that `error` lost it a race: it runs again."""
    enclosing = _all_or_nothing.get()
    if enclosing is not None and isinstance(error, DatabaseError) and retryable(error):
        enclosing.lost_race = True


class AllOrNothing:
    """A transaction rolled back as a whole on any failure; `lost_race` says it may simply run again."""

    lost_race: bool = False


# Set while a transaction runs that is rolled back as a whole on any failure (an Idempotency-Key's,
# erp/services/idempotency.py): a service inside it needs no savepoint of its own.
_all_or_nothing: ContextVar[AllOrNothing | None] = ContextVar("all_or_nothing", default=None)


@contextlib.contextmanager
def all_or_nothing() -> Iterator[AllOrNothing]:
    """Declare that the transaction open around this block is rolled back entirely if anything fails.

    The owner of that transaction runs it again when the block's `lost_race` is set: a deadlock or a
    serialization failure inside a service (run_in_transaction) is then retried with everything the
    transaction holds, never answered to a client.
    """
    state = AllOrNothing()
    token = _all_or_nothing.set(state)
    try:
        yield state
    finally:
        _all_or_nothing.reset(token)


def nested_atomic():
    """Return transaction.atomic() for a service, without a savepoint inside an all-or-nothing transaction.

    A savepoint costs two round trips (SAVEPOINT, RELEASE); on a hot path that takes a number the
    RELEASE comes after it, while the number's counter is locked. Elsewhere (no transaction, or a caller
    that may catch a refusal and go on) this is plain transaction.atomic().
    """
    return transaction.atomic(savepoint=_all_or_nothing.get() is None)
