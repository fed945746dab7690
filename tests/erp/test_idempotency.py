"""Idempotency-Key: one execution, replays, mismatches, in-flight duplicates, 5xx stores nothing."""

import threading
from collections import Counter
from datetime import timedelta

import psycopg
import pytest
from django.db import DatabaseError, OperationalError, connection, transaction
from django.utils import timezone

from erp.api.errors import exception_handler
from erp.models import ApiKey, IdempotencyRecord
from erp.scopes import SCOPES
from erp.services.idempotency import idempotency_records_purge, run_idempotently
from erp.transactions import retryable, run_in_transaction
from tests.erp.factories import api_key_with_token
from tests.erp.urls import PROBE_GATE, WAIT
from tests.helpers import client_for, refused

pytestmark = pytest.mark.urls("tests.erp.urls")


def probe(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/v1/probe-writes", body, format="json", **headers)


def executions(name):
    return ApiKey.objects.filter(name=name).count()


@pytest.mark.django_db
def test_a_retry_replays_the_identical_body_without_running_again(api):
    first = probe(api, {"name": "once"}, key="k-1")
    again = probe(api, {"name": "once"}, key="k-1")
    assert first.status_code == again.status_code == 201
    assert executions("once") == 1
    replayed = again.json()
    assert replayed.pop("idempotent_replay") is True
    original = first.json()
    assert original.pop("idempotent_replay") is False
    assert replayed == original
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_the_first_answer_is_sent_as_stored_and_a_replay_differs_only_by_its_marks(api):
    """The stored body is the one sent: first and replay are the same JSON but for the replay marks."""
    first = probe(api, {"name": "bytes"}, key="k-bytes")
    again = probe(api, {"name": "bytes"}, key="k-bytes")
    assert first["Content-Type"] == again["Content-Type"] == "application/json"
    assert "Idempotent-Replayed" not in first
    stored = IdempotencyRecord.objects.get(key="k-bytes")
    assert first.content.decode() == stored.response_body
    assert first.json()["livemode"] is True  # marked before it was stored
    assert again.content == first.content.replace(b'"idempotent_replay":false', b'"idempotent_replay":true')


@pytest.mark.django_db
def test_an_answer_asked_for_indented_is_rendered_indented_and_replayed(api):
    first = api.post(
        "/v1/probe-writes",
        {"name": "indented"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-indent",
        HTTP_ACCEPT="application/json; indent=2",
    )
    again = probe(api, {"name": "indented"}, key="k-indent")
    assert first.status_code == again.status_code == 201
    assert b'\n  "id"' in first.content
    assert again.json()["id"] == first.json()["id"]
    assert executions("indented") == 1


@pytest.mark.django_db
def test_a_record_stored_before_bodies_were_marked_replays_with_livemode(api):
    """Records of the previous release stored the body without `livemode`: a replay still marks it."""
    first = probe(api, {"name": "unmarked"}, key="k-unmarked")
    record = IdempotencyRecord.objects.get(key="k-unmarked")
    record.response_body = record.response_body.replace(',"livemode":true', "")
    record.save()
    again = probe(api, {"name": "unmarked"}, key="k-unmarked")
    assert again.json()["livemode"] is True
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.django_db
def test_the_same_body_with_other_key_order_is_the_same_request(api):
    probe(api, {"name": "order", "reject": False}, key="k-order")
    again = api.generic(
        "POST",
        "/v1/probe-writes",
        '{"reject": false, "name": "order"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-order",
    )
    assert again.status_code == 201
    assert executions("order") == 1


@pytest.mark.django_db
def test_the_same_key_with_a_different_body_is_409_mismatch(api):
    probe(api, {"name": "a"}, key="k-2")
    response = probe(api, {"name": "b"}, key="k-2")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_mismatch"
    assert executions("b") == 0


@pytest.mark.django_db
def test_a_key_over_255_characters_is_400(api):
    response = probe(api, {"name": "long"}, key="x" * 256)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_too_long"
    assert executions("long") == 0
    assert probe(api, {"name": "max"}, key="x" * 255).status_code == 201


@pytest.mark.django_db
def test_a_5xx_stores_nothing_and_keeps_no_writes(api):
    api.raise_request_exception = False
    response = probe(api, {"name": "crash", "explode": True}, key="k-crash")
    assert response.status_code == 500
    assert not IdempotencyRecord.objects.exists()
    assert executions("crash") == 0


@pytest.mark.django_db
def test_a_4xx_outcome_is_stored_and_replayed_with_no_writes_kept(api):
    first = probe(api, {"name": "rejected", "reject": True}, key="k-422")
    again = probe(api, {"name": "rejected", "reject": True}, key="k-422")
    assert first.status_code == again.status_code == 422
    assert again.json()["error"] == first.json()["error"]
    assert again["Idempotent-Replayed"] == "true"
    assert executions("rejected") == 0
    assert IdempotencyRecord.objects.get(key="k-422").status_code == 422


@pytest.mark.django_db
def test_two_entities_using_the_same_key_value_are_independent(entity, other_entity, make_client):
    ours = probe(make_client(entity), {"name": "ours"}, key="shared-key")
    theirs = probe(make_client(other_entity), {"name": "theirs"}, key="shared-key")
    assert ours.status_code == theirs.status_code == 201
    assert executions("ours") == executions("theirs") == 1
    assert ours.json()["id"] != theirs.json()["id"]


@pytest.mark.django_db
def test_an_expired_record_lets_the_key_run_again_and_is_purged(api):
    probe(api, {"name": "old"}, key="k-old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert probe(api, {"name": "old"}, key="k-old").status_code == 201
    assert executions("old") == 2
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_records_purge() == 1
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_to_store_a_5xx(entity):
    with refused("idempotency_record_never_5xx"):
        IdempotencyRecord.objects.create(
            entity=entity,
            key="k",
            method="POST",
            path="/v1/x",
            request_fingerprint="0" * 64,
            status_code=503,
            response_body="",
            created_at=timezone.now(),
        )


@pytest.fixture
def gate():
    """The probe's gate, closed for this test and opened at its end whatever happens."""
    PROBE_GATE.reset()
    yield PROBE_GATE
    PROBE_GATE.release.set()


def key_lock_is_held(entity, key: str) -> bool:
    """Whether another transaction holds the key's advisory lock (tried, and released if taken)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"idempotency:{entity.pk}:POST:/v1/probe-writes:{key}"],
        )
        return not cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_duplicates_of_a_request_in_flight_are_409_and_it_executes_exactly_once(entity, gate):
    """The first request is held mid-write, its key lock held; nine duplicates then arrive at once."""
    _, token = api_key_with_token(entity=entity, scopes=sorted(SCOPES))
    body = {"name": "concurrent", "hold": True}
    responses: dict[str, list] = {"first": [], "duplicates": []}
    lock = threading.Lock()

    def fire(kind: str, barrier: threading.Barrier | None = None):
        try:
            if barrier is not None:
                barrier.wait(WAIT)
            response = probe(client_for(token), body, key="k-concurrent")
            with lock:
                responses[kind].append((response.status_code, response.json()))
        finally:
            connection.close()

    first = threading.Thread(target=fire, args=("first",))
    first.start()
    assert gate.entered.wait(WAIT), "the first request never reached its write"
    assert key_lock_is_held(entity, "k-concurrent")  # the first request's transaction holds it

    barrier = threading.Barrier(9)
    duplicates = [threading.Thread(target=fire, args=("duplicates", barrier)) for _ in range(9)]
    for thread in duplicates:
        thread.start()
    for thread in duplicates:
        thread.join(WAIT)
    assert [status for status, _ in responses["duplicates"]] == [409] * 9
    assert {b["error"]["code"] for _, b in responses["duplicates"]} == {"idempotency_key_in_use"}
    assert executions("concurrent") == 0  # the first has not committed yet

    gate.release.set()
    first.join(WAIT)
    assert [status for status, _ in responses["first"]] == [201]
    assert not key_lock_is_held(entity, "k-concurrent")  # gone with the commit
    assert executions("concurrent") == 1
    # Once the first has committed, a retry is a replay of the same write.
    retry = probe(client_for(token), body, key="k-concurrent")
    assert retry.status_code == 201
    assert retry.json()["idempotent_replay"] is True
    assert retry.json()["id"] == responses["first"][0][1]["id"]
    assert executions("concurrent") == 1


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_inside_a_keyed_request_runs_it_again_whole_and_never_surfaces(entity):
    """Two keyed requests lock two rows in opposite orders: the victim's whole transaction runs again.

    Inside an Idempotency-Key's transaction a service takes no savepoint (erp.transactions), so the
    retry is the request's: its claim, its writes and its stored answer, once.
    """
    (first, _), (second, _) = (api_key_with_token(entity=entity, scopes=sorted(SCOPES)[:1]) for _ in range(2))
    barrier = threading.Barrier(2)
    attempts: Counter = Counter()
    outcomes: dict = {}

    def request(name, one, other):
        def work():
            attempts[name] += 1
            ApiKey.objects.filter(pk=one.pk).update(name=f"{name} {attempts[name]}")
            if attempts[name] == 1:
                barrier.wait(timeout=10)  # both hold their first row: the cycle is certain
            ApiKey.objects.filter(pk=other.pk).update(name=f"{name} {attempts[name]}")
            return name

        def execute():
            try:
                return 201, run_in_transaction(work)
            except DatabaseError as error:  # what the API's exception handler answers
                return (409, "retry_later") if retryable(error) else (500, "error")

        try:
            outcomes[name] = run_idempotently(
                entity=entity,
                key=f"k-{name}",
                method="POST",
                path="/deadlock",
                fingerprint="f",
                execute=execute,
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=request, args=("one", first, second)),
        threading.Thread(target=request, args=("two", second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"one": (201, "one", False), "two": (201, "two", False)}
    assert sorted(attempts.values()) == [1, 2]  # the victim ran twice, the other once
    assert IdempotencyRecord.objects.filter(entity=entity).count() == 2
    assert set(ApiKey.objects.filter(pk__in=[first.pk, second.pk]).values_list("name", flat=True)) <= {
        "one 1",
        "two 1",
        "one 2",
        "two 2",
    }


@pytest.mark.django_db
def test_a_request_whose_transaction_lost_a_race_is_run_again_at_most_four_times(entity):
    runs = []

    def execute():
        runs.append(1)
        api_key_with_token(entity=entity, scopes=sorted(SCOPES)[:1], name=f"run {len(runs)}")
        exception_handler(_deadlock(), {})  # a deadlock anywhere in the request, answered by the API
        return 409, '{"error": {"code": "retry_later"}}'

    status, _, replayed = run_idempotently(
        entity=entity, key="k-lost", method="POST", path="/lost", fingerprint="f", execute=execute
    )
    assert (status, replayed, len(runs)) == (409, False, 4)
    assert not ApiKey.objects.filter(name__startswith="run ").exists()  # every run rolled back
    assert not IdempotencyRecord.objects.filter(key="k-lost").exists()  # a 409 is not stored


@pytest.mark.django_db
def test_a_refusal_that_is_not_a_lost_race_runs_once(entity):
    runs = []

    def execute():
        runs.append(1)
        exception_handler(_lock_timeout(), {})
        return 409, '{"error": {"code": "retry_later"}}'

    run_idempotently(
        entity=entity, key="k-once", method="POST", path="/once", fingerprint="f", execute=execute
    )
    assert len(runs) == 1


def _deadlock() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    return error


def _lock_timeout() -> OperationalError:
    error = OperationalError("lock timeout")
    error.__cause__ = psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")
    return error
