"""The database keeps the payables rules even when the services are bypassed.

Single-row CHECKs on posted fields are tried on an INSERT (those fields can no longer be updated);
the triggers of payables/migrations/0002_database_guards.sql and 0004_posted_fields_guards.sql are
tried with raw SQL, one test per guard (docs/reliability.md lists them). Since
0009_running_totals_written_once_per_payment.sql the database itself moves a bill's balance and a
credit's remainder when a payment's applications are inserted or the payment is voided, so raw SQL
standing in for a payment no longer moves them by hand.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from ledger.services import journal_entry_number, journal_entry_record
from numbering.services import counter_type_issue_next
from payables.models import (
    APPayment,
    APPaymentApplication,
    VendorBill,
    VendorBillLine,
    VendorCredit,
    VendorCreditApplication,
)
from payables.services import (
    ApplicationInput,
    ap_payment_create,
    ap_payment_void,
    vendor_bill_void,
    vendor_credit_void,
)
from payables.services.postings import vendor_bill_lines
from tests.db_roles import as_owner
from tests.helpers import refused, sql
from tests.payables.factories import VendorBillFactory, VendorCreditFactory, VendorFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


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
        applications=[ApplicationInput(document_id=bill.pk, amount_applied="60")],
        vendor_credit_ids=[credit.pk],
    )
    return bill, credit, payment


@pytest.fixture
def foreign_bill(other_entity):
    """An open bill of 40.00 of another entity's vendor."""
    return VendorBillFactory(vendor=VendorFactory(entity=other_entity), total=Decimal("40.00"))


def bills(bill):
    return VendorBill.objects.filter(pk=bill.pk)


def credits(credit):
    return VendorCredit.objects.filter(pk=credit.pk)


def new_bill(model_of: VendorBill, **fields) -> VendorBill:
    """Insert a bill like `model_of` straight into its table, with one line adding up to its total.

    The line goes in first and the number (BILL-RAW unless `fields` gives one) last, as the services do.
    """
    number = fields.pop("number", "BILL-RAW")
    values = {
        "entity_id": model_of.entity_id,
        "vendor_id": model_of.vendor_id,
        "bill_date": DAY,
        "total": Decimal("10.00"),
        "balance_due": Decimal("10.00"),
        "status": "open",
        "journal_entry_id": model_of.journal_entry_id,
    } | fields
    bill = VendorBill.objects.create(**values)
    VendorBillLine.objects.create(
        bill=bill, position=1, description="x", unit_price=bill.total, amount=bill.total
    )
    if number:
        bills(bill).update(number=number)
        bill.number = number
    return bill


def new_credit(model_of: VendorCredit, **fields) -> VendorCredit:
    """Insert an unspent credit like `model_of` straight into its table."""
    values = {
        "entity_id": model_of.entity_id,
        "vendor_id": model_of.vendor_id,
        "credit_number": "VC-RAW",
        "amount": Decimal("10.00"),
        "remaining_amount": Decimal("10.00"),
        "journal_entry_id": model_of.journal_entry_id,
    } | fields
    return VendorCredit.objects.create(**values)


def new_payment(bill: VendorBill, amount: str, **fields) -> APPayment:
    """Insert a cash payment of `bill`'s vendor straight into its table, unapplied."""
    values = {
        "entity_id": bill.entity_id,
        "vendor_id": bill.vendor_id,
        "number": "APP-RAW",
        "method": "ach",
        "amount": Decimal(amount),
        "total_applied": Decimal(amount),
        "payment_date": DAY,
        "journal_entry_id": bill.journal_entry_id,
    } | fields
    return APPayment.objects.create(**values)


def issued_to(document, kind: str) -> str:
    """Return a number really issued to a raw document of `kind` (its counter type and document type)."""
    return counter_type_issue_next(
        entity=document.entity, counter_type=kind, date=DAY, document_type=kind, document_id=str(document.pk)
    ).number


def pay_raw(payment: APPayment, bill: VendorBill, amount: str) -> None:
    """Apply `amount` of a payment to a bill in a raw write (its INSERT takes it off the bill's balance)."""
    APPaymentApplication.objects.create(
        payment=payment, bill=bill, position=1, amount_applied=Decimal(amount)
    )


def lower_balance(bill: VendorBill, amount: str) -> None:
    """Take `amount` off a bill's balance by hand (a payment's applications take it off themselves)."""
    sql(
        "UPDATE payables_vendorbill SET balance_due = balance_due - %s, status = 'partially_paid'"
        " WHERE id = %s",
        [Decimal(amount), bill.pk],
    )


def lower_remainder(credit: VendorCredit, amount: str) -> None:
    """Take `amount` off a credit's remainder by hand (a payment's credit applications take it themselves)."""
    sql(
        "UPDATE payables_vendorcredit SET remaining_amount = remaining_amount - %s,"
        " status = CASE WHEN remaining_amount - %s = 0 THEN 'applied' ELSE 'partially_applied' END"
        " WHERE id = %s",
        [Decimal(amount), Decimal(amount), credit.pk],
    )


def bill_state(bill: VendorBill) -> tuple:
    """Return a bill's balance, status and running total as the database holds them now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT balance_due, status, applied_total FROM payables_vendorbill WHERE id = %s", [bill.pk]
        )
        return cursor.fetchone()


def credit_state(credit: VendorCredit) -> tuple:
    """Return a credit's remainder, status and running total as the database holds them now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT remaining_amount, status, spent_total FROM payables_vendorcredit WHERE id = %s",
            [credit.pk],
        )
        return cursor.fetchone()


def void_around_the_service(payment: APPayment) -> None:
    """Mark a payment void in raw SQL, its own entry standing in for the reversal it lacks."""
    sql(
        "UPDATE payables_appayment SET status = 'void', voided_at = now(),"
        " void_journal_entry_id = journal_entry_id WHERE id = %s",
        [payment.pk],
    )


# Single-row CHECKs (migration 0001).


def test_bill_balance_stays_within_its_total(paid):
    bill, _, _ = paid
    with refused("vendor_bill_balance_within_total"):
        bills(bill).update(balance_due=Decimal("100.01"))
    with refused("vendor_bill_balance_within_total"):
        bills(bill).update(balance_due=Decimal("-0.01"))


def test_bill_status_matches_its_balance(paid):
    bill, _, _ = paid
    with refused("vendor_bill_status_matches_balance"):
        bills(bill).update(status="paid")
    with refused("vendor_bill_status_matches_balance"):
        bills(bill).update(status="open")


def test_credit_remaining_stays_within_its_amount(paid):
    _, credit, _ = paid
    with refused("vendor_credit_remaining_within_amount"):
        credits(credit).update(remaining_amount=Decimal("-1.00"))
    with refused("vendor_credit_remaining_within_amount"):
        credits(credit).update(remaining_amount=Decimal("50.01"))


def test_credit_status_matches_its_amounts(paid):
    _, credit, _ = paid
    for status in ("open", "applied", "expired"):
        with refused("vendor_credit_status_matches_amounts"):
            credits(credit).update(status=status)


def test_one_credit_per_source(vendor):
    source = uuid.uuid4()
    first = VendorCreditFactory(vendor=vendor, source_type="rebate", source_id=source)
    with refused("vendor_credit_unique_source"):
        new_credit(first, source_type="rebate", source_id=source)


def test_payment_total_is_cash_plus_credit(paid):
    bill, _, _ = paid
    with refused("ap_payment_total_is_cash_plus_credit"):
        new_payment(bill, "10.00", total_applied=Decimal("12.00"))


# Cross-row guards, checked at commit (migrations 0002 and 0004).


def test_bill_balance_matches_what_payments_applied(paid):
    bill, _, _ = paid
    with refused("vendor_bill_balance_matches_applications"):
        bills(bill).update(balance_due=Decimal("50.00"))


def test_credit_remaining_matches_what_payments_spent(paid):
    _, credit, _ = paid
    with refused("vendor_credit_remaining_matches_applications"):
        credits(credit).update(remaining_amount=Decimal("20.00"))


def test_a_payment_spends_exactly_its_credit_amount(paid):
    _, credit, payment = paid
    other = VendorCreditFactory(vendor=credit.vendor, amount=Decimal("5.00"))
    with refused("ap_payment_credit_matches"):
        VendorCreditApplication.objects.create(payment=payment, vendor_credit=other, position=2, amount=1)


def test_one_entitys_payment_cannot_be_linked_to_another_entitys_bill(paid, foreign_bill):
    bill, _, _ = paid
    with refused("ap_payment_applications_match"):
        pay_raw(new_payment(bill, "10.00"), foreign_bill, "10.00")


def test_a_payments_void_gives_its_bills_and_credits_back_and_nothing_else_may(paid):
    # The database gives the balance and the remainder back with the running totals, in the void's own
    # statement (migration 0009); the void is still refused at commit for its entry.
    bill, credit, payment = paid
    with refused("ap_payment_void_reverses_its_entry"):
        void_around_the_service(payment)
        assert bill_state(bill) == (Decimal("100.00"), "open", Decimal("0.00"))
        assert credit_state(credit) == (Decimal("50.00"), "open", Decimal("0.00"))
    with refused("vendor_bill_balance_matches_applications"):
        void_around_the_service(payment)
        lower_balance(bill, "60.00")  # what the payment had applied, taken again by hand
    with refused("vendor_credit_remaining_matches_applications"):
        void_around_the_service(payment)
        lower_remainder(credit, "40.00")  # what the payment had spent, taken again by hand


@pytest.mark.parametrize("kind", ["bill", "credit"])
def test_no_application_joins_a_committed_payment(paid, kind):
    bill, credit, payment = paid
    with refused("ap_payment_applications_match" if kind == "bill" else "ap_payment_credit_matches"):
        if kind == "bill":
            APPaymentApplication.objects.create(
                payment=payment, bill=new_bill(bill), position=2, amount_applied=Decimal("1.00")
            )
        else:
            other = VendorCreditFactory(vendor=credit.vendor, amount=Decimal("5.00"))
            VendorCreditApplication.objects.create(payment=payment, vendor_credit=other, position=2, amount=1)
        pytest.fail("the application was accepted until commit: it must be refused at once")


def test_a_payment_cannot_spend_another_vendors_credit(paid, other_vendor):
    bill, _, _ = paid
    foreign = VendorCreditFactory(vendor=other_vendor, amount=Decimal("5.00"))
    with refused("ap_payment_credit_matches"):
        payment = new_payment(bill, "5.00", credit_amount=Decimal("5.00"), total_applied=Decimal("10.00"))
        pay_raw(payment, bill, "10.00")
        VendorCreditApplication.objects.create(payment=payment, vendor_credit=foreign, position=1, amount=5)
        pytest.fail("the application was accepted until commit: it must be refused at once")


def test_a_new_payments_applications_move_their_bills_and_nothing_else_may(paid):
    # The INSERT of its applications takes their amount off the bill with the running total (migration
    # 0009); the raw payment is still refused at commit, for its number (never issued to it).
    bill, _, _ = paid
    with refused("ap_payment_number_issued"):
        pay_raw(new_payment(bill, "10.00"), bill, "10.00")
        assert bill_state(bill) == (Decimal("30.00"), "partially_paid", Decimal("70.00"))
    with refused("vendor_bill_balance_matches_applications"):
        pay_raw(new_payment(bill, "10.00"), bill, "10.00")
        lower_balance(bill, "10.00")  # taken off again by hand


def test_a_new_payments_credit_applications_move_their_credits_and_nothing_else_may(paid):
    bill, credit, _ = paid
    with refused("ap_payment_number_issued"):
        payment = new_payment(bill, "5.00", credit_amount=Decimal("5.00"), total_applied=Decimal("10.00"))
        pay_raw(payment, bill, "10.00")
        VendorCreditApplication.objects.create(payment=payment, vendor_credit=credit, position=1, amount=5)
        assert credit_state(credit) == (Decimal("5.00"), "partially_applied", Decimal("45.00"))
    with refused("vendor_credit_remaining_matches_applications"):
        payment = new_payment(bill, "5.00", credit_amount=Decimal("5.00"), total_applied=Decimal("10.00"))
        pay_raw(payment, bill, "10.00")
        VendorCreditApplication.objects.create(payment=payment, vendor_credit=credit, position=1, amount=5)
        lower_remainder(credit, "5.00")  # taken off again by hand


def test_a_bill_totals_its_lines(paid):
    bill, _, _ = paid
    with refused("vendor_bill_total_matches_lines"):
        unnumbered = new_bill(bill, number="")  # a numbered bill takes no line (below)
        VendorBillLine.objects.create(
            bill=unnumbered, position=2, description="extra", unit_price=5, amount=5
        )
        bills(unnumbered).update(number="BILL-RAW")


def test_a_line_added_after_the_bills_insert_was_checked_is_caught_at_its_numbering(paid):
    """No check runs per line (payables 0004): the UPDATE that numbers the bill checks its lines again."""
    bill, _, _ = paid
    with refused("vendor_bill_total_matches_lines"):
        bill_id = uuid.uuid4()
        entry = journal_entry_record(
            entity=bill.entity,
            date=DAY,
            memo="raw bill",
            lines=vendor_bill_lines(total=Decimal("10.00")),
            source_type="vendor_bill",
            source_id=str(bill_id),
        )
        journal_entry_number(entry=entry)
        unnumbered = new_bill(bill, id=bill_id, journal_entry_id=entry.pk, number="")
        # The INSERT's check runs now, and passes: one line of 10.00 for a total of 10.00.
        sql("SET CONSTRAINTS payables_vendor_bill_posted_consistent IMMEDIATE")
        VendorBillLine.objects.create(
            bill=unnumbered, position=2, description="extra", unit_price=5, amount=5
        )
        bills(unnumbered).update(number=issued_to(unnumbered, "vendor_bill"))


@pytest.mark.parametrize("foreign", ["vendor", "journal_entry"])
def test_a_bill_references_only_its_own_entity(paid, foreign_bill, foreign):
    bill, _, _ = paid
    with refused("vendor_bill_references_own_entity"):
        new_bill(bill, **{f"{foreign}_id": getattr(foreign_bill, f"{foreign}_id")})


def test_a_credit_references_only_its_own_entity(paid, foreign_bill):
    _, credit, _ = paid
    with refused("vendor_credit_references_own_entity"):
        new_credit(credit, journal_entry_id=foreign_bill.journal_entry_id)


def test_a_payment_references_only_its_own_entity(paid, foreign_bill):
    bill, _, _ = paid
    with refused("ap_payment_references_own_entity"):
        pay_raw(new_payment(bill, "10.00", journal_entry_id=foreign_bill.journal_entry_id), bill, "10.00")


def test_documents_are_numbered_at_commit(paid):
    bill, credit, _ = paid
    with refused("vendor_bill_numbered"):
        new_bill(bill, number="")
    with refused("vendor_credit_numbered"):
        new_credit(credit, credit_number="")
    with refused("ap_payment_numbered"):
        pay_raw(new_payment(bill, "10.00", number=""), bill, "10.00")


def test_documents_carry_only_numbers_issued_to_them(paid):
    bill, credit, _ = paid
    with refused("vendor_bill_number_issued"):
        new_bill(bill, number="BILL9999999")
    with refused("vendor_credit_number_issued"):
        new_credit(credit, credit_number="VC9999999")
    with refused("ap_payment_number_issued"):
        pay_raw(new_payment(bill, "10.00", number="APP9999999"), bill, "10.00")


def test_documents_are_posted_by_their_own_entries(paid):
    # Each numbered with a number issued to it and otherwise whole: only its entry is another's.
    bill, credit, _ = paid
    with refused("vendor_bill_posted_by_its_entry"):
        raw = new_bill(bill, number="")
        bills(raw).update(number=issued_to(raw, "vendor_bill"))
    with refused("vendor_credit_posted_by_its_entry"):
        raw = new_credit(credit, credit_number="")
        credits(raw).update(credit_number=issued_to(raw, "vendor_credit"))
    with refused("ap_payment_posted_by_its_entry"):
        raw = new_payment(bill, "10.00", number="")
        pay_raw(raw, bill, "10.00")
        APPayment.objects.filter(pk=raw.pk).update(number=issued_to(raw, "ap_payment"))


def test_a_void_is_recorded_only_with_the_reversal_of_the_documents_entry(vendor, paid):
    _, _, payment = paid
    void = "voided_at = now(), void_journal_entry_id = journal_entry_id"  # no reversal posted
    with refused("vendor_bill_void_reverses_its_entry"):
        sql(
            f"UPDATE payables_vendorbill SET status = 'void', balance_due = 0, {void} WHERE id = %s",
            [VendorBillFactory(vendor=vendor).pk],
        )
    with refused("vendor_credit_void_reverses_its_entry"):
        sql(
            f"UPDATE payables_vendorcredit SET status = 'voided', remaining_amount = 0, {void} WHERE id = %s",
            [VendorCreditFactory(vendor=vendor).pk],
        )
    with refused("ap_payment_void_reverses_its_entry"):
        # Its bill owes again and its credit can be spent again: the database gives them back (0009).
        sql(f"UPDATE payables_appayment SET status = 'void', {void} WHERE id = %s", [payment.pk])


def test_an_expiry_is_recorded_only_with_its_write_off(vendor):
    with refused("vendor_credit_expiry_posted_by_its_entry"):
        sql(
            "UPDATE payables_vendorcredit SET status = 'expired', remaining_amount = 0,"
            " expired_amount = amount, expired_at = now(), expiry_journal_entry_id = journal_entry_id"
            " WHERE id = %s",
            [VendorCreditFactory(vendor=vendor).pk],
        )


# History guards, refused at once (migrations 0002 and 0004).


def test_a_numbered_bill_takes_no_further_line(paid):
    bill, _, _ = paid
    with refused("vendor_bill_lines_before_number", sqlstate="23001"):
        VendorBillLine.objects.create(bill=bill, position=2, description="extra", unit_price=0, amount=0)


@pytest.mark.parametrize(
    "tables",
    [
        "payables_vendorbillline",
        "payables_appaymentapplication",
        "payables_vendorcreditapplication",
        "payables_appayment CASCADE",
        "payables_vendorbill, payables_vendorcredit CASCADE",
    ],
)
@pytest.mark.django_db(transaction=True)  # the owner's connection sees committed rows only
def test_history_is_not_truncated(paid, tables):
    # TRUNCATE is the owner's alone (tests/erp/test_db_roles.py); the guard holds against the owner too.
    with as_owner(), refused("payables_history_kept", sqlstate="23001"):
        sql(f"TRUNCATE {tables}")


@pytest.mark.django_db(transaction=True)
def test_history_is_truncated_with_the_ledger_it_was_posted_to(paid):
    """As Django's test flush truncates every table in one statement (rolled back here)."""
    _, _, payment = paid
    with as_owner(), pytest.raises(RuntimeError), transaction.atomic():
        sql("TRUNCATE payables_vendorbillline, payables_appaymentapplication, erp_journalentry CASCADE")
        assert not VendorBill.objects.exists() and not APPayment.objects.exists()
        raise RuntimeError("roll back")
    assert APPayment.objects.filter(pk=payment.pk).exists()


def test_history_is_append_only(paid):
    bill, credit, payment = paid
    with refused(sqlstate="23001"):
        APPaymentApplication.objects.filter(payment=payment).update(amount_applied=Decimal("1.00"))
    with refused(sqlstate="23001"):
        VendorCreditApplication.objects.filter(payment=payment).delete()
    with refused(sqlstate="23001"):
        VendorBillLine.objects.filter(bill=bill).update(description="changed")
    with refused(sqlstate="23001"):
        APPayment.objects.filter(pk=payment.pk).update(number="APP-REWRITTEN")
    with refused(sqlstate="23001"):
        credits(credit).update(credit_number="VC-REWRITTEN")


@pytest.mark.parametrize(
    "table", ["payables_vendorbill", "payables_vendorcredit", "payables_appayment", "payables_vendorbillline"]
)
def test_documents_are_never_deleted(paid, table):
    with refused(match="cannot be delete", sqlstate="23001"):
        sql(f"DELETE FROM {table}")


def test_a_number_once_written_is_never_blanked(vendor):
    bill = VendorBillFactory(vendor=vendor)
    with refused(sqlstate="23001"):
        bills(bill).update(number="")


@pytest.mark.parametrize(
    "change",
    [
        "total = total + 100, balance_due = balance_due + 100",  # raised together, the entry stays
        "vendor_id = %(other_vendor)s",
        "bill_date = bill_date - 1",
        "entity_id = %(other_entity)s",
        "journal_entry_id = %(other_entry)s",
    ],
)
def test_a_bills_posted_fields_never_change(paid, other_vendor, other_entity, change):
    bill, credit, _ = paid
    other = {
        "other_vendor": other_vendor.pk,
        "other_entity": other_entity.pk,
        "other_entry": credit.journal_entry_id,
    }
    with refused("vendor_bill_posted_fields_immutable", sqlstate="23001"):
        sql(f"UPDATE payables_vendorbill SET {change} WHERE id = %(id)s", other | {"id": bill.pk})


@pytest.mark.parametrize(
    "change",
    [
        "amount = amount + 100, remaining_amount = remaining_amount + 100",
        "vendor_id = %(other_vendor)s",
        "entity_id = %(other_entity)s",
        "created_at = created_at - interval '1 day'",
        "source_type = 'rebate', source_id = %(source)s",
        "journal_entry_id = %(other_entry)s",
        "expires_at = now()",  # it decides until when the credit can be spent
    ],
)
def test_a_credits_posted_fields_never_change(paid, other_vendor, other_entity, change):
    bill, credit, _ = paid
    other = {
        "other_vendor": other_vendor.pk,
        "other_entity": other_entity.pk,
        "other_entry": bill.journal_entry_id,
        "source": uuid.uuid4(),
    }
    with refused("vendor_credit_posted_fields_immutable", sqlstate="23001"):
        sql(f"UPDATE payables_vendorcredit SET {change} WHERE id = %(id)s", other | {"id": credit.pk})


@pytest.mark.parametrize(
    "change",
    [
        "amount = amount + 100, total_applied = total_applied + 100",
        "credit_amount = credit_amount + 1, amount = amount - 1",
        "vendor_id = %(other_vendor)s",
        "entity_id = %(other_entity)s",
        "payment_date = payment_date - 1",
        "method = 'wire'",
        "journal_entry_id = %(other_entry)s",
    ],
)
def test_a_payments_posted_fields_never_change(paid, other_vendor, other_entity, change):
    bill, _, payment = paid
    other = {
        "other_vendor": other_vendor.pk,
        "other_entity": other_entity.pk,
        "other_entry": bill.journal_entry_id,
    }
    with refused("ap_payment_posted_fields_immutable", sqlstate="23001"):
        sql(f"UPDATE payables_appayment SET {change} WHERE id = %(id)s", other | {"id": payment.pk})


def test_a_void_stays_void(vendor, paid):
    _, _, payment = paid
    bill = vendor_bill_void(bill=VendorBillFactory(vendor=vendor), reason="duplicate")
    credit = vendor_credit_void(credit=VendorCreditFactory(vendor=vendor), reason="duplicate")
    payment = ap_payment_void(payment=payment, reason="bounced")
    unvoid = "status = %s, voided_at = NULL, void_journal_entry_id = NULL"
    with refused("vendor_bill_void_final", sqlstate="23001"):
        sql(f"UPDATE payables_vendorbill SET {unvoid}, balance_due = total WHERE id = %s", ["open", bill.pk])
    with refused("vendor_credit_void_final", sqlstate="23001"):
        sql(
            f"UPDATE payables_vendorcredit SET {unvoid}, remaining_amount = amount WHERE id = %s",
            ["open", credit.pk],
        )
    with refused("ap_payment_void_final", sqlstate="23001"):
        sql(
            "UPDATE payables_appayment SET void_reason = 'rewritten', voided_at = %s WHERE id = %s",
            [timezone.now(), payment.pk],
        )


def test_a_vendor_never_moves_to_another_entity(vendor, other_entity):
    with refused("vendor_entity_immutable", sqlstate="23001"):
        sql("UPDATE payables_vendor SET entity_id = %s WHERE id = %s", [other_entity.pk, vendor.pk])
