"""Rate limits: per API key, and per client address for failed authentication (docs/api.md, "Rate limits").

The buckets themselves (a sustained rate and a burst, shared by every server process) are
erp/services/rate_limits.py; here are the DRF throttle and the count of failed authentications.
"""

import hashlib
import ipaddress
import random
import time

from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from erp.services.rate_limits import (
    api_key_bucket,
    api_key_rate,
    buckets_in_database,
    failed_authentication_rate,
    purge_idle_buckets,
    take,
)

_PURGE_ONE_IN = 256


class ApiKeyRateThrottle(BaseThrottle):
    """DRF throttle: each API key may send FOLIO_API_KEY_RATE requests, with bursts of FOLIO_API_KEY_BURST."""

    def allow_request(self, request, view) -> bool:
        if request.auth is None:  # the public schema and docs, or no key (refused by the permission)
            return True
        # The key lookup took the token already when the buckets are in the database (rate_wait).
        wait = request.user.rate_wait
        self._wait = take(api_key_bucket(request.auth.pk), api_key_rate()) if wait is None else wait
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
    if buckets_in_database() and random.randrange(_PURGE_ONE_IN) == 0:
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
