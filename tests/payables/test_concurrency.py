"""Concurrent AP payments spending the same vendor credits: never over-spent, never a deadlock.

Real transactions (django_db(transaction=True)) in real threads, each with its own connection.
Kept to ten workers: the suite shares two cores with other work.
"""

import random
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection, connections, transaction
from django.db.models import Sum

from erp.exceptions import RuleViolation
from numbering.models import IssuedNumber
from payables.models import APPayment, VendorBill, VendorCredit, VendorCreditApplication
from payables.models.payments import APPaymentApplication
from payables.services import ApplicationInput, ap_payment_create, ap_payment_void, vendor_credit_issue
from tests.payables.factories import VendorBillFactory, VendorCreditFactory

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 10
D = Decimal


def run_together(jobs: list[Callable]) -> list[tuple[str, object]]:
    """Start every job at the same moment in its own thread; return ("ok", result) or ("error", exception)."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def work(index: int, job: Callable) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = ("ok", job())
        except Exception as error:  # every failure is inspected by the test
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return outcomes


def payment_job(entity, vendor, applications, amount, credit_ids):
    return lambda: ap_payment_create(
        entity=entity,
        vendor_id=vendor.pk,
        method="ach",
        amount=amount,
        applications=[
            ApplicationInput(document_id=bill.pk, amount_applied=applied) for bill, applied in applications
        ],
        vendor_credit_ids=credit_ids,
    )


def only_rule_violations(outcomes, *codes: str) -> None:
    """Every failure is a clean domain refusal: no deadlock, lock timeout or integrity error."""
    for kind, value in outcomes:
        if kind == "error":
            assert isinstance(value, RuleViolation), repr(value)
            assert value.code in codes, value.code


def assert_ledgers_consistent(vendor) -> None:
    """For every credit and bill: nothing negative, and Σ applied/spent equals what it lost."""
    for credit in VendorCredit.objects.filter(vendor=vendor):
        spent = VendorCreditApplication.objects.filter(
            vendor_credit=credit, payment__status=APPayment.Status.APPLIED
        ).aggregate(total=Sum("amount"))["total"] or D("0.00")
        assert D("0.00") <= credit.remaining_amount <= credit.amount
        assert spent == credit.amount - credit.remaining_amount - credit.expired_amount, credit
    for bill in VendorBill.objects.filter(vendor=vendor):
        applied = APPaymentApplication.objects.filter(
            bill=bill, payment__status=APPayment.Status.APPLIED
        ).aggregate(total=Sum("amount_applied"))["total"] or D("0.00")
        assert D("0.00") <= bill.balance_due <= bill.total
        assert applied == bill.total - bill.balance_due, bill
    for payment in APPayment.objects.filter(vendor=vendor, status=APPayment.Status.APPLIED):
        spent = payment.credit_applications.aggregate(total=Sum("amount"))["total"] or D("0.00")
        assert spent == payment.credit_amount == payment.total_applied - payment.amount


def test_payments_racing_for_the_same_credits_never_overspend_them(entity, vendor):
    # Given three credits of 40 (120 in all) and ten bills of 30, each paid by its own worker with credit,
    credits = [VendorCreditFactory(vendor=vendor, amount=D("40.00")) for _ in range(3)]
    bills = [VendorBillFactory(vendor=vendor, total=D("30.00")) for _ in range(WORKERS)]
    rng = random.Random(7)
    jobs = []
    for bill in bills:
        listed = [credit.pk for credit in credits]
        rng.shuffle(listed)  # each worker lists the credits in its own order
        jobs.append(payment_job(entity, vendor, [(bill, "30.00")], 0, listed))

    # when they all pay at once,
    outcomes = run_together(jobs)

    # then exactly four fit in the 120 of credit, the rest are refused cleanly,
    only_rule_violations(outcomes, "insufficient_vendor_credit")
    assert sum(kind == "ok" for kind, _ in outcomes) == 4
    # and every credit is spent to exactly zero, oldest first, never below.
    for credit in credits:
        credit.refresh_from_db()
        assert (credit.remaining_amount, credit.status) == (D("0.00"), "applied")
    assert_ledgers_consistent(vendor)
    numbers = IssuedNumber.objects.filter(document_type="ap_payment").values_list("value", flat=True)
    assert sorted(numbers) == [1, 2, 3, 4]  # gapless: the refused payments took no number


def test_payments_on_overlapping_bills_and_credits_keep_every_balance_true(entity, vendor):
    # Given four bills of 100 and four credits of 25, and workers paying two bills each, partly with credit,
    bills = [VendorBillFactory(vendor=vendor, total=D("100.00")) for _ in range(4)]
    credits = [VendorCreditFactory(vendor=vendor, amount=D("25.00")) for _ in range(4)]
    rng = random.Random(11)
    jobs = []
    for _ in range(WORKERS + 2):
        chosen = rng.sample(bills, 2)
        listed = [credit.pk for credit in rng.sample(credits, 2)]
        jobs.append(
            payment_job(entity, vendor, [(chosen[0], "20.00"), (chosen[1], "20.00")], "28.00", listed)
        )

    # when they all run at once,
    outcomes = run_together(jobs)

    # then none fails for any reason but a rule, and bills and credits still add up.
    only_rule_violations(
        outcomes, "insufficient_vendor_credit", "amount_exceeds_balance", "document_not_open"
    )
    assert any(kind == "ok" for kind, _ in outcomes)
    assert_ledgers_consistent(vendor)


def test_voids_racing_with_new_payments_give_back_exactly_what_was_spent(entity, vendor):
    # Given five payments that spent two credits between them,
    credits = [VendorCreditFactory(vendor=vendor, amount=D("50.00")) for _ in range(2)]
    earlier = []
    for _ in range(5):
        bill = VendorBillFactory(vendor=vendor, total=D("20.00"))
        earlier.append(payment_job(entity, vendor, [(bill, "20.00")], 0, [c.pk for c in credits])())
    fresh_bills = [VendorBillFactory(vendor=vendor, total=D("20.00")) for _ in range(5)]

    # when those payments are voided while five new ones try to spend the same credits,
    jobs = [lambda payment=payment: ap_payment_void(payment=payment, reason="test") for payment in earlier]
    jobs += [
        payment_job(entity, vendor, [(bill, "20.00")], 0, [c.pk for c in credits]) for bill in fresh_bills
    ]
    outcomes = run_together(jobs)

    # then every void succeeds, new payments succeed or are refused cleanly, and nothing is lost or doubled.
    assert all(kind == "ok" for kind, _ in outcomes[:5])
    only_rule_violations(outcomes[5:], "insufficient_vendor_credit")
    assert_ledgers_consistent(vendor)


def test_a_payment_waiting_for_a_credit_sees_what_the_first_one_left(entity, vendor):
    # Given a credit of 50 and two bills,
    credit = VendorCreditFactory(vendor=vendor, amount=D("50.00"))
    first_bill = VendorBillFactory(vendor=vendor, total=D("30.00"))
    second_bill = VendorBillFactory(vendor=vendor, total=D("30.00"))
    holding, release = threading.Event(), threading.Event()
    outcomes: dict = {}

    def first():
        try:
            with transaction.atomic():
                outcomes["first"] = payment_job(entity, vendor, [(first_bill, "30.00")], 0, [credit.pk])()
                holding.set()  # the credit's row lock is held until this transaction commits
                release.wait(timeout=30)
        finally:
            connection.close()

    def second():
        try:
            outcomes["second"] = payment_job(entity, vendor, [(second_bill, "30.00")], "10.00", [credit.pk])()
        except RuleViolation as error:
            outcomes["second"] = error
        finally:
            connection.close()

    # when the first payment has spent 30 but not committed, and the second asks for 20 more,
    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(timeout=30)
    two = threading.Thread(target=second)
    two.start()
    wait_until_a_backend_waits_for_a_lock()
    assert "second" not in outcomes  # it is queued behind the first, not reading a stale remaining amount
    release.set()
    one.join(timeout=30)
    two.join(timeout=30)

    # then the second, once it has the lock, spends exactly the 20 that is left.
    assert isinstance(outcomes["second"], APPayment), outcomes["second"]
    credit.refresh_from_db()
    assert (credit.remaining_amount, credit.status) == (D("0.00"), "applied")
    assert [c.amount for c in credit.applications.order_by("payment__created_at")] == [D("30.00"), D("20.00")]
    assert_ledgers_consistent(vendor)


def wait_until_a_backend_waits_for_a_lock() -> None:
    """Poll pg_stat_activity until another session of this database is blocked on a row lock."""
    deadline = time.monotonic() + 30
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second payment never waited for the credit's lock")


def test_racing_issues_for_one_source_make_one_credit(entity, vendor):
    # Given ten integrations retrying the same vendor return at the same moment,
    source = uuid4()
    jobs = [
        lambda: vendor_credit_issue(
            entity=entity, vendor_id=vendor.pk, amount="75.00", source_type="vendor_return", source_id=source
        )
        for _ in range(WORKERS)
    ]

    # when they all issue the credit,
    outcomes = run_together(jobs)

    # then one credit exists, every caller got it, and only one number and one posting were taken.
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    credits = {credit.pk for (_, (credit, _created)) in outcomes}
    assert len(credits) == 1
    assert sum(created for (_, (_credit, created)) in outcomes) == 1
    assert VendorCredit.objects.count() == 1
    assert IssuedNumber.objects.filter(document_type="vendor_credit").count() == 1
