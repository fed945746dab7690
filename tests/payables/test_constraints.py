"""The database keeps the payables rules even when the services are bypassed (as django-hordak tests)."""

import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from payables.models import (
    APPayment,
    APPaymentApplication,
    VendorBill,
    VendorBillLine,
    VendorCredit,
    VendorCreditApplication,
)
from payables.services import ap_payment_create
from tests.payables.factories import VendorBillFactory, VendorCreditFactory

pytestmark = pytest.mark.django_db


def refused(statement, constraint: str | None = None):
    """Run a write around the services; it must be refused (deferred checks are forced to run at once)."""
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        statement()
    if constraint:
        assert raised.value.__cause__.diag.constraint_name == constraint


@pytest.fixture
def paid(entity, vendor):
    """A payment of 60 on a bill of 100: 20 cash and 40 from a credit of 50."""
    bill = VendorBillFactory(vendor=vendor, total=Decimal("100.00"))
    credit = VendorCreditFactory(vendor=vendor, amount=Decimal("50.00"))
    payment = ap_payment_create(
        entity=entity,
        vendor_id=vendor.pk,
        method="ach",
        amount="20",
        applications=[{"bill_id": bill.pk, "amount_applied": "60"}],
        vendor_credit_ids=[credit.pk],
    )
    return bill, credit, payment


def bills(bill):
    return VendorBill.objects.filter(pk=bill.pk)


def credits(credit):
    return VendorCredit.objects.filter(pk=credit.pk)


def test_bill_balance_stays_within_its_total(paid):
    bill, _, _ = paid
    refused(lambda: bills(bill).update(balance_due=Decimal("100.01")), "vendor_bill_balance_within_total")
    refused(lambda: bills(bill).update(balance_due=Decimal("-0.01")), "vendor_bill_balance_within_total")


def test_bill_status_matches_its_balance(paid):
    bill, _, _ = paid
    refused(lambda: bills(bill).update(status="paid"), "vendor_bill_status_matches_balance")
    refused(lambda: bills(bill).update(status="open"), "vendor_bill_status_matches_balance")


def test_bill_balance_matches_what_payments_applied(paid):
    bill, _, _ = paid
    refused(
        lambda: bills(bill).update(balance_due=Decimal("50.00")), "vendor_bill_balance_matches_applications"
    )


def test_credit_remaining_stays_within_its_amount(paid):
    _, credit, _ = paid
    refused(
        lambda: credits(credit).update(remaining_amount=Decimal("-1.00")),
        "vendor_credit_remaining_within_amount",
    )
    refused(
        lambda: credits(credit).update(remaining_amount=Decimal("50.01")),
        "vendor_credit_remaining_within_amount",
    )


def test_credit_status_matches_its_amounts(paid):
    _, credit, _ = paid
    refused(lambda: credits(credit).update(status="open"), "vendor_credit_status_matches_amounts")
    refused(lambda: credits(credit).update(status="applied"), "vendor_credit_status_matches_amounts")
    refused(lambda: credits(credit).update(status="expired"), "vendor_credit_status_matches_amounts")


def test_credit_remaining_matches_what_payments_spent(paid):
    _, credit, _ = paid
    refused(
        lambda: credits(credit).update(remaining_amount=Decimal("20.00")),
        "vendor_credit_remaining_matches_applications",
    )


def test_one_credit_per_source(vendor):
    source = uuid.uuid4()
    first = VendorCreditFactory(vendor=vendor, source_type="rebate", source_id=source)
    second = VendorCreditFactory(vendor=vendor, source_type="rebate")
    assert first.pk != second.pk
    refused(lambda: credits(second).update(source_id=source), "vendor_credit_unique_source")


def test_payment_totals_match_its_rows(paid):
    _, _, payment = paid
    payments = APPayment.objects.filter(pk=payment.pk)
    refused(lambda: payments.update(amount=Decimal("30.00")), "ap_payment_total_is_cash_plus_credit")
    refused(
        lambda: payments.update(amount=Decimal("30.00"), credit_amount=Decimal("30.00")),
        "ap_payment_credit_matches",
    )


def test_history_is_append_only(paid):
    bill, credit, payment = paid
    refused(
        lambda: APPaymentApplication.objects.filter(payment=payment).update(amount_applied=Decimal("1.00"))
    )
    refused(lambda: VendorCreditApplication.objects.filter(payment=payment).delete())
    refused(lambda: VendorBillLine.objects.filter(bill=bill).update(description="changed"))
    refused(lambda: APPayment.objects.filter(pk=payment.pk).update(number="APP-REWRITTEN"))
    refused(lambda: credits(credit).update(credit_number="VC-REWRITTEN"))


@pytest.mark.parametrize(
    "table", ["payables_vendorbill", "payables_vendorcredit", "payables_appayment", "payables_vendorbillline"]
)
def test_documents_are_never_deleted(paid, table):
    with (
        pytest.raises(IntegrityError, match="cannot be delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table}")


def test_a_number_once_written_is_never_blanked(vendor):
    bill = VendorBillFactory(vendor=vendor)
    refused(lambda: bills(bill).update(number=""))
