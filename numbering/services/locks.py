"""Every row lock numbering takes, in one place, with one bounded wait and one error for it.

Lock order is always sequence → period. Issuing locks only the period row (its UPDATE; the
ledger's period check then takes KEY SHARE on that same row) and reads the sequence without a lock,
so the FOR NO KEY UPDATE lock used here on sequences never conflicts with it: configuring a
sequence never stalls issuance.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection

from erp.exceptions import Conflict
from numbering.models import NumberingPeriod, Sequence

LOCK_NOT_AVAILABLE = "55P03"
DEADLOCK_DETECTED = "40P01"


def lock_timeout_ms() -> int:
    """Return how long a numbering write waits for a row lock before giving up."""
    return int(getattr(settings, "NUMBERING_LOCK_TIMEOUT_MS", 5000))


def lock_timeout_sql() -> str:
    """Return the statement bounding lock waits for the rest of the transaction."""
    return f"SET LOCAL lock_timeout = {lock_timeout_ms():d}"


def sequence_busy_error(error: DatabaseError) -> Conflict | None:
    """Return 409 sequence_busy for a lock timeout or deadlock while numbering, else None."""
    if getattr(error.__cause__, "sqlstate", None) in (LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED):
        return Conflict(
            "The sequence is busy: another transaction holds its counter. Retry shortly.",
            code="sequence_busy",
        )
    return None


@contextmanager
def sequence_busy_on_lock_timeout():
    """Turn a lock timeout or deadlock while numbering into 409 sequence_busy."""
    try:
        yield
    except DatabaseError as error:
        busy = sequence_busy_error(error)
        if busy is None:
            raise
        raise busy from error


def sequence_lock(sequence: Sequence) -> Sequence:
    """Lock a sequence row against concurrent configuration changes and return it fresh."""
    with sequence_busy_on_lock_timeout():
        with connection.cursor() as cursor:
            cursor.execute(lock_timeout_sql())
        return (
            Sequence.objects.select_for_update(no_key=True, of=("self",))
            .select_related("entity")
            .get(pk=sequence.pk)
        )


def period_lock(period_id: int) -> NumberingPeriod:
    """Lock a period row (its counter) and return it fresh; issuers of that period wait."""
    with sequence_busy_on_lock_timeout():
        with connection.cursor() as cursor:
            cursor.execute(lock_timeout_sql())
        return NumberingPeriod.objects.select_for_update(no_key=True, of=("self",)).get(pk=period_id)
