"""Test mode: a test key works on the entity's test books only, and every object says which books it is from.

docs/api.md, "Test mode". The isolation matrix (tests/system/test_isolation_matrix.py) checks every
endpoint × {test key on a live object, live key on a test object}; this file checks the books themselves.
"""

import json
import uuid

import pytest

from erp.models import Activity, ApiKey, Entity, IdempotencyRecord
from erp.scopes import SCOPES
from erp.services import entity_test_books, entity_update
from erp.services.api_keys import (
    MOVED_TO_TEST_BOOKS,
    SECRET_LENGTH,
    TEST_KIND,
    api_key_authenticate,
    hash_token,
)
from ledger import selectors
from ledger.models import Account, JournalEntry
from ledger.services import account_create
from numbering.models import Sequence
from numbering.services import sequence_create, sequence_issue_next
from receivables.models import Invoice
from tests.db_roles import superuser_sql
from tests.dialects.test_portos_api import transfer
from tests.erp.factories import EntityFactory, api_key_with_token
from tests.helpers import client_for, refused
from tests.receivables.factories import CustomerFactory

pytestmark = pytest.mark.django_db

INVOICE_BODY = {
    "invoice_date": "2026-03-02",
    "lines": [{"description": "Consulting", "unit_price": "100.00"}],
}


def keys(entity):
    """Return an all-scopes (live client, test client) pair for `entity`."""
    _, live = api_key_with_token(entity=entity, scopes=sorted(SCOPES), livemode=True)
    _, test = api_key_with_token(entity=entity, scopes=sorted(SCOPES), livemode=False)
    return client_for(live), client_for(test)


def test_a_test_key_belongs_to_test_books_set_up_like_the_live_entity(entity):
    account_create(entity=entity, code="consulting", name="Consulting revenue", type="income")
    live_sequence = sequence_create(entity=entity, name="Orders", format="SO-{i5}", reset="never")
    sequence_issue_next(sequence=live_sequence)
    api_key, _ = api_key_with_token(entity=entity, scopes=["numbering:read"], livemode=False)
    books = api_key.entity
    assert (books.livemode, books.live_entity_id, books.code) == (False, entity.pk, f"{entity.code}.test")
    assert str(books) == f"{entity.name} (test)" and books.public_id == entity.pk
    assert set(Account.objects.filter(entity=books).values_list("code", "type")) == set(
        Account.objects.filter(entity=entity).values_list("code", "type")
    )
    copied = Sequence.objects.get(entity=books, name="Orders")
    assert copied.format == "SO-{i5}" and copied.pk != live_sequence.pk
    assert sequence_issue_next(sequence=copied).number == "SO-00001"  # counters of its own
    # A second test key (or a second first use) finds the same books.
    other, _ = api_key_with_token(entity=entity, scopes=["numbering:read"], livemode=False)
    assert other.entity_id == books.pk == entity_test_books(entity=books).pk
    assert Entity.objects.filter(live_entity=entity).count() == 1


def test_a_test_invoice_takes_test_numbers_and_posts_to_the_test_ledger(entity):
    live_api, test_api = keys(entity)
    live_customer = live_api.post("/v1/customers", {"name": "Live Co"}, format="json").json()
    test_customer = test_api.post("/v1/customers", {"name": "Test Co"}, format="json").json()
    first = live_api.post("/v1/invoices", {**INVOICE_BODY, "customer_id": live_customer["id"]}, format="json")
    assert first.status_code == 201 and first.json()["number"] == "INV0000001"
    live_entries = JournalEntry.objects.filter(entity=entity).count()

    response = test_api.post(
        "/v1/invoices", {**INVOICE_BODY, "customer_id": test_customer["id"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["livemode"], body["entity_id"]) == ("INV0000001", False, str(entity.pk))
    books = Entity.objects.get(live_entity=entity)
    assert Invoice.objects.get(pk=body["id"]).entity_id == books.pk
    assert JournalEntry.objects.filter(entity=entity).count() == live_entries  # the live ledger is untouched
    assert selectors.account_balance(entity=books, code="accounts_receivable") == 100
    assert selectors.account_balance(entity=entity, code="accounts_receivable") == 100

    # Neither mode sees the other's objects: 404, and absent from lists.
    assert live_api.get(f"/v1/invoices/{body['id']}").status_code == 404
    assert test_api.get(f"/v1/invoices/{first.json()['id']}").status_code == 404
    assert [i["id"] for i in test_api.get("/v1/invoices").json()["data"]] == [body["id"]]
    assert [i["id"] for i in live_api.get("/v1/invoices").json()["data"]] == [first.json()["id"]]
    # A test key cannot bill a live customer (nor the reverse).
    crossed = test_api.post(
        "/v1/invoices", {**INVOICE_BODY, "customer_id": live_customer["id"]}, format="json"
    )
    assert crossed.status_code == 404


def test_every_object_carries_livemode(entity):
    live_api, test_api = keys(entity)
    for api, livemode in ((live_api, True), (test_api, False)):
        customer = api.post("/v1/customers", {"name": "Acme"}, format="json").json()
        assert customer["livemode"] is livemode
        listing = api.get("/v1/customers").json()
        assert listing["livemode"] is livemode
        assert [c["livemode"] for c in listing["data"]] == [livemode]
        invoice = api.post(
            "/v1/invoices", {**INVOICE_BODY, "customer_id": customer["id"]}, format="json"
        ).json()
        assert invoice["livemode"] is livemode
        applied = api.post(
            "/v1/payments/multi-invoice-apply",
            {
                "account_id": customer["id"],
                "payment_method": "check",
                "amount": "100.00",
                "applications": [{"order_id": invoice["id"], "amount_applied": "100.00"}],
            },
            format="json",
        ).json()
        assert applied["data"]["livemode"] is livemode and applied["data"]["entity_id"] == str(entity.pk)
        sequences = api.get("/v1/document-sequences").json()["data"]
        assert sequences and {s["livemode"] for s in sequences} == {livemode}
        accounts = api.get("/v1/accounts").json()["data"]
        assert {a["livemode"] for a in accounts} == {livemode} and {a["entity_id"] for a in accounts} == {
            str(entity.pk)
        }


def test_a_test_key_reads_its_entity_under_the_live_id(entity):
    live_api, test_api = keys(entity)
    books = Entity.objects.get(live_entity=entity)
    live = live_api.get(f"/v1/entities/{entity.pk}").json()
    test = test_api.get(f"/v1/entities/{entity.pk}").json()
    assert (live["id"], live["code"], live["livemode"]) == (str(entity.pk), entity.code, True)
    assert (test["id"], test["code"], test["livemode"]) == (str(entity.pk), entity.code, False)
    # The books' own id is no path of the API: 403 like any other entity's.
    refused_path = test_api.get(f"/v1/entities/{books.pk}")
    assert (refused_path.status_code, refused_path.json()["error"]["code"]) == (403, "entity_mismatch")
    assert test_api.get(f"/v1/entities/{entity.pk}/migration/counters").status_code == 200


def test_idempotency_records_are_separate_per_mode(entity):
    live_api, test_api = keys(entity)
    headers = {"HTTP_IDEMPOTENCY_KEY": "same-key-in-both-modes"}
    live = live_api.post("/v1/customers", {"name": "Acme"}, format="json", **headers)
    test = test_api.post("/v1/customers", {"name": "Acme"}, format="json", **headers)
    assert live.status_code == test.status_code == 201
    assert "Idempotent-Replayed" not in test.headers  # ran again: no replay of the live outcome
    assert (live.json()["livemode"], test.json()["livemode"]) == (True, False)
    assert live.json()["id"] != test.json()["id"]
    replay = test_api.post("/v1/customers", {"name": "Acme"}, format="json", **headers)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == test.json()  # the replay carries livemode like the first answer
    assert IdempotencyRecord.objects.filter(key="same-key-in-both-modes").count() == 2


def test_renaming_the_live_entity_renames_its_test_books(entity):
    books = entity_test_books(entity=entity)
    entity_update(entity=entity, name="Renamed Inc", vendor_credit_expiry_days=90)
    books.refresh_from_db()
    assert (books.name, books.vendor_credit_expiry_days, str(books)) == (
        "Renamed Inc",
        90,
        "Renamed Inc (test)",
    )


def test_the_database_keeps_modes_apart(entity, other_entity):
    books = entity_test_books(entity=entity)
    with refused("entity_mode_fixed"):
        Entity.objects.filter(pk=books.pk).update(live_entity=other_entity)
    with refused("entity_mode_fixed"):
        Entity.objects.filter(pk=entity.pk).update(livemode=False, live_entity=other_entity)
    with refused("entity_test_books_of_live_entity"):
        Entity.objects.create(name="x", code="x.test", livemode=False, live_entity=books)
    with refused("entity_test_books_name_their_live_entity"):
        Entity.objects.create(name="x", code="y.test", livemode=False)
    live_key, _ = api_key_with_token(entity=entity, scopes=["numbering:read"])
    test_key, _ = api_key_with_token(entity=entity, scopes=["numbering:read"], livemode=False)
    with refused("api_key_mode_matches_entity"):
        ApiKey.objects.filter(pk=live_key.pk).update(entity=books)
    with refused("api_key_mode_matches_entity"):
        ApiKey.objects.filter(pk=test_key.pk).update(entity=entity)
    with refused("api_key_prefix_tells_mode"):
        ApiKey.objects.filter(pk=live_key.pk).update(prefix="ark_test_ent_ABCDEFGHJKMN")


def test_customers_of_test_books_are_not_the_live_ones(entity):
    live_customer = CustomerFactory(entity=entity)
    books = entity_test_books(entity=entity)
    _, token = api_key_with_token(entity=entity, scopes=["accounts:read"], livemode=False)
    assert client_for(token).get(f"/v1/customers/{live_customer.pk}").status_code == 404
    assert api_key_authenticate(token=token).entity_id == books.pk


def legacy_test_key(entity, scopes) -> str:
    """Write a test key onto the live entity, as keys were before test books existed; return its token.

    The database refuses such a key now (api_key_mode_matches_entity): the superuser writes it with
    the triggers off, as the data an old release left behind.
    """
    prefix = TEST_KIND + "LEGACYKEY234"
    token = prefix + "s" * SECRET_LENGTH
    superuser_sql(
        "INSERT INTO erp_apikey (id, entity_id, name, prefix, secret_hash, livemode, scopes, created_at,"
        " revoked_by) VALUES (%s, %s, 'legacy', %s, %s, false, %s, now(), '')",
        [uuid.uuid4(), entity.pk, prefix, hash_token(token), scopes],
    )
    return token


@pytest.mark.django_db(transaction=True)
def test_a_test_key_from_before_test_books_moves_to_them_on_first_use():
    entity = EntityFactory()
    live_customer = CustomerFactory(entity=entity)
    token = legacy_test_key(entity, sorted(SCOPES))
    assert not Entity.objects.filter(live_entity=entity).exists()

    api = client_for(token)
    # Its first request already works on the test books, created and set up on the way.
    assert api.get(f"/v1/customers/{live_customer.pk}").status_code == 404
    books = Entity.objects.get(live_entity=entity)
    key = ApiKey.objects.get(prefix=token[: len(TEST_KIND) + 12])
    assert key.entity_id == books.pk and not key.livemode
    assert Account.objects.filter(entity=books).exists() and Sequence.objects.filter(entity=books).exists()
    customer = api.post("/v1/customers", {"name": "Test Co"}, format="json").json()
    assert customer["livemode"] is False
    invoice = api.post("/v1/invoices", {**INVOICE_BODY, "customer_id": customer["id"]}, format="json")
    assert invoice.status_code == 201, invoice.json()
    assert Invoice.objects.get(pk=invoice.json()["id"]).entity_id == books.pk
    assert not Invoice.objects.filter(entity=entity).exists()  # nothing reached the live books
    assert [c["id"] for c in api.get("/v1/customers").json()["data"]] == [customer["id"]]
    # The move happened once and is in the activity log of the test books.
    assert api_key_authenticate(token=token).entity_id == books.pk
    moved = Activity.objects.filter(action="api_key.updated", object_id=str(key.pk))
    assert [(row.entity_id, row.reason) for row in moved] == [(books.pk, MOVED_TO_TEST_BOOKS)]
    logged = api.get("/v1/activity", {"action": "api_key.updated"}).json()["data"]
    assert [row["reason"] for row in logged] == [MOVED_TO_TEST_BOOKS]
    assert str(books.pk) not in json.dumps(logged)  # the books' own id is never shown


INTACCT = "/ia/api/v1/objects/company-config/document-sequence"
PORTOS = "/portos/stocktransfernumberings"
PORTOS_ID = "5a00000000000000000000aa"


def portos_numbering(**changes) -> dict:
    return transfer(id=PORTOS_ID, **changes)


def test_the_dialects_keep_modes_apart(entity):
    live_api, test_api = keys(entity)
    created = live_api.post(INTACCT, {"id": "Live orders", "type": "numeric"}, format="json")
    assert created.status_code == 201, created.json()
    live_key = created.json()["ia::result"]["key"]
    assert live_api.put(f"{PORTOS}/{PORTOS_ID}", portos_numbering(), format="json").status_code == 201

    # Intacct: a live sequence's key is unknown to the test key (get, patch, delete, list, query).
    for method in ("get", "patch", "delete"):
        answer = getattr(test_api, method)(f"{INTACCT}/{live_key}", {}, format="json")
        assert answer.status_code == 404, (method, answer.json())
    assert live_key not in {row["key"] for row in test_api.get(INTACCT).json()["ia::result"]}
    found = test_api.post(
        "/ia/api/v1/services/core/query",
        {"object": "company-config/document-sequence", "fields": ["key", "id"], "size": 4000},
        format="json",
    ).json()["ia::result"]
    assert "Live orders" not in {row["id"] for row in found} and live_key not in {r["key"] for r in found}
    # PORTOS: the same id names a numbering of each mode's own; the test key's PUT never touches the live one.
    assert test_api.get(f"{PORTOS}/{PORTOS_ID}").status_code == 404
    assert PORTOS_ID not in {item["id"] for item in test_api.get(PORTOS).json()["items"]}
    mine = test_api.put(f"{PORTOS}/{PORTOS_ID}", portos_numbering(format="X-{yyyy}{MM}{i4}"), format="json")
    assert mine.status_code == 201, mine.json()
    books = Entity.objects.get(live_entity=entity)
    assert Sequence.objects.get(entity=entity, portos_id=PORTOS_ID).format == "T-{yyyy}{MM}{i4}"
    assert Sequence.objects.get(entity=books, portos_id=PORTOS_ID).format == "X-{yyyy}{MM}{i4}"
    assert test_api.delete(f"{PORTOS}/{PORTOS_ID}").status_code == 200
    assert Sequence.objects.filter(entity=entity, portos_id=PORTOS_ID).exists()
    # And the reverse: the live key sees none of the test books' sequences.
    test_key = test_api.post(INTACCT, {"id": "Test orders", "type": "numeric"}, format="json")
    assert live_api.get(f"{INTACCT}/{test_key.json()['ia::result']['key']}").status_code == 404
    assert "livemode" not in live_api.get(f"{INTACCT}/{live_key}").json()["ia::result"]


def test_the_test_books_own_id_is_shown_nowhere(entity):
    _, test_api = keys(entity)
    books = Entity.objects.get(live_entity=entity)
    closed = test_api.patch(f"/v1/entities/{entity.pk}", {"lock_date": "2020-01-31"}, format="json")
    assert closed.status_code == 200 and closed.json()["id"] == str(entity.pk)
    logged = test_api.get("/v1/activity", {"action": "entity.updated"}).json()["data"]
    assert [(row["object"]["type"], row["object"]["id"]) for row in logged] == [("entity", str(entity.pk))]
    assert str(books.pk) not in json.dumps(test_api.get("/v1/activity").json())
