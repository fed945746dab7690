"""The running totals of payables/migrations/0009_running_totals_written_once_per_payment.sql, database-kept.

Each bill keeps `applied_total` (what the applied payments applied to it) and each vendor credit `spent_total`
(what they spent from it), as receivables keeps an invoice's (tests/receivables/test_applied_total.py). The
balance checks compare a bill or a credit with its own total instead of re-adding its history, so the totals
must follow every payment and void and refuse any other writer; the database moves the balance (remainder) and
the status with them, in the same write of the row, and an AP payment reads no more of the history on the
hundredth payment of its bills than on the first.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from payables.models import VendorBill, VendorCredit
from payables.services import ApplicationInput, ap_payment_create, ap_payment_void, vendor_credit_expire
from tests.helpers import refused, sql
from tests.payables.factories import VendorBillFactory, VendorCreditFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def bills(vendor):
    return [VendorBillFactory(vendor=vendor, total=D(total)) for total in ("100.00", "250.00", "75.50")]


@pytest.fixture
def credit(vendor):
    return VendorCreditFactory(vendor=vendor, amount=D("50.00"))


def pay(vendor, *applications, cash=None, credits=()):
    """Pay `applications` [(bill, amount)]: `cash` of it in cash (all by default), the rest from `credits`."""
    total = sum(D(amount) for _, amount in applications)
    return ap_payment_create(
        entity=vendor.entity,
        vendor_id=vendor.pk,
        method="ach",
        amount=str(total if cash is None else D(cash)),
        applications=[ApplicationInput(document_id=b.pk, amount_applied=a) for b, a in applications],
        vendor_credit_ids=[c.pk for c in credits],
    )


def void(payment):
    return ap_payment_void(payment=payment, reason="Bounced", voided_by="test")


def one(query: str, params) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def bill_states(bills) -> list[tuple]:
    """Each bill's balance, status and running total, as the database holds them now."""
    query = "SELECT balance_due, status, applied_total FROM payables_vendorbill WHERE id = %s"
    return [one(query, [b.pk]) for b in bills]


def credit_state(credit) -> tuple:
    """A credit's remainder, expired amount, status and running total, as the database holds them now."""
    query = (
        "SELECT remaining_amount, expired_amount, status, spent_total"
        " FROM payables_vendorcredit WHERE id = %s"
    )
    return one(query, [credit.pk])


def test_the_totals_follow_payments_and_voids(vendor, bills, credit):
    first = pay(vendor, (bills[0], "30.00"), (bills[1], "50.00"), cash="40.00", credits=[credit])
    pay(vendor, (bills[0], "20.00"))
    assert [state[2] for state in bill_states(bills)] == [D("50.00"), D("50.00"), D("0.00")]
    assert credit_state(credit)[3] == D("40.00")
    void(first)
    assert [state[2] for state in bill_states(bills)] == [D("20.00"), D("0.00"), D("0.00")]
    assert credit_state(credit)[3] == D("0.00")


def test_the_balance_and_status_move_with_the_total(vendor, bills, credit):
    # In the same write of each bill and credit (0009): paid in full, in part, untouched; then voided.
    first = pay(vendor, (bills[0], "100.00"), (bills[1], "20.00"), cash="70.00", credits=[credit])
    assert bill_states(bills) == [
        (D("0.00"), "paid", D("100.00")),
        (D("230.00"), "partially_paid", D("20.00")),
        (D("75.50"), "open", D("0.00")),
    ]
    assert credit_state(credit) == (D("0.00"), D("0.00"), "applied", D("50.00"))
    second = pay(vendor, (bills[1], "30.00"), (bills[2], "75.50"))
    void(first)
    assert bill_states(bills) == [
        (D("100.00"), "open", D("0.00")),
        (D("220.00"), "partially_paid", D("30.00")),
        (D("0.00"), "paid", D("75.50")),
    ]
    assert credit_state(credit) == (D("50.00"), D("0.00"), "open", D("0.00"))
    third = pay(vendor, (bills[0], "10.00"), cash="0", credits=[credit])
    assert credit_state(credit) == (D("40.00"), D("0.00"), "partially_applied", D("10.00"))
    void(second)
    void(third)
    assert bill_states(bills) == [
        (D("100.00"), "open", D("0.00")),
        (D("250.00"), "open", D("0.00")),
        (D("75.50"), "open", D("0.00")),
    ]
    assert credit_state(credit) == (D("50.00"), D("0.00"), "open", D("0.00"))


def test_what_a_void_gives_back_to_an_expired_credit_is_written_off(vendor, bills):
    # The credit expired after the payment spent from it: the void gives it back as expired, not spendable.
    expiring = VendorCreditFactory(vendor=vendor, expires_at=timezone.now() + datetime.timedelta(hours=1))
    paid = pay(vendor, (bills[0], "20.00"), cash="0", credits=[expiring])
    assert vendor_credit_expire(credit=expiring, as_of=expiring.expires_at)
    assert credit_state(expiring) == (D("0.00"), D("30.00"), "expired", D("20.00"))
    void(paid)
    assert credit_state(expiring) == (D("0.00"), D("50.00"), "expired", D("0.00"))


def test_nothing_else_writes_the_totals(vendor, bills, credit):
    pay(vendor, (bills[0], "30.00"), cash="10.00", credits=[credit])
    with refused("vendor_bill_applied_total_kept", sqlstate="23001"):
        sql("UPDATE payables_vendorbill SET applied_total = 0 WHERE id = %s", [bills[0].pk])
    with refused("vendor_bill_applied_total_kept", sqlstate="23001"):
        # Moving the balance and the total together is still a write the payments did not make.
        sql(
            "UPDATE payables_vendorbill SET applied_total = applied_total + 10,"
            " balance_due = balance_due - 10, status = 'partially_paid' WHERE id = %s",
            [bills[1].pk],
        )
    with refused("vendor_bill_applied_total_kept", sqlstate="23001"):
        # A bill starts at zero: a copy of a paid one, total included, is refused at its INSERT.
        sql(
            "INSERT INTO payables_vendorbill SELECT (jsonb_populate_record(NULL::payables_vendorbill,"
            " to_jsonb(b) || jsonb_build_object('id', gen_random_uuid(), 'number', ''))).*"
            " FROM payables_vendorbill AS b WHERE b.id = %s",
            [bills[0].pk],
        )
    with refused("vendor_credit_spent_total_kept", sqlstate="23001"):
        sql("UPDATE payables_vendorcredit SET spent_total = 0 WHERE id = %s", [credit.pk])
    with refused("vendor_credit_spent_total_kept", sqlstate="23001"):
        sql(
            "UPDATE payables_vendorcredit SET spent_total = spent_total + 5,"
            " remaining_amount = remaining_amount - 5 WHERE id = %s",
            [credit.pk],
        )
    with refused("vendor_credit_spent_total_kept", sqlstate="23001"):
        sql(
            "INSERT INTO payables_vendorcredit SELECT (jsonb_populate_record(NULL::payables_vendorcredit,"
            " to_jsonb(c) || jsonb_build_object('id', gen_random_uuid(), 'credit_number', ''))).*"
            " FROM payables_vendorcredit AS c WHERE c.id = %s",
            [credit.pk],
        )


def test_a_balance_or_remainder_moved_without_a_payment_is_still_refused(vendor, bills, credit):
    pay(vendor, (bills[0], "30.00"), cash="10.00", credits=[credit])
    with refused("vendor_bill_balance_matches_applications"):
        sql(
            "UPDATE payables_vendorbill SET balance_due = balance_due + 30, status = 'open' WHERE id = %s",
            [bills[0].pk],
        )
    with refused("vendor_credit_remaining_matches_applications"):
        sql(
            "UPDATE payables_vendorcredit SET remaining_amount = amount, status = 'open' WHERE id = %s",
            [credit.pk],
        )


def row_writes(table: str) -> int:
    """Return how many rows of `table` this transaction has updated so far."""
    return one("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = %s", [table])[0]


def test_a_payment_and_its_void_write_each_bill_and_credit_once(vendor, bills, credit):
    # A second write of a row in the transaction that wrote it re-checks the row's foreign keys (0009, as
    # receivables 0010).
    tables = (VendorBill._meta.db_table, VendorCredit._meta.db_table)
    before = [row_writes(table) for table in tables]
    payment = pay(
        vendor, (bills[0], "100.00"), (bills[1], "20.00"), (bills[2], "0.50"), cash="70.50", credits=[credit]
    )
    assert [row_writes(table) - was for table, was in zip(tables, before, strict=True)] == [3, 1]
    before = [row_writes(table) for table in tables]
    void(payment)
    assert [row_writes(table) - was for table, was in zip(tables, before, strict=True)] == [3, 1]


def history_rows_read() -> tuple[int, ...]:
    """Return how many rows of the applications' tables this transaction has read so far, each way."""
    return one(
        "SELECT coalesce(sum(seq_tup_read), 0)::int, coalesce(sum(idx_tup_fetch), 0)::int"
        " FROM pg_stat_xact_user_tables"
        " WHERE relname IN ('payables_appaymentapplication', 'payables_vendorcreditapplication')",
        [],
    )


def test_a_payment_reads_no_more_history_on_its_bills_tenth_payment_than_on_their_first(vendor, bills):
    # The checks compare each bill and credit with its total: the applications read are the payment's own.
    # Every statement planned for its own values: a session's switch to generic plans (or back, when an
    # autovacuum's ANALYZE invalidates them) between the first and the tenth payment is not what is measured.
    sql("SET LOCAL plan_cache_mode = force_custom_plan")
    credit = VendorCreditFactory(vendor=vendor, amount=D("100.00"))
    everything = [(b, "0.01") for b in bills]

    def read_by_one_payment() -> tuple[int, ...]:
        before = history_rows_read()
        pay(vendor, *everything, cash="0.01", credits=[credit])
        return tuple(after - was for after, was in zip(history_rows_read(), before, strict=True))

    first = read_by_one_payment()
    for _ in range(8):
        pay(vendor, *everything, cash="0.01", credits=[credit])
    tenth = read_by_one_payment()
    # (rows read by scans, rows fetched through indexes): the tenth payment reads no more than the first.
    assert sum(tenth) <= sum(first), (first, tenth)
