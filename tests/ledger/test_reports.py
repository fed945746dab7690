"""The ledger's reports against the ledger itself: aging totals are the control accounts as of the date,
buckets at their edges, voids and payments dated after `as_of`, the trial balance, statements."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger import selectors
from ledger.documents.services import ApplicationInput
from ledger.reports.aging import BUCKET_KEYS, aging_report, bucket_of
from ledger.reports.balances import control_balance
from ledger.reports.statement import statement
from ledger.reports.subledgers import PAYABLE, RECEIVABLE, subledger
from payables.services import ap_payment_create, ap_payment_void, vendor_bill_void
from receivables.services import invoice_post, invoice_void, payment_void
from tests.ledger.books import days, invoice, pay, report_day, start_day, today
from tests.payables.factories import VendorBillFactory, VendorCreditFactory, VendorFactory
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def ar(entity, as_of=None):
    return aging_report(subledger(RECEIVABLE), entity=entity, as_of=as_of or report_day())


def ap(entity, as_of=None):
    return aging_report(subledger(PAYABLE), entity=entity, as_of=as_of or report_day())


def balance(kind, entity, as_of=None):
    return control_balance(subledger(kind), entity=entity, as_of=as_of or report_day())


@pytest.mark.parametrize(
    ("days_overdue", "bucket"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_over_90"),
        (4000, "days_over_90"),
    ],
)
def test_bucket_edges(days_overdue, bucket):
    assert bucket_of(days_overdue) == bucket


def test_each_invoice_falls_in_its_bucket_by_due_date_and_the_total_is_accounts_receivable(entity):
    customer = CustomerFactory(entity=entity, name="Acme")
    # One invoice per edge: due in 5 days, today, and 1, 30, 31, 60, 61, 90, 91 days ago.
    for offset, amount in [
        (-5, "1.00"),
        (0, "2.00"),
        (1, "4.00"),
        (30, "8.00"),
        (31, "16.00"),
        (60, "32.00"),
        (61, "64.00"),
        (90, "128.00"),
        (91, "256.00"),
    ]:
        invoice(customer, amount, due=report_day() - days(offset))
    report = ar(entity)
    assert [row.name for row in report.rows] == ["Acme"]
    assert report.rows[0].amounts == {
        "current": Decimal("3.00"),
        "days_1_30": Decimal("12.00"),
        "days_31_60": Decimal("48.00"),
        "days_61_90": Decimal("192.00"),
        "days_over_90": Decimal("256.00"),
    }
    assert report.totals.total == Decimal("511.00") == balance(RECEIVABLE, entity)
    assert report.currency == "USD"


def test_a_partly_paid_invoice_ages_by_what_is_left_and_a_paid_one_drops_out(entity):
    customer = CustomerFactory(entity=entity)
    partly, paid = (
        invoice(customer, "100.00", due=report_day() - days(10)),
        invoice(customer, "40.00", due=report_day()),
    )
    pay(customer, (partly, "30.00"), (paid, "40.00"), on=report_day() - days(5))
    report = ar(entity)
    assert [item.number for item in report.rows[0].items] == [partly.number]
    assert report.rows[0].amounts["days_1_30"] == Decimal("70.00")
    assert report.totals.total == Decimal("70.00") == balance(RECEIVABLE, entity)


def test_as_of_before_a_payment_the_invoice_is_still_wholly_open(entity):
    customer = CustomerFactory(entity=entity)
    doc = invoice(customer, "100.00", due=report_day())
    pay(customer, (doc, "100.00"), on=report_day() + days(1))
    assert ar(entity).totals.total == Decimal("100.00") == balance(RECEIVABLE, entity)
    assert (
        ar(entity, report_day() + days(1)).totals.total
        == Decimal("0.00")
        == balance(RECEIVABLE, entity, report_day() + days(1))
    )


def test_as_of_before_the_invoice_date_it_does_not_count(entity):
    customer = CustomerFactory(entity=entity)
    invoice(customer, "100.00", due=report_day(), on=report_day())
    assert ar(entity, report_day() - days(1)).rows == []
    assert ar(entity, report_day()).totals.total == Decimal("100.00")


def test_a_voided_invoice_counts_until_the_day_of_its_void(entity):
    customer = CustomerFactory(entity=entity)
    doc = invoice(customer, "100.00", due=report_day())
    invoice_void(invoice=doc, reason="typo")  # reversed today
    yesterday = today() - days(1)
    assert ar(entity, yesterday).totals.total == Decimal("100.00") == balance(RECEIVABLE, entity, yesterday)
    assert ar(entity, today()).rows == []
    assert balance(RECEIVABLE, entity, today()) == 0


def test_a_voided_payment_reopens_the_invoice_from_the_day_of_its_void(entity):
    customer = CustomerFactory(entity=entity)
    doc = invoice(customer, "100.00", due=report_day())
    payment = pay(customer, (doc, "60.00"), on=report_day())
    payment_void(payment=payment, reason="bounced")  # reversed today
    assert ar(entity).totals.total == Decimal("40.00") == balance(RECEIVABLE, entity)
    assert ar(entity, today()).totals.total == Decimal("100.00") == balance(RECEIVABLE, entity, today())


def test_a_payment_dated_before_its_invoice_still_agrees_with_the_ledger(entity):
    customer = CustomerFactory(entity=entity)
    doc = invoice(customer, "100.00", due=report_day(), on=report_day())
    pay(customer, (doc, "100.00"), on=report_day() - days(3))
    between = report_day() - days(1)
    report = ar(entity, between)
    assert report.totals.total == Decimal("-100.00") == balance(RECEIVABLE, entity, between)
    assert ar(entity).rows == []


def test_parties_are_rows_by_name_and_the_totals_add_them_up(entity):
    zed, abe = CustomerFactory(entity=entity, name="Zed"), CustomerFactory(entity=entity, name="Abe")
    invoice(zed, "10.00", due=report_day() - days(45))
    invoice(abe, "20.00", due=report_day())
    invoice(abe, "5.00", due=report_day() - days(100))
    report = ar(entity)
    assert [(row.name, row.total) for row in report.rows] == [
        ("Abe", Decimal("25.00")),
        ("Zed", Decimal("10.00")),
    ]
    for key in BUCKET_KEYS:
        assert report.totals.amounts[key] == sum(row.amounts[key] for row in report.rows)
    assert report.totals.total == balance(RECEIVABLE, entity)


def test_another_entitys_documents_never_appear(entity, other_entity):
    invoice(CustomerFactory(entity=other_entity), "999.00", due=report_day())
    VendorBillFactory(
        vendor=VendorFactory(entity=other_entity), bill_date=start_day(), total=Decimal("888.00")
    )
    mine = CustomerFactory(entity=entity)
    invoice(mine, "1.00", due=report_day())
    assert [(row.party_id, row.total) for row in ar(entity).rows] == [(mine.pk, Decimal("1.00"))]
    assert ap(entity).rows == []


def test_ap_aging_total_is_accounts_payable_with_credits_payments_and_voids(entity):
    vendor = VendorFactory(entity=entity, name="Northwind")
    old = VendorBillFactory(
        vendor=vendor, bill_date=start_day(), due_date=report_day() - days(61), total=Decimal("300.00")
    )
    undated = VendorBillFactory(
        vendor=vendor, bill_date=report_day() - days(10), total=Decimal("50.00")
    )  # due on its date
    voided = VendorBillFactory(vendor=vendor, bill_date=start_day(), total=Decimal("70.00"))
    vendor_bill_void(bill=voided, reason="duplicate")  # today: still owed as of report_day()
    credit = VendorCreditFactory(vendor=vendor, amount=Decimal("25.00"))
    ap_payment_create(
        entity=entity,
        vendor_id=vendor.pk,
        method="ach",
        amount=Decimal("75.00"),
        applications=[ApplicationInput(document_id=old.pk, amount_applied="100.00")],
        vendor_credit_ids=[credit.pk],
        payment_date=report_day() - days(1),
    )
    report = ap(entity)
    assert report.rows[0].amounts["days_61_90"] == Decimal("200.00")
    assert report.rows[0].amounts["days_1_30"] == Decimal("50.00")
    assert report.rows[0].amounts["days_over_90"] == Decimal("70.00")
    assert report.totals.total == Decimal("320.00") == balance(PAYABLE, entity)
    assert [item.due_date for item in report.rows[0].items if item.number == undated.number] == [
        undated.bill_date
    ]
    assert ap(entity, today()).totals.total == Decimal("250.00") == balance(PAYABLE, entity, today())


def test_trial_balance_debits_equal_credits_as_of_any_date(entity):
    customer, vendor = CustomerFactory(entity=entity), VendorFactory(entity=entity)
    doc = invoice(customer, "100.00", due=report_day())
    pay(customer, (doc, "40.00"), on=report_day() + days(2))
    VendorBillFactory(vendor=vendor, bill_date=start_day(), total=Decimal("30.00"))
    for as_of in (start_day() - days(1), start_day(), report_day(), today()):
        report = selectors.trial_balance(entity=entity, as_of=as_of)
        assert report.total_debit == report.total_credit
    rows = {row.code: row for row in selectors.trial_balance(entity=entity, as_of=report_day()).rows}
    assert rows["accounts_receivable"].debit == Decimal("100.00") == balance(RECEIVABLE, entity)
    assert rows["accounts_payable"].credit == Decimal("30.00") == balance(PAYABLE, entity)


def test_a_statement_carries_the_balance_forward_and_ends_on_the_open_items(entity):
    customer = CustomerFactory(entity=entity, name="Acme")
    before = invoice(customer, "100.00", due=start_day() + days(30))
    period_from, period_to = start_day() + days(10), start_day() + days(40)
    during = invoice(customer, "50.00", due=start_day() + days(45), on=start_day() + days(15))
    payment = pay(customer, (before, "100.00"), on=start_day() + days(20))
    voided = invoice(customer, "7.00", due=start_day() + days(20), on=start_day() + days(12))
    invoice(customer, "900.00", due=start_day() + days(60), on=start_day() + days(41))  # after the period
    invoice_void(invoice=voided, reason="typo")  # today: after the period
    report = statement(
        subledger(RECEIVABLE), entity=entity, party=customer, date_from=period_from, date_to=period_to
    )
    assert report.opening_balance == Decimal("100.00")
    assert [(line.type, line.reference, line.amount, line.balance) for line in report.lines] == [
        ("document", voided.number, Decimal("7.00"), Decimal("107.00")),
        ("document", during.number, Decimal("50.00"), Decimal("157.00")),
        ("payment", payment.journal_entry.number, Decimal("-100.00"), Decimal("57.00")),
    ]
    assert report.closing_balance == Decimal("57.00") == report.aging.total
    assert [item.number for item in report.open_items] == [voided.number, during.number]
    assert report.aging.amounts["days_1_30"] == Decimal("7.00")


def test_a_statement_shows_voids_on_their_own_dates(entity):
    customer = CustomerFactory(entity=entity)
    doc = invoice(customer, "100.00", due=report_day())
    payment = pay(customer, (doc, "100.00"), on=report_day())
    payment_void(payment=payment, reason="bounced")
    invoice_void(invoice=doc, reason="cancelled")
    report = statement(
        subledger(RECEIVABLE), entity=entity, party=customer, date_from=report_day(), date_to=today()
    )
    assert report.opening_balance == Decimal("100.00")
    assert [(line.type, line.amount) for line in report.lines] == [
        ("payment", Decimal("-100.00")),
        ("payment_void", Decimal("100.00")),
        ("document_void", Decimal("-100.00")),
    ]
    assert report.closing_balance == Decimal("0.00") and report.open_items == []


def test_drafts_never_count_and_a_posted_draft_counts_from_its_entry(entity):
    customer, vendor = CustomerFactory(entity=entity), VendorFactory(entity=entity)
    draft = InvoiceFactory(
        customer=customer, amount="100.00", invoice_date=start_day(), due_date=report_day(), draft=True
    )
    VendorBillFactory(vendor=vendor, bill_date=start_day(), total=Decimal("70.00"), draft=True)
    assert ar(entity).rows == [] and ap(entity).rows == []
    assert balance(RECEIVABLE, entity) == 0 == balance(PAYABLE, entity)
    posted = invoice_post(invoice=draft)
    assert ar(entity).totals.total == Decimal("100.00") == balance(RECEIVABLE, entity)
    assert ar(entity).rows[0].items[0].number == posted.number


def test_an_aging_is_one_query_and_a_statement_a_few_however_many_documents(entity):
    customers = [CustomerFactory(entity=entity) for _ in range(3)]
    for count in (1, 12):
        for index in range(count):
            doc = invoice(customers[index % 3], "10.00", due=report_day() - days(index))
            pay(customers[index % 3], (doc, "4.00"), on=report_day() - days(1))
        with CaptureQueriesContext(connection) as aging:
            ar(entity)
        with CaptureQueriesContext(connection) as period:
            statement(
                subledger(RECEIVABLE),
                entity=entity,
                party=customers[0],
                date_from=start_day(),
                date_to=report_day(),
            )
        assert (len(aging), len(period)) == (1, 5)


def test_an_ap_payment_with_credit_voided_after_as_of_still_paid_the_bill_as_of_then(entity):
    vendor = VendorFactory(entity=entity, name="Northwind")
    bill = VendorBillFactory(
        vendor=vendor, bill_date=start_day(), due_date=report_day() - days(5), total=Decimal("90.00")
    )
    credit = VendorCreditFactory(vendor=vendor, amount=Decimal("30.00"))
    payment = ap_payment_create(
        entity=entity,
        vendor_id=vendor.pk,
        method="ach",
        amount=Decimal("20.00"),
        applications=[ApplicationInput(document_id=bill.pk, amount_applied="50.00")],
        vendor_credit_ids=[credit.pk],
        payment_date=report_day() - days(1),
    )
    ap_payment_void(payment=payment, reason="bounced")  # dated today, after report_day()
    assert ap(entity).totals.total == Decimal("40.00") == balance(PAYABLE, entity)
    assert ap(entity, today()).totals.total == Decimal("90.00") == balance(PAYABLE, entity, today())
    for as_of in (report_day() - days(2), report_day(), today()):
        report = ap(entity, as_of)
        assert report.totals.total == sum((row.total for row in report.rows), Decimal("0.00"))
