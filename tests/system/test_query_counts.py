"""Queries per request on the hot endpoints (docs/benchmarks.md, "HTTP: the API path").

Each budget is the count today: a change that adds a query to a hot path fails here and has to say why
in the budget. Counts are taken on the second request of a kind (the first creates the numbering period
and warms the per-process statement caches), with an Idempotency-Key on writes, as integrations send
them. Where a request carries many rows (applications, lines), the count must not grow with them.
"""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from numbering.services import sequence_create
from tests.payables.factories import VendorBillFactory, VendorCreditFactory
from tests.receivables.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

# Queries per request, Idempotency-Key included on writes. Lower is welcome (lower the budget too).
# The key's rate-limit bucket is taken by the key lookup's own statement (erp/services/api_keys.py).
BUDGETS = {
    "entity read": 1,  # the key, its entity and its bucket (last_used_at is written once a minute at most)
    # Each write adds its activity-log row: one INSERT, written before the number (docs/activity.md).
    # generate-next-value: the key and its bucket; the Idempotency-Key's lock and record in one statement
    # (erp 0013); the sequence; the activity row, the number (the service joins the key's transaction
    # without a savepoint); the record. The test's own transaction turns BEGIN/COMMIT into a savepoint and
    # its release (2 more).
    "generate-next-value": 8,
    # Invoice create and AP payment answer the row their service returned, not read back
    # (CreateMixin.created_row_complete).
    # A document is created without a savepoint inside the key's transaction (nested_atomic).
    "invoice create": 19,
    # multi-invoice-apply: its invoices are read once, under their locks (no unlocked read to fail fast);
    # the payment service joins the key's transaction without a savepoint (erp.transactions); the commit
    # checks run and are deferred again in one round trip.
    "multi-invoice-apply": 17,
    "AP payment": 22,
    "intacct query": 3,
    "portos list": 4,
}


def counted(send) -> tuple[int, list[str]]:
    """Return how many queries one request ran, and their SQL (for the failure message)."""
    with CaptureQueriesContext(connection) as queries:
        response = send()
    assert 200 <= response.status_code < 300, response.content
    return len(queries), [query["sql"][:160] for query in queries]


def post(api, path: str, body: dict):
    return api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


def within_budget(name: str, send) -> int:
    send()  # warm-up: periods, caches
    count, sql = counted(send)
    assert count <= BUDGETS[name], f"{name}: {count} queries (budget {BUDGETS[name]}):\n" + "\n".join(sql)
    return count


def test_entity_read(api, entity):
    within_budget("entity read", lambda: api.get(f"/v1/entities/{entity.pk}"))


def test_generate_next_value(api, entity):
    sequence = sequence_create(entity=entity, name="Hot", format="H-{i6}", reset="never")
    path = f"/v1/document-sequences/{sequence.pk}/generate-next-value"
    within_budget("generate-next-value", lambda: post(api, path, {}))


def test_invoice_create_does_not_grow_with_lines(api, customer):
    def create(lines: int):
        body = {
            "customer_id": str(customer.pk),
            "invoice_date": "2026-06-15",
            "lines": [{"description": f"Line {n}", "unit_price": "10.00"} for n in range(lines)],
        }
        return lambda: post(api, "/v1/invoices", body)

    five = within_budget("invoice create", create(5))
    assert counted(create(20))[0] == five


def test_multi_invoice_apply_does_not_grow_with_applications(api, customer):
    invoices = [InvoiceFactory(customer=customer, amount=Decimal("100.00")) for _ in range(20)]

    def apply(count: int):
        body = {
            "account_id": str(customer.pk),
            "payment_method": "ach",
            "amount": f"{count * Decimal('0.01'):.2f}",
            "applications": [
                {"order_id": str(invoice.pk), "amount_applied": "0.01"} for invoice in invoices[:count]
            ],
            "payment_date": "2026-06-16",
        }
        return lambda: post(api, "/v1/payments/multi-invoice-apply", body)

    five = within_budget("multi-invoice-apply", apply(5))
    assert counted(apply(20))[0] == five


def test_intacct_query_does_not_grow_with_sequences(api, entity):
    body = {
        "object": "company-config/document-sequence",
        "filters": [{"$eq": {"status": "active"}}],
        "fields": ["key", "id", "nextNumber", "href"],
        "orderBy": [{"id": "asc"}],
    }

    def query():
        return api.post("/ia/api/v1/services/core/query", body, format="json")

    few = within_budget("intacct query", query)
    for index in range(5):
        sequence_create(entity=entity, name=f"Query {index}", format=f"Q{index}-{{i6}}", reset="never")
    assert counted(query)[0] == few


def test_portos_list_does_not_grow_with_numberings(api, entity):
    def listed():
        return api.get("/portos/stocktransfernumberings")

    def add(kinds):
        for kind in kinds:
            sequence_create(
                entity=entity, name=f"PORTOS {kind}", format=f"{kind[0]}-{{i6}}", stock_transfer_type=kind
            )

    add(["Outcome"])
    few = within_budget("portos list", listed)
    add(["Transfer", "Correction", "Invoice"])
    assert counted(listed)[0] == few


def test_ap_payment_does_not_grow_with_bills_or_credits(api, vendor):
    bills = [VendorBillFactory(vendor=vendor, total=Decimal("100.00")) for _ in range(20)]
    credits = [VendorCreditFactory(vendor=vendor, amount=Decimal("100.00")) for _ in range(5)]

    def pay(count: int, spent: int):
        body = {
            "vendor_id": str(vendor.pk),
            "method": "ach",
            "amount": "0.01",
            "applications": [{"bill_id": str(bill.pk), "amount_applied": "0.01"} for bill in bills[:count]],
            # Cash covers 0.01; the credits, oldest first, the rest (each credit holds plenty).
            "vendor_credit_ids": [str(credit.pk) for credit in credits[:spent]],
        }
        return lambda: post(api, "/v1/ap-payments", body)

    few = within_budget("AP payment", pay(2, 1))
    assert counted(pay(20, 5))[0] == few
