"""The running total of receivables/migrations/0004_invoice_applied_total.sql: kept by the database only.

The balance guard compares each invoice with `applied_total` instead of re-adding its applications, so the
total itself must follow every applied payment and void, and refuse any other writer. Since 0010 the
database moves the balance and the status with it, in the same write of the row.
"""

from decimal import Decimal

import pytest
from django.db import connection

from receivables.models import Invoice
from receivables.services import ApplicationInput, payment_apply_to_invoices, payment_void
from tests.helpers import refused, sql

pytestmark = pytest.mark.django_db


def applied_total(invoice) -> Decimal:
    with connection.cursor() as cursor:
        cursor.execute("SELECT applied_total FROM receivables_invoice WHERE id = %s", [invoice.pk])
        return cursor.fetchone()[0]


def pay(customer, *applications):
    return payment_apply_to_invoices(
        entity=customer.entity,
        customer_id=customer.pk,
        payment_method="ach",
        amount=str(sum(Decimal(amount) for _, amount in applications)),
        applications=[
            ApplicationInput(document_id=i.pk, amount_applied=amount) for i, amount in applications
        ],
        created_by="test",
    )


def test_the_total_follows_payments_and_voids(customer, invoices):
    first = pay(customer, (invoices[0], "30.00"), (invoices[1], "50.00"))
    pay(customer, (invoices[0], "20.00"))
    assert [applied_total(i) for i in invoices] == [Decimal("50.00"), Decimal("50.00"), Decimal("0.00")]
    payment_void(payment=first, reason="Bounced", voided_by="test")
    assert [applied_total(i) for i in invoices] == [Decimal("20.00"), Decimal("0.00"), Decimal("0.00")]


def balances(invoices) -> list[tuple[Decimal, str]]:
    return [(i.balance_due, i.status) for i in (Invoice.objects.get(pk=v.pk) for v in invoices)]


def test_the_balance_and_status_move_with_the_total(customer, invoices):
    # receivables/migrations/0010_invoice_written_once_per_payment.sql: in the same write of each invoice.
    first = pay(customer, (invoices[0], "100.00"), (invoices[1], "20.00"))
    assert balances(invoices) == [
        (Decimal("0.00"), "paid"),
        (Decimal("230.00"), "partially_paid"),
        (Decimal("75.50"), "open"),
    ]
    second = pay(customer, (invoices[1], "30.00"), (invoices[2], "75.50"))
    payment_void(payment=first, reason="Bounced", voided_by="test")
    assert balances(invoices) == [
        (Decimal("100.00"), "open"),
        (Decimal("220.00"), "partially_paid"),
        (Decimal("0.00"), "paid"),
    ]
    payment_void(payment=second, reason="Bounced", voided_by="test")
    assert balances(invoices) == [
        (Decimal("100.00"), "open"),
        (Decimal("250.00"), "open"),
        (Decimal("75.50"), "open"),
    ]
    assert [applied_total(i) for i in invoices] == [Decimal("0.00")] * 3


def test_nothing_else_writes_the_total(customer, invoices):
    pay(customer, (invoices[0], "30.00"))
    with refused("invoice_applied_total_kept"):
        sql("UPDATE receivables_invoice SET applied_total = 0 WHERE id = %s", [invoices[0].pk])
    with refused("invoice_applied_total_kept"):
        # Moving the balance and the total together is still a write the payments did not make.
        sql(
            "UPDATE receivables_invoice SET applied_total = applied_total + 10,"
            " balance_due = balance_due - 10, status = 'partially_paid' WHERE id = %s",
            [invoices[1].pk],
        )


def test_a_balance_moved_without_a_payment_is_still_refused(customer, invoices):
    pay(customer, (invoices[0], "30.00"))
    with refused("invoice_balance_matches_applications"):
        sql(
            "UPDATE receivables_invoice SET balance_due = balance_due + 30, status = 'open' WHERE id = %s",
            [invoices[0].pk],
        )
