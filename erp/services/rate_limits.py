"""Token buckets of the API rate limits, shared by every server process (docs/api.md, "Rate limits").

Each limit is a token bucket (a sustained rate and a burst). By default the buckets live in the database,
in an UNLOGGED table (erp/migrations/0007_rate_limit_buckets.py), and a request costs one statement that
refills, takes and answers in a single row update: atomic across processes, so N workers never let N
times the limit through. An API key's bucket is taken by the key lookup's own statement
(erp/services/api_keys.py), so a request with a key pays no round trip for it. Django's database cache
was not used for this: its `set` runs three statements (one a COUNT over the whole table) after a `get`,
and a get-then-set is not atomic, so concurrent workers lose each other's counts. With
FOLIO_RATE_LIMIT_CACHE naming a cache whose `incr` is atomic (Redis, Memcached), buckets live there
instead, as fixed windows of `burst` requests per `burst / rate` seconds.
"""

import math
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.db import connection

_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


@dataclass(frozen=True)
class Rate:
    """A sustained rate (tokens per second) and a burst (the bucket's size)."""

    per_second: float
    burst: int

    @property
    def refill_seconds(self) -> float:
        """Return how long an empty bucket takes to fill."""
        return self.burst / self.per_second

    def wait(self, allowed: bool, tokens: float) -> float:
        """Return 0 when a token was taken, else the seconds until the bucket holds one."""
        return 0.0 if allowed else (1 - tokens) / self.per_second


@lru_cache(maxsize=16)
def parse_rate(text: str, burst: int) -> Rate:
    """Read "50/s", "10/min" or "1000/h" with a burst of `burst` requests."""
    count, _, unit = text.strip().partition("/")
    seconds = _UNITS.get(unit.strip().lower())
    if seconds is None or not count.strip().isdigit() or int(count) <= 0 or burst <= 0:
        raise ValueError(f"a rate is N/s, N/min or N/h with N > 0 and a positive burst, not {text!r}/{burst}")
    return Rate(per_second=int(count) / seconds, burst=burst)


def api_key_rate() -> Rate:
    """Return the limit of each API key."""
    return parse_rate(settings.FOLIO_API_KEY_RATE, settings.FOLIO_API_KEY_BURST)


def failed_authentication_rate() -> Rate:
    """Return the limit of failed authentications from one client address."""
    return parse_rate(settings.FOLIO_FAILED_AUTH_RATE, settings.FOLIO_FAILED_AUTH_BURST)


def buckets_in_database() -> bool:
    """Return whether the buckets live in the database (no FOLIO_RATE_LIMIT_CACHE)."""
    return not settings.FOLIO_RATE_LIMIT_CACHE


def api_key_bucket(api_key_id) -> str:
    """Return the bucket of an API key."""
    return f"key:{api_key_id}"


# One statement: refill the bucket for the time since its last request (up to the burst), take a token
# if there is one, and say whether it did. A refused request takes nothing, so a client that keeps
# knocking is let in as soon as the rate allows, never later. Both SET expressions read the old row.
# `{rows}` is what the bucket is inserted from: one VALUES row here, the key lookup's row in api_keys.
_REFILLED = (
    "LEAST(%(burst)s::float8, b.tokens + EXTRACT(EPOCH FROM statement_timestamp() - b.updated_at)::float8"
    " * %(rate)s::float8)"
)
TAKE_FROM = f"""
INSERT INTO erp_rate_bucket AS b (key, tokens, allowed, updated_at)
{{rows}}
ON CONFLICT (key) DO UPDATE SET
    tokens = CASE WHEN {_REFILLED} >= 1 THEN {_REFILLED} - 1 ELSE {_REFILLED} END,
    allowed = {_REFILLED} >= 1,
    updated_at = statement_timestamp()
RETURNING allowed, tokens
"""
_TAKE = TAKE_FROM.format(rows="VALUES (%(key)s, %(burst)s::float8 - 1, true, statement_timestamp())")
# A bucket idle for longer than it takes to fill is the same as no bucket: rows past that are deleted,
# now and then, by a request that failed authentication (the only kind of key without bound).
_PURGE = "DELETE FROM erp_rate_bucket WHERE updated_at < statement_timestamp() - make_interval(secs => %s)"


def take(key: str, rate: Rate) -> float:
    """Take one token from the bucket `key`; return 0 when taken, else the seconds until one is there."""
    if not buckets_in_database():
        return _take_from_cache(caches[settings.FOLIO_RATE_LIMIT_CACHE], key, rate)
    with connection.cursor() as cursor:
        cursor.execute(_TAKE, {"key": key, "burst": rate.burst, "rate": rate.per_second})
        allowed, tokens = cursor.fetchone()
    return rate.wait(allowed, tokens)


def _take_from_cache(cache, key: str, rate: Rate) -> float:
    """A fixed window of `burst` requests per `burst / rate` seconds, counted by the cache's atomic incr."""
    window = max(1, math.ceil(rate.refill_seconds))
    now = time.time()
    slot = int(now // window)
    counter = f"folio-rate:{key}:{slot}"
    cache.add(counter, 0, timeout=window + 1)
    if cache.incr(counter) <= rate.burst:
        return 0.0
    return (slot + 1) * window - now


def purge_idle_buckets() -> None:
    """Delete the database buckets that have filled up again (the same as absent)."""
    idle = max(3600.0, api_key_rate().refill_seconds, failed_authentication_rate().refill_seconds)
    with connection.cursor() as cursor:
        cursor.execute(_PURGE, [idle])
