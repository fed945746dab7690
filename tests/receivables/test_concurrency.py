"""Concurrent payments over overlapping invoices: never over-applied, no deadlock escapes, the books balance.

Every thread has its own database connection and commits for real; a barrier releases them together.
"""

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from ledger import selectors
from ledger.models import JournalEntry
from receivables.models import Invoice, Payment, PaymentApplication
from receivables.services import ApplicationInput, payment_apply_to_invoices
from tests.receivables.factories import CustomerFactory, InvoiceFactory

PAYMENTS = 20
VOIDS = 4
INVOICES = 8
LEGITIMATE_REFUSALS = {"amount_exceeds_balance", "document_not_open"}


def race(calls) -> list:
    """Run each call in its own thread (and connection), all released at once; return their results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # the assertions show whatever escaped
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_payments_over_overlapping_invoices(entity, make_client):
    rng = random.Random(20260302)
    customer = CustomerFactory(entity=entity)
    invoices = [InvoiceFactory(customer=customer, amount="100.00") for _ in range(INVOICES)]
    # Given four earlier payments, to be voided while the new ones race over the same invoices.
    earlier = [
        payment_apply_to_invoices(
            entity=entity,
            customer_id=customer.pk,
            payment_method="cash",
            amount="20.00",
            applications=[
                ApplicationInput(document_id=invoice.pk, amount_applied="10.00")
                for invoice in rng.sample(invoices, 2)
            ],
            created_by="setup",
        )
        for _ in range(VOIDS)
    ]
    api = make_client(entity, scopes=["payments:write", "payments:read"])

    def payment_body() -> dict:
        chosen = rng.sample(invoices, rng.randint(3, 6))  # overlapping sets, each in shuffled order
        amounts = [Decimal(rng.randint(500, 2500)) / 100 for _ in chosen]
        return {
            "account_id": str(customer.pk),
            "payment_method": rng.choice(["check", "ach", "wire", "cash", "credit", "external"]),
            "amount": str(sum(amounts)),
            "applications": [
                {"order_id": str(invoice.pk), "amount_applied": str(amount)}
                for invoice, amount in zip(chosen, amounts, strict=True)
            ],
        }

    bodies = [payment_body() for _ in range(PAYMENTS)]
    calls = [
        (lambda body=body: api.post("/v1/payments/multi-invoice-apply", body, format="json"))
        for body in bodies
    ] + [
        (
            lambda payment=payment: api.post(
                f"/v1/payments/{payment.pk}/void", {"reason": "test"}, format="json"
            )
        )
        for payment in earlier
    ]

    # When they all run at once.
    responses = race(calls)

    # Then every client got a payment, a void, or a legitimate refusal: nothing else (no deadlock, no 5xx).
    escaped = [r for r in responses if isinstance(r, Exception)]
    assert not escaped, escaped
    payments, voids = responses[:PAYMENTS], responses[PAYMENTS:]
    assert [v.status_code for v in voids] == [200] * VOIDS, [v.json() for v in voids]
    refusals = [r.json()["error"]["code"] for r in payments if r.status_code != 201]
    assert {r.status_code for r in payments} <= {201, 422}, [r.json() for r in payments]
    assert set(refusals) <= LEGITIMATE_REFUSALS
    created = [r.json()["data"] for r in payments if r.status_code == 201]
    assert created, "at least the first payments fit"
    assert Payment.objects.filter(status="applied").count() == len(created)

    # No invoice is over-applied, and each one's applications explain its balance exactly.
    for invoice in Invoice.objects.filter(pk__in=[i.pk for i in invoices]):
        applied = PaymentApplication.objects.filter(invoice=invoice, payment__status="applied").aggregate(
            total=Sum("amount_applied")
        )["total"] or Decimal("0.00")
        assert invoice.balance_due >= 0
        assert applied == invoice.total - invoice.balance_due, invoice.number
        expected = "open" if applied == 0 else "paid" if invoice.balance_due == 0 else "partially_paid"
        assert invoice.status == expected

    # And the books balance: receivables equal what is still owed, every entry numbered without a gap.
    assert selectors.trial_balance(entity=entity).balanced
    owed = Invoice.objects.filter(entity=entity).aggregate(total=Sum("balance_due"))["total"]
    assert selectors.account_balance(entity=entity, code="accounts_receivable") == owed
    numbers = sorted(JournalEntry.objects.filter(entity=entity).values_list("number", flat=True))
    assert numbers == [f"JE{n:07d}" for n in range(1, len(numbers) + 1)]
    assert len(numbers) == INVOICES + VOIDS * 2 + len(created)
