"""Transactions that retry what PostgreSQL asks to retry, so a deadlock never reaches a client."""

import random
import time
from collections.abc import Callable

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
