"""Rate limits: per API key, and per client address for failed authentication (docs/api.md, "Rate limits").

Each limit is a token bucket (a sustained rate and a burst) shared by every server process. By default
the buckets live in the database, in an UNLOGGED table (erp/migrations/0007_rate_limit_buckets.py),
and a request costs one statement that refills, takes and answers in a single row update: atomic
across processes, so N workers never let N times the limit through. Django's database cache was not
used for this: its `set` runs three statements (one a COUNT over the whole table) after a `get`, and
a get-then-set is not atomic, so concurrent workers lose each other's counts. With
FOLIO_RATE_LIMIT_CACHE naming a cache whose `incr` is atomic (Redis, Memcached), buckets live there
instead, as fixed windows of `burst` requests per `burst / rate` seconds.
"""

import hashlib
import ipaddress
import math
import random
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

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


# One statement: refill the bucket for the time since its last request (up to the burst), take a token
# if there is one, and say whether it did. A refused request takes nothing, so a client that keeps
# knocking is let in as soon as the rate allows, never later. Both SET expressions read the old row.
_REFILLED = (
    "LEAST(%(burst)s::float8, b.tokens + EXTRACT(EPOCH FROM statement_timestamp() - b.updated_at)::float8"
    " * %(rate)s::float8)"
)
_TAKE = f"""
INSERT INTO erp_rate_bucket AS b (key, tokens, allowed, updated_at)
VALUES (%(key)s, %(burst)s::float8 - 1, true, statement_timestamp())
ON CONFLICT (key) DO UPDATE SET
    tokens = CASE WHEN {_REFILLED} >= 1 THEN {_REFILLED} - 1 ELSE {_REFILLED} END,
    allowed = {_REFILLED} >= 1,
    updated_at = statement_timestamp()
RETURNING allowed, tokens
"""
# A bucket idle for longer than it takes to fill is the same as no bucket: rows past that are deleted,
# now and then, by a request that failed authentication (the only kind of key without bound).
_PURGE = "DELETE FROM erp_rate_bucket WHERE updated_at < statement_timestamp() - make_interval(secs => %s)"
_PURGE_ONE_IN = 256


def take(key: str, rate: Rate) -> float:
    """Take one token from the bucket `key`; return 0 when taken, else the seconds until one is there."""
    alias = settings.FOLIO_RATE_LIMIT_CACHE
    if alias:
        return _take_from_cache(caches[alias], key, rate)
    with connection.cursor() as cursor:
        cursor.execute(_TAKE, {"key": key, "burst": rate.burst, "rate": rate.per_second})
        allowed, tokens = cursor.fetchone()
    return 0.0 if allowed else (1 - tokens) / rate.per_second


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


class ApiKeyRateThrottle(BaseThrottle):
    """DRF throttle: each API key may send FOLIO_API_KEY_RATE requests, with bursts of FOLIO_API_KEY_BURST."""

    def allow_request(self, request, view) -> bool:
        if request.auth is None:  # the public schema and docs, or no key (refused by the permission)
            return True
        self._wait = take(f"key:{request.auth.pk}", api_key_rate())
        return self._wait == 0

    def wait(self) -> float:
        return self._wait


# Addresses this process has refused, until when (time.monotonic()): while refused, a further failure
# is answered without touching the bucket, which a refused request would not change anyway.
_refused_until: dict[str, float] = {}
_REFUSED_MAX = 10_000


def refuse_failed_authentication(request) -> None:
    """Count a failed authentication against the client's address; raise Throttled once over the limit.

    Only failures are counted: a request with a valid key is limited by its key, never refused for
    sharing an address (an office behind one proxy) with a client whose key is wrong.
    """
    # REMOTE_ADDR, or X-Forwarded-For behind NUM_PROXIES
    address = client_network(BaseThrottle().get_ident(request))
    now = time.monotonic()
    until = _refused_until.get(address)
    if until is not None and now < until:
        raise _throttled(until - now)
    if not settings.FOLIO_RATE_LIMIT_CACHE and random.randrange(_PURGE_ONE_IN) == 0:
        purge_idle_buckets()  # a cache's counters expire by themselves
    wait = take(f"address:{address}", failed_authentication_rate())
    if wait:
        if len(_refused_until) >= _REFUSED_MAX:
            _refused_until.clear()
        _refused_until[address] = now + wait
        raise _throttled(wait)


def client_network(address: str) -> str:
    """Return what one client's failures count against: an IPv4 address, or an IPv6 address's /64.

    One host is routinely given a whole IPv6 /64, so counting each of its addresses alone would let it
    rotate past the limit; an IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) is its IPv4 address.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        # Not an address (an odd X-Forwarded-For): counted as given, as a digest fit for any cache key.
        return "unparsed:" + hashlib.sha256(address.encode()).hexdigest()[:32]
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False))


class RateLimited(Throttled):
    """A 429 saying which limit was reached (DRF's own Throttled, raised for a key, says only "throttled")."""

    def __init__(self, wait: float, reason: str):
        super().__init__(wait=wait)
        self.reason = reason


def _throttled(wait: float) -> RateLimited:
    return RateLimited(wait, "Too many failed authentications from this address.")
