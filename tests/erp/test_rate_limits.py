"""API rate limits: per key, and per client address for failed authentication (erp/api/throttling.py)."""

import time

import pytest
from django.db import connection

from erp.api import throttling
from erp.api.throttling import client_network
from erp.scopes import SCOPES
from erp.services.api_keys import api_key_revoke
from erp.services.rate_limits import api_key_bucket, parse_rate, purge_idle_buckets, take
from tests.erp.factories import api_key_with_token
from tests.helpers import client_for
from tests.processes import connect_child, outcome, start

pytestmark = pytest.mark.django_db

BAD_KEY = "ark_live_ent_" + "x" * 40


@pytest.fixture(autouse=True)
def no_refused_addresses():
    """Each test starts with no address remembered as refused by this process."""
    throttling._refused_until.clear()
    yield
    throttling._refused_until.clear()


@pytest.fixture
def strict(settings):
    """Five requests at once, then one a minute: per key and per address."""
    settings.FOLIO_API_KEY_RATE = "1/min"
    settings.FOLIO_API_KEY_BURST = 5
    settings.FOLIO_FAILED_AUTH_RATE = "1/min"
    settings.FOLIO_FAILED_AUTH_BURST = 5
    return settings


def new_client(entity, **extra):
    _, token = api_key_with_token(entity=entity, scopes=sorted(SCOPES))
    client = client_for(token)
    client.defaults.update(extra)
    return client


def assert_rate_limited(response, longest: int = 60) -> int:
    """Assert a 429 in the envelope with a Retry-After of at most `longest`; return the seconds it says."""
    assert response.status_code == 429, response.content
    body = response.json()
    assert body["error"]["type"] == "rate_limit"
    assert body["error"]["code"] == "rate_limited"
    assert body["request_id"] == response["X-Request-Id"]
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= longest
    return seconds


def test_a_key_bursts_then_gets_429_with_retry_after_while_another_key_is_served(strict, entity):
    first, second = new_client(entity), new_client(entity)
    path = f"/v1/entities/{entity.pk}"
    for _ in range(5):
        assert first.get(path).status_code == 200
    refused = first.get(path)
    seconds = assert_rate_limited(refused)
    message = refused.json()["error"]["message"]
    assert message == f"Too many requests with this API key. Retry after {seconds} s."
    assert_rate_limited(first.post("/v1/customers", {"name": "Refused"}, format="json"))
    # The other key has its own bucket.
    assert second.get(path).status_code == 200


def test_a_refused_request_takes_nothing_and_tokens_come_back_at_the_rate(settings, entity):
    settings.FOLIO_API_KEY_RATE = "20/s"
    settings.FOLIO_API_KEY_BURST = 2
    client = new_client(entity)
    path = f"/v1/entities/{entity.pk}"
    assert [client.get(path).status_code for _ in range(2)] == [200, 200]
    assert assert_rate_limited(client.get(path)) == 1
    time.sleep(0.06)  # a token every 50 ms
    assert client.get(path).status_code == 200


def test_the_key_lookup_takes_the_token_of_the_key_the_token_proves_and_no_other(strict, entity):
    api_key, token = api_key_with_token(entity=entity, scopes=sorted(SCOPES))
    path = f"/v1/entities/{entity.pk}"
    # Its prefix with a wrong secret (the prefix is no secret: the admin and the activity log show it)
    # takes nothing from the key's bucket; those failures count against the address only.
    forger = client_for(token[:-1] + ("a" if token[-1] != "a" else "b"))
    forger.defaults["REMOTE_ADDR"] = "203.0.113.20"
    assert [forger.get(path).status_code for _ in range(5)] == [401] * 5
    assert bucket(api_key_bucket(api_key.pk)) is None
    client = client_for(token)
    assert client.get(path).status_code == 200
    assert bucket(api_key_bucket(api_key.pk)) == 4  # one token a request, taken with the key's lookup
    for _ in range(4):
        assert client.get(path).status_code == 200
    assert_rate_limited(client.get(path))
    # A revoked key takes nothing either.
    api_key_revoke(api_key=api_key, revoked_by="test")
    before = bucket(api_key_bucket(api_key.pk))
    assert client.get(path).status_code == 401
    assert bucket(api_key_bucket(api_key.pk)) == before


def bucket(key: str) -> int | None:
    """Return the whole tokens left in a database bucket, or None when it does not exist."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT floor(tokens) FROM erp_rate_bucket WHERE key = %s", [key])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def test_a_bad_key_flood_from_one_address_gets_429_and_other_callers_do_not(strict, entity):
    flooder = client_for(BAD_KEY)
    flooder.defaults["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(5):
        assert flooder.get("/v1/customers").status_code == 401
    refused = flooder.get("/v1/customers")
    assert_rate_limited(refused)
    assert refused.json()["error"]["message"].startswith("Too many failed authentications from this address.")
    assert_rate_limited(flooder.post("/v1/customers", {"name": "x"}, format="json"))

    # Another address with a bad key still learns that its key is wrong.
    elsewhere = client_for(BAD_KEY)
    elsewhere.defaults["REMOTE_ADDR"] = "198.51.100.4"
    assert elsewhere.get("/v1/customers").status_code == 401
    # A valid key from the flooded address is limited by its key only.
    colleague = new_client(entity, REMOTE_ADDR="203.0.113.9")
    assert colleague.get(f"/v1/entities/{entity.pk}").status_code == 200


def test_an_ipv6_client_is_one_address_per_64_prefix(strict):
    # One host holds a whole /64: counting each of its addresses alone would let it rotate past the limit.
    for host in range(1, 7):
        response = client_for(BAD_KEY).get("/v1/customers", REMOTE_ADDR=f"2001:db8:0:7::{host:x}")
    assert_rate_limited(response)
    assert client_for(BAD_KEY).get("/v1/customers", REMOTE_ADDR="2001:db8:0:8::1").status_code == 401
    # An IPv4 client seen through an IPv6 socket is its IPv4 address.
    mapped = client_for(BAD_KEY).get("/v1/customers", REMOTE_ADDR="::ffff:203.0.113.11")
    assert mapped.status_code == 401
    for _ in range(5):
        response = client_for(BAD_KEY).get("/v1/customers", REMOTE_ADDR="203.0.113.11")
    assert_rate_limited(response)


def test_the_counted_address_is_normalised_and_safe_as_a_cache_key():
    assert client_network("2001:DB8:0:7:1:2:3:4") == "2001:db8:0:7::/64"
    assert client_network("::ffff:203.0.113.11") == client_network(" 203.0.113.11") == "203.0.113.11"
    odd = client_network("not an address\n" + "x" * 5000)
    assert odd.startswith("unparsed:") and len(odd) == 41 and odd.isprintable() and " " not in odd


def test_forwarded_for_is_ignored_without_trusted_proxies(strict):
    # A client cannot dodge the address limit by naming another address in X-Forwarded-For.
    for attempt in range(6):
        response = client_for(BAD_KEY).get(
            "/v1/customers", REMOTE_ADDR="203.0.113.10", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}"
        )
    assert_rate_limited(response)


def test_behind_one_trusted_proxy_the_forwarded_address_is_the_client(strict, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for _ in range(6):
        response = client_for(BAD_KEY).get(
            "/v1/customers", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.7"
        )
    assert_rate_limited(response)
    other = client_for(BAD_KEY).get("/v1/customers", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.8")
    assert other.status_code == 401


def test_the_dialects_answer_429_in_their_own_shapes(strict, entity):
    intacct = new_client(entity)
    path = "/ia/api/v1/objects/company-config/document-sequence"
    for _ in range(5):
        assert intacct.get(path).status_code == 200
    response = intacct.get(path)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    error = response.json()["ia::error"]
    assert error["code"] == "tooManyRequests"
    assert error["errorId"] == "rate_limited"

    portos = new_client(entity)
    for _ in range(5):
        assert portos.get("/portos/stocktransfernumberings").status_code == 200
    assert_rate_limited(portos.get("/portos/stocktransfernumberings"))


def test_a_cache_with_an_atomic_incr_can_hold_the_buckets(strict, entity):
    strict.CACHES = {
        **strict.CACHES,
        "rate_limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl-test"},
    }
    strict.FOLIO_RATE_LIMIT_CACHE = "rate_limits"
    client = new_client(entity)
    for _ in range(5):
        assert client.get(f"/v1/entities/{entity.pk}").status_code == 200
    # A fixed window of 5 requests per 300 s (5 at 1/min): the wait is to the window's end.
    assert_rate_limited(client.get(f"/v1/entities/{entity.pk}"), longest=300)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM erp_rate_bucket")
        assert cursor.fetchone()[0] == 0


def test_rates_are_read_strictly():
    assert parse_rate("50/s", 100).per_second == 50
    assert parse_rate("10/min", 20).refill_seconds == 120
    for text, burst in [("50", 100), ("0/s", 1), ("5/fortnight", 1), ("-1/s", 1), ("5/s", 0)]:
        with pytest.raises(ValueError):
            parse_rate(text, burst)


def test_idle_buckets_are_purged_once_full_again():
    rate = parse_rate("1/min", 5)
    take("address:192.0.2.1", rate)
    take("address:192.0.2.2", rate)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE erp_rate_bucket SET updated_at = updated_at - interval '2 hours' WHERE key = %s",
            ["address:192.0.2.1"],
        )
    purge_idle_buckets()
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM erp_rate_bucket WHERE key LIKE 'address:192.0.2.%%'")
        assert [row[0] for row in cursor.fetchall()] == ["address:192.0.2.2"]


def take_many(db_name: str, key: str, times: int) -> int:
    """In a worker process: take `times` tokens from bucket `key`; return how many it got."""
    connect_child(db_name)
    rate = parse_rate("1/h", 15)
    return sum(1 for _ in range(times) if take(key, rate) == 0)


@pytest.mark.django_db(transaction=True)
def test_processes_share_one_bucket_and_never_let_more_than_the_burst_through(db_name):
    # Three processes, each on its own connection, draw 20 tokens from one bucket of 15 at once.
    workers = [start(take_many, db_name, "key:shared-test", 20) for _ in range(3)]
    taken = [outcome(process, results) for process, results in workers]
    assert sum(taken) == 15, taken


def test_every_operation_documents_429_and_503_with_retry_after(client):
    schema = client.get("/v1/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) > 40
    for path, method, operation in operations:
        for status, code in (("429", "rate_limited"), ("503", "database_unavailable")):
            response = operation["responses"][status]
            assert response["headers"]["Retry-After"]["schema"]["minimum"] == 1, (method, path)
            examples = response["content"]["application/json"]["examples"]
            assert list(examples) == [code], (method, path, status)
