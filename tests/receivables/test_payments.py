"""Payments once made: list, retrieve, void (balances restored, entry reversed); retried deadlocks."""

import threading
from collections import Counter
from decimal import Decimal

import psycopg
import pytest
from django.db import DataError, OperationalError, connection

from erp.transactions import run_in_transaction
from ledger import selectors
from ledger.models import JournalEntry
from receivables.models import Customer, Invoice, Payment
from receivables.services import ApplicationInput, invoice_void, payment_apply_to_invoices, payment_void
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def paid(customer, *pairs, method="ach") -> Payment:
    return payment_apply_to_invoices(
        entity=customer.entity,
        customer_id=customer.pk,
        payment_method=method,
        amount=sum(Decimal(value) for _, value in pairs),
        applications=[
            ApplicationInput(document_id=invoice.pk, amount_applied=value) for invoice, value in pairs
        ],
        created_by="test",
    )


def balances(*invoices) -> list[tuple[Decimal, str]]:
    return [tuple(Invoice.objects.values_list("balance_due", "status").get(pk=i.pk)) for i in invoices]


def test_list_and_retrieve_show_amounts_as_strings_and_the_journal_number(api, customer, invoices):
    payment = paid(customer, (invoices[0], "100.00"), (invoices[1], "50.00"))
    listed = api.get("/v1/payments").json()
    assert listed["object"] == "list"
    assert [p["id"] for p in listed["data"]] == [str(payment.pk)]
    body = api.get(f"/v1/payments/{payment.pk}").json()
    assert body["object"] == "payment"
    assert (body["amount"], body["status"], body["applied_count"]) == ("150.00", "applied", 2)
    assert body["account_id"] == str(customer.pk)
    assert body["journal_entry_number"] == payment.journal_entry.number
    assert sorted(a["amount_applied"] for a in body["applications"]) == ["100.00", "50.00"]


def test_payment_filters(api, customer, invoices):
    first = paid(customer, (invoices[0], "10.00"))
    second = paid(customer, (invoices[1], "10.00"), method="cash")
    other = paid(CustomerFactory(entity=customer.entity) and customer, (invoices[2], "5.00"))
    ids = lambda **query: {p["id"] for p in api.get("/v1/payments", query).json()["data"]}  # noqa: E731
    assert ids(invoice=str(invoices[0].pk)) == {str(first.pk)}
    assert ids(payment_method="cash") == {str(second.pk)}
    assert ids(account_id=str(customer.pk)) == {str(first.pk), str(second.pk), str(other.pk)}
    payment_void(payment=first, reason="test", voided_by="test")
    assert ids(status="void") == {str(first.pk)}


def test_another_entitys_payment_is_404(api, other_entity):
    stranger = CustomerFactory(entity=other_entity)
    theirs = paid(stranger, (InvoiceFactory(customer=stranger), "1.00"))
    assert api.get(f"/v1/payments/{theirs.pk}").status_code == 404
    assert api.post(f"/v1/payments/{theirs.pk}/void", {"reason": "test"}, format="json").status_code == 404
    assert api.get("/v1/payments/not-a-uuid").status_code == 404


def test_voiding_restores_balances_and_posts_the_reversal(api, entity, customer, invoices):
    earlier = paid(customer, (invoices[1], "100.00"))
    payment = paid(customer, (invoices[0], "100.00"), (invoices[1], "150.00"), (invoices[2], "0.50"))
    assert balances(*invoices) == [
        (Decimal("0.00"), "paid"),
        (Decimal("0.00"), "paid"),
        (Decimal("75.00"), "partially_paid"),
    ]
    response = api.post(f"/v1/payments/{payment.pk}/void", {"reason": "bounced"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["void_reason"]) == ("void", "bounced")
    assert balances(*invoices) == [
        (Decimal("100.00"), "open"),
        (Decimal("150.00"), "partially_paid"),  # the earlier payment still counts
        (Decimal("75.50"), "open"),
    ]
    reversal = JournalEntry.objects.get(pk=body["void_journal_entry_id"])
    assert reversal.reversal_of_id == payment.journal_entry_id
    assert [(line.account.code, line.debit, line.credit) for line in reversal.lines.order_by("id")] == [
        ("bank", Decimal("0.00"), Decimal("250.50")),
        ("accounts_receivable", Decimal("250.50"), Decimal("0.00")),
    ]
    assert selectors.account_balance(entity=entity, code="bank") == earlier.amount
    assert selectors.trial_balance(entity=entity).balanced

    again = api.post(f"/v1/payments/{payment.pk}/void", {"reason": "test"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_void"


def test_an_invoice_whose_payments_are_all_voided_can_be_voided(customer, invoices):
    payment = paid(customer, (invoices[0], "40.00"))
    payment_void(payment=payment, reason="test", voided_by="test")
    assert invoice_void(invoice=invoices[0], reason="test", voided_by="test").status == "void"


def test_a_voided_payments_applications_no_longer_count(customer, invoices):
    first = paid(customer, (invoices[0], "60.00"))
    paid(customer, (invoices[0], "30.00"))
    payment_void(payment=first, reason="test", voided_by="test")
    invoice = Invoice.objects.get(pk=invoices[0].pk)
    counted = sum(a.amount_applied for a in invoice.applications.filter(payment__status="applied"))
    assert counted == invoice.total - invoice.balance_due == Decimal("30.00")
    # And the restored balance can be paid again.
    paid(customer, (invoices[0], "70.00"))
    assert balances(invoices[0]) == [(Decimal("0.00"), "paid")]


def test_voiding_needs_payments_write(entity, make_client, customer, invoices):
    payment = paid(customer, (invoices[0], "1.00"))
    response = make_client(entity, scopes=["payments:read"]).post(
        f"/v1/payments/{payment.pk}/void", {"reason": "test"}, format="json"
    )
    assert response.status_code == 403
    assert Payment.objects.get().status == "applied"


@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_is_retried_and_never_surfaces(entity):
    """Two transactions lock two rows in opposite orders; PostgreSQL kills one, and it simply runs again."""
    first, second = CustomerFactory(entity=entity), CustomerFactory(entity=entity)
    barrier = threading.Barrier(2)
    attempts: Counter = Counter()
    outcomes: dict = {}

    def lock_both(name, one, other):
        def work():
            attempts[name] += 1
            Customer.objects.select_for_update().get(pk=one.pk)
            if attempts[name] == 1:
                barrier.wait(timeout=10)  # both hold their first row: the cycle is certain
            Customer.objects.select_for_update().get(pk=other.pk)
            return name

        try:
            outcomes[name] = run_in_transaction(work)
        except Exception as error:
            outcomes[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=lock_both, args=("one", first, second)),
        threading.Thread(target=lock_both, args=("two", second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"one": "one", "two": "two"}
    assert sorted(attempts.values()) == [1, 2]  # the deadlock victim ran twice, the other once


def test_a_retried_attempt_leaves_nothing_behind(customer):
    attempts = []

    def work():
        attempts.append(CustomerFactory(entity=customer.entity, name=f"attempt {len(attempts)}"))
        if len(attempts) == 1:
            raise deadlock()
        return "done"

    assert run_in_transaction(work) == "done"
    names = set(customer.entity.customers.values_list("name", flat=True))
    assert "attempt 1" in names and "attempt 0" not in names


def deadlock() -> OperationalError:
    """Return a deadlock as Django raises it: an OperationalError caused by psycopg's DeadlockDetected."""
    error = OperationalError("deadlock detected")
    error.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    return error


def test_other_database_errors_and_exhausted_retries_are_raised(customer):
    calls = []

    def always_deadlocked():
        calls.append(1)
        raise deadlock()

    with pytest.raises(OperationalError):
        run_in_transaction(always_deadlocked, attempts=3)
    assert len(calls) == 3

    def divide_by_zero():
        calls.append(1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")

    calls.clear()
    with pytest.raises(DataError):
        run_in_transaction(divide_by_zero)
    assert len(calls) == 1
