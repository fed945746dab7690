"""Idempotency-Key: run a write once, replay its stored outcome for 24 hours.

The record is written in the same transaction as the business writes, so a request that fails
with a 5xx (or dies) leaves nothing behind and can simply be retried.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from erp.exceptions import Conflict, InvalidInput
from erp.models import Entity, IdempotencyRecord
from erp.text import control_character
from erp.transactions import all_or_nothing, retry_pause

MAX_KEY_LENGTH = 255
HEADER = "Idempotency-Key"
# Arcus documents `Idempotency-Key` as an alias of an `Idempotency` header: both are accepted.
ALIAS_HEADER = "Idempotency"
# Outcomes that say "try again later" are not stored: a retry must be allowed to run.
_TRANSIENT_STATUSES = frozenset({409, 429})
# Runs of a request whose transaction lost a race (a deadlock): as many as run_in_transaction's.
_ATTEMPTS = 4


def request_fingerprint(*, method: str, path: str, payload) -> str:
    """Return a digest of the request, insensitive to JSON key order and whitespace."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method}\n{path}\n{canonical}".encode()).hexdigest()


def idempotency_key_of(headers) -> str | None:
    """Return the request's idempotency key from `Idempotency-Key` or its alias `Idempotency`, checked.

    Both given with different values is a 400: which one the client meant cannot be guessed.
    """
    key, alias = headers.get(HEADER), headers.get(ALIAS_HEADER)
    if key is not None and alias is not None and key != alias:
        raise InvalidInput(
            f"{HEADER} and {ALIAS_HEADER} name different keys; send one of them.",
            code="invalid_idempotency_key",
            param=ALIAS_HEADER,
        )
    if key is None and alias is None:
        return None
    if key is None:
        return validate_idempotency_key(alias, header=ALIAS_HEADER)
    return validate_idempotency_key(key)


def validate_idempotency_key(key: str, *, header: str = HEADER) -> str:
    """Return the key, or raise a 400 for an empty or over-long one, or one with a control character."""
    if not key.strip():
        raise InvalidInput(
            f"{header} must not be empty.",
            code="invalid_idempotency_key",
            param=header,
        )
    if control_character(key) is not None:
        # NUL cannot be stored, and a key is echoed in logs: refuse every control character.
        raise InvalidInput(
            f"{header} must not contain control characters.",
            code="invalid_idempotency_key",
            param=header,
        )
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            f"{header} must be at most {MAX_KEY_LENGTH} characters.",
            code="idempotency_key_too_long",
            param=header,
        )
    return key


class _Failed(Exception):
    """Carries a failed outcome out of the transaction, rolling back every write it made."""

    def __init__(self, status: int, body: str):
        super().__init__(status)
        self.status, self.body = status, body


def run_idempotently(
    *,
    entity: Entity,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    execute: Callable[[], tuple[int, str]],
) -> tuple[int, str, bool]:
    """Run `execute` once per key and return (status, body, replayed).

    `execute` returns (status, rendered body); it must not raise (errors are responses).
    """
    now = timezone.now()
    claim = (entity, method, path, key)
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with transaction.atomic():
                stored = _claimed(*claim, now=now)
                if stored is not None:
                    return _replayed(stored, fingerprint)
                with all_or_nothing() as run:  # any failure below rolls the whole transaction back
                    status, body = execute()
                if status >= 400:
                    # A failed request keeps none of its writes, even ones a careless path left behind:
                    # the whole transaction is rolled back (no savepoint on the path that succeeds), which
                    # also clears a "needs rollback" mark an inner atomic(savepoint=False) may have set.
                    raise _Failed(status, body)
                _store(*claim, fingerprint=fingerprint, status=status, body=body, now=now)
                return status, body, False
        except _Failed as failed:
            status, body = failed.status, failed.body
            if not run.lost_race or attempt == _ATTEMPTS:
                break
            # A deadlock or serialization failure inside: the rollback undid everything; run it again,
            # as run_in_transaction does outside an Idempotency-Key's transaction.
            retry_pause(attempt)
    if status < 500 and status not in _TRANSIENT_STATUSES:
        _store_failure(*claim, fingerprint=fingerprint, status=status, body=body, now=now)
    return status, body, False


def _claimed(entity: Entity, method: str, path: str, key: str, *, now) -> tuple | None:
    """Take the key's lock and return its live stored outcome, or None (an expired one is deleted).

    One transaction-scoped advisory lock per key: a concurrent duplicate is told the first is still
    running instead of queueing behind it, and the lock vanishes with the commit that makes the
    stored record visible. The lock and the lookup are one round trip (erp 0013's function).
    """
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [_lock_key(entity, method, path, key), entity.pk, method, path, key])
        acquired, record_id, *stored = cursor.fetchone()
    if not acquired:
        raise Conflict(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            code="idempotency_key_in_use",
        )
    if record_id is None:
        return None
    if stored[3] < now - settings.IDEMPOTENCY_TTL:
        IdempotencyRecord.objects.filter(pk=record_id).delete()  # expired: the key may be reused
        return None
    return tuple(stored)


def _replayed(stored: tuple, fingerprint: str) -> tuple[int, str, bool]:
    """Return a stored outcome as (status, body, True), or 409 if the key came with another body."""
    stored_fingerprint, status, body, _ = stored
    if stored_fingerprint != fingerprint:
        raise Conflict(
            "This Idempotency-Key was used with a different request body.",
            code="idempotency_key_mismatch",
            param="Idempotency-Key",
        )
    return status, body, True


def _store(entity: Entity, method: str, path: str, key: str, *, fingerprint, status, body, now) -> None:
    """Insert the outcome's record (in the caller's transaction, with its writes)."""
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL, [entity.pk, key, method, path, fingerprint, status, body, now])


def _store_failure(entity: Entity, method: str, path: str, key: str, **outcome) -> None:
    """Store a 4xx after its writes were rolled back, unless a duplicate got the key meanwhile.

    Between the rollback and this transaction a duplicate may have taken the key's lock and run
    (its own outcome is then the key's): this one is answered but not stored.
    """
    try:
        with transaction.atomic():
            if _claimed(entity, method, path, key, now=outcome["now"]) is None:
                _store(entity, method, path, key, **outcome)
    except Conflict:
        pass  # the duplicate is running now: its outcome will be stored


def _lock_key(entity: Entity, method: str, path: str, key: str) -> str:
    """Return the text the key's advisory lock is hashed from."""
    return f"idempotency:{entity.pk}:{method}:{path}:{key}"


# Built once per process, as the API key lookup is (erp/services/api_keys.py): compiling the ORM's
# lookup and insert cost more than running them (docs/benchmarks.md, "HTTP: the API path").
_CLAIM_SQL = "SELECT * FROM erp_idempotency_claim(%s, %s, %s, %s, %s)"
_INSERT_SQL = (
    f"INSERT INTO {IdempotencyRecord._meta.db_table} "
    "(entity_id, key, method, path, request_fingerprint, status_code, response_body, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)


def idempotency_records_purge(*, older_than: timedelta | None = None) -> int:
    """Delete records past their replay window and return how many were removed."""
    cutoff = timezone.now() - (older_than or settings.IDEMPOTENCY_TTL)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
