"""The database holds every receivables rule on its own: each CHECK proven by going around the services."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from receivables.models import Invoice, InvoiceLine, Payment, PaymentApplication
from receivables.services import ApplicationInput, payment_apply_to_invoices

pytestmark = pytest.mark.django_db


def refused(constraint: str, change) -> None:
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        change()
    assert raised.value.__cause__.diag.constraint_name == constraint


@pytest.fixture
def payment(customer, invoices):
    return payment_apply_to_invoices(
        entity=customer.entity,
        customer_id=customer.pk,
        payment_method="check",
        amount="30.00",
        check_number="10442",
        applications=[ApplicationInput(invoice_id=invoices[0].pk, amount_applied="30.00")],
        created_by="test",
    )


def test_a_balance_never_goes_below_zero_or_above_the_total(invoices):
    one = Invoice.objects.filter(pk=invoices[0].pk)
    refused("invoice_balance_within_total", lambda: one.update(balance_due=-1, status="partially_paid"))
    refused("invoice_balance_within_total", lambda: one.update(balance_due=F("total") + 1))


@pytest.mark.parametrize(
    "balance, status",
    [
        ("100.00", "paid"),
        ("100.00", "partially_paid"),
        ("40.00", "open"),
        ("0", "open"),
        ("0", "partially_paid"),
        ("40.00", "paid"),
        ("40.00", "void"),
    ],
)
def test_the_status_always_matches_the_balance(invoices, balance, status):
    refused(
        "invoice_status_matches_balance",
        lambda: Invoice.objects.filter(pk=invoices[0].pk).update(balance_due=balance, status=status),
    )


def test_a_void_invoice_records_its_reversal(invoices):
    refused(
        "invoice_void_recorded",
        lambda: Invoice.objects.filter(pk=invoices[0].pk).update(status="void", balance_due=0),
    )


def test_invoice_dates_and_totals(invoices):
    one = Invoice.objects.filter(pk=invoices[0].pk)
    refused("invoice_due_not_before_invoice_date", lambda: one.update(due_date=datetime.date(2000, 1, 1)))
    refused("invoice_total_positive", lambda: one.update(total=0, balance_due=0, status="paid"))
    refused("invoice_unique_number", lambda: one.update(number=invoices[1].number))


def test_a_line_amount_is_its_quantity_times_its_price(invoices):
    line = InvoiceLine.objects.filter(invoice=invoices[0])
    refused("invoice_line_amount_is_quantity_times_price", lambda: line.update(amount="99.99"))
    refused("invoice_line_quantity_positive", lambda: line.update(quantity=0, amount=0))
    refused("invoice_line_price_not_negative", lambda: line.update(unit_price=-1, amount=-1))


def test_payment_rules(payment, invoices):
    one = Payment.objects.filter(pk=payment.pk)
    refused("payment_check_fields_only_for_checks", lambda: one.update(payment_method="ach"))
    refused("payment_amount_positive", lambda: one.update(amount=0))
    refused("payment_known_method", lambda: one.update(payment_method="barter", check_number=""))
    refused("payment_void_recorded", lambda: one.update(status="void"))
    applications = PaymentApplication.objects.filter(payment=payment)
    refused("payment_application_positive", lambda: applications.update(amount_applied=0))
    refused(
        "payment_application_once_per_invoice",
        lambda: PaymentApplication.objects.create(
            payment=payment, invoice=invoices[0], amount_applied="1.00"
        ),
    )
