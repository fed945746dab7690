"""Idempotency-Key: one execution, replays, mismatches, in-flight duplicates, 5xx stores nothing."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from erp.models import ApiKey, IdempotencyRecord
from erp.services.idempotency import idempotency_records_purge

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
def test_the_same_body_with_other_key_order_is_the_same_request(api):
    probe(api, {"name": "order", "delay": 0}, key="k-order")
    again = api.generic(
        "POST",
        "/v1/probe-writes",
        '{"delay": 0, "name": "order"}',
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
    assert executions("rejected") == 0


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
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
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


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_identical_requests_execute_exactly_once(entity, make_client):
    """Ten threads, each with its own connection, fire the same keyed request at once."""
    client = make_client(entity)
    barrier = threading.Barrier(10)
    statuses: list[int] = []
    bodies: list[dict] = []
    lock = threading.Lock()

    def fire():
        try:
            barrier.wait()
            response = probe(client, {"name": "concurrent", "delay": 0.5}, key="k-concurrent")
            with lock:
                statuses.append(response.status_code)
                bodies.append(response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=fire) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert executions("concurrent") == 1
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    conflicts = [b["error"]["code"] for b in bodies if "error" in b]
    assert set(conflicts) <= {"idempotency_key_in_use"}
    # Once the first has committed, a retry is a replay of the same payment.
    retry = probe(client, {"name": "concurrent", "delay": 0.5}, key="k-concurrent")
    assert retry.status_code == 201
    assert retry.json()["idempotent_replay"] is True
    assert executions("concurrent") == 1
