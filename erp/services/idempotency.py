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

MAX_KEY_LENGTH = 255
HEADER = "Idempotency-Key"
# Arcus documents `Idempotency-Key` as an alias of an `Idempotency` header: both are accepted.
ALIAS_HEADER = "Idempotency"
# Outcomes that say "try again later" are not stored: a retry must be allowed to run.
_TRANSIENT_STATUSES = frozenset({409, 429})


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
    with transaction.atomic():
        # One transaction-scoped advisory lock per key: a concurrent duplicate is told the first
        # is still running instead of queueing behind it, and the lock vanishes with the commit
        # that makes the stored record visible.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"idempotency:{entity.pk}:{method}:{path}:{key}"],
            )
            (acquired,) = cursor.fetchone()
        if not acquired:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                code="idempotency_key_in_use",
            )
        now = timezone.now()
        ttl: timedelta = settings.IDEMPOTENCY_TTL
        stored = IdempotencyRecord.objects.filter(entity=entity, method=method, path=path, key=key).first()
        if stored is not None and stored.created_at >= now - ttl:
            if stored.request_fingerprint != fingerprint:
                raise Conflict(
                    "This Idempotency-Key was used with a different request body.",
                    code="idempotency_key_mismatch",
                    param="Idempotency-Key",
                )
            return stored.status_code, stored.response_body, True

        savepoint = transaction.savepoint_create()
        status, body = execute()
        if status >= 400:
            # A failed request keeps none of its writes, even ones a careless path left behind;
            # the rollback to a known-good savepoint also clears a "needs rollback" mark that
            # an inner atomic(savepoint=False) may have set.
            transaction.savepoint_rollback(savepoint)
            transaction.set_rollback(False)
        else:
            transaction.savepoint_commit(savepoint)
        if status >= 500 or status in _TRANSIENT_STATUSES:
            return status, body, False
        if stored is not None:
            stored.delete()  # expired: the key may be reused
        IdempotencyRecord.objects.create(
            entity=entity,
            key=key,
            method=method,
            path=path,
            request_fingerprint=fingerprint,
            status_code=status,
            response_body=body,
            created_at=now,
        )
        return status, body, False


def idempotency_records_purge(*, older_than: timedelta | None = None) -> int:
    """Delete records past their replay window and return how many were removed."""
    cutoff = timezone.now() - (older_than or settings.IDEMPOTENCY_TTL)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
