"""The database holds every receivables rule on its own: each guard proven by going around the services.

Single-row CHECKs are tried on an INSERT (the posted fields they cover can no longer be updated);
the triggers of receivables/migrations/0003_database_guards.sql are tried with raw SQL, one test
per guard (docs/reliability.md lists them).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from numbering.services import counter_type_issue_next
from receivables.models import Invoice, InvoiceLine, Payment, PaymentApplication
from receivables.services import ApplicationInput, invoice_void, payment_apply_to_invoices, payment_void
from tests.db_roles import as_owner
from tests.helpers import refused, sql
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def payment(customer, invoices):
    """A check of 30.00 applied to the first invoice (100.00)."""
    return payment_apply_to_invoices(
        entity=customer.entity,
        customer_id=customer.pk,
        payment_method="check",
        amount="30.00",
        check_number="10442",
        applications=[ApplicationInput(document_id=invoices[0].pk, amount_applied="30.00")],
        created_by="test",
    )


@pytest.fixture
def foreign_invoice(other_entity):
    """An open invoice of 40.00 of another entity's customer."""
    return InvoiceFactory(customer=CustomerFactory(entity=other_entity), amount="40.00")


def new_invoice(model_of: Invoice, **fields) -> Invoice:
    """Insert an invoice like `model_of` straight into its table, with one line adding up to its total.

    The line goes in first and the number (if `fields` gives one) last, as the services do.
    """
    number = fields.pop("number", "")
    values = {
        "entity_id": model_of.entity_id,
        "customer_id": model_of.customer_id,
        "invoice_date": DAY,
        "due_date": DAY,
        "total": Decimal("10.00"),
        "balance_due": Decimal("10.00"),
        "status": "open",
        "journal_entry_id": model_of.journal_entry_id,
    } | fields
    invoice = Invoice.objects.create(**values)
    InvoiceLine.objects.create(
        invoice=invoice, position=1, description="x", unit_price=invoice.total, amount=invoice.total
    )
    if number:
        Invoice.objects.filter(pk=invoice.pk).update(number=number)
        invoice.number = number
    return invoice


def new_payment(invoice: Invoice, amount: str, **fields) -> Payment:
    """Insert an ACH payment of `invoice`'s customer straight into its table, unapplied."""
    values = {
        "entity_id": invoice.entity_id,
        "customer_id": invoice.customer_id,
        "amount": Decimal(amount),
        "payment_method": "ach",
        "payment_date": DAY,
        "journal_entry_id": invoice.journal_entry_id,
    } | fields
    return Payment.objects.create(**values)


def number_raw(invoice: Invoice) -> None:
    """Give a raw invoice a number really issued to it, as invoice_create would."""
    issued = counter_type_issue_next(
        entity=invoice.entity,
        counter_type="invoice",
        date=invoice.invoice_date,
        document_type="invoice",
        document_id=str(invoice.pk),
    )
    sql("UPDATE receivables_invoice SET number = %s WHERE id = %s", [issued.number, invoice.pk])


def lower_balance(invoice: Invoice, amount: str) -> None:
    """Take `amount` off an invoice's balance by hand (a payment's applications take it off themselves)."""
    sql(
        "UPDATE receivables_invoice SET balance_due = balance_due - %s, status = 'partially_paid'"
        " WHERE id = %s",
        [Decimal(amount), invoice.pk],
    )


def invoice_state(invoice: Invoice) -> tuple:
    """Return an invoice's balance, status and running total as the database holds them now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT balance_due, status, applied_total FROM receivables_invoice WHERE id = %s", [invoice.pk]
        )
        return cursor.fetchone()


def void_around_the_service(payment: Payment) -> None:
    """Mark a payment void in raw SQL, its own entry standing in for the reversal it lacks."""
    sql(
        "UPDATE receivables_payment SET status = 'void', voided_at = now(),"
        " void_journal_entry_id = journal_entry_id WHERE id = %s",
        [payment.pk],
    )


# Single-row CHECKs (migration 0001).


def test_a_balance_never_goes_below_zero_or_above_the_total(invoices):
    one = Invoice.objects.filter(pk=invoices[0].pk)
    with refused("invoice_balance_within_total"):
        one.update(balance_due=-1, status="partially_paid")
    with refused("invoice_balance_within_total"):
        one.update(balance_due=F("total") + 1)


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
    with refused("invoice_status_matches_balance"):
        Invoice.objects.filter(pk=invoices[0].pk).update(balance_due=balance, status=status)


def test_a_void_invoice_records_its_reversal(invoices):
    with refused("invoice_void_recorded"):
        Invoice.objects.filter(pk=invoices[0].pk).update(status="void", balance_due=0)


def test_invoice_dates_totals_and_numbers(invoices):
    with refused("invoice_due_not_before_invoice_date"):
        Invoice.objects.filter(pk=invoices[0].pk).update(due_date=datetime.date(2000, 1, 1))
    with refused("invoice_total_positive"):
        new_invoice(invoices[0], total=0, balance_due=0, status="paid")
    with refused("invoice_unique_number"):
        new_invoice(invoices[0], number=invoices[1].number)


def test_a_line_amount_is_its_quantity_times_its_price(invoices):
    def line(**fields):
        values = {"position": 9, "description": "x", "quantity": 1, "unit_price": 1, "amount": 1} | fields
        return InvoiceLine.objects.create(invoice=invoices[0], **values)

    with refused("invoice_line_amount_is_quantity_times_price"):
        line(amount="99.99")
    with refused("invoice_line_quantity_positive"):
        line(quantity=0, amount=0)
    with refused("invoice_line_price_not_negative"):
        line(unit_price=-1, amount=-1)
    with refused("invoice_line_unique_position"):
        line(position=1)


def test_payment_rules(payment, invoices):
    with refused("payment_check_fields_only_for_checks"):
        new_payment(invoices[0], "1.00", check_number="1")
    with refused("payment_amount_positive"):
        new_payment(invoices[0], "0")
    with refused("payment_known_method"):
        new_payment(invoices[0], "1.00", payment_method="barter")
    with refused("payment_void_recorded"):
        Payment.objects.filter(pk=payment.pk).update(status="void")
    with refused("payment_application_positive"):
        PaymentApplication.objects.create(payment=payment, invoice=invoices[1], amount_applied=0)
    with refused("payment_application_once_per_invoice"):
        PaymentApplication.objects.create(payment=payment, invoice=invoices[0], amount_applied="1.00")


# Cross-row guards, checked at commit (migration 0003).


def test_an_open_invoice_cannot_be_marked_paid_without_a_payment(invoices):
    with refused("invoice_balance_matches_applications"):
        sql("UPDATE receivables_invoice SET balance_due = 0, status = 'paid' WHERE id = %s", [invoices[0].pk])


def test_a_paid_down_invoice_cannot_be_voided_while_its_payment_stands(payment, invoices):
    with refused("invoice_balance_matches_applications"):
        sql(
            "UPDATE receivables_invoice SET status = 'void', balance_due = 0, voided_at = now(),"
            " void_journal_entry_id = journal_entry_id WHERE id = %s",
            [invoices[0].pk],
        )


def test_a_payments_void_gives_its_invoices_back_and_nothing_else_may(payment, invoices):
    # The database gives the balance back with the running total, in the void's own statement
    # (migration 0010); the void is still refused at commit for its entry.
    with refused("payment_void_reverses_its_entry"):
        void_around_the_service(payment)
        assert invoice_state(invoices[0]) == (Decimal("100.00"), "open", Decimal("0.00"))
    with refused("invoice_balance_matches_applications"):
        void_around_the_service(payment)
        lower_balance(invoices[0], "30.00")  # what the payment had applied, taken again by hand


def test_an_invoice_totals_its_lines(invoices):
    with refused("invoice_total_matches_lines"):
        unnumbered = new_invoice(invoices[0])  # a numbered invoice takes no line (below)
        InvoiceLine.objects.create(
            invoice=unnumbered, position=2, description="extra", unit_price=5, amount=5
        )


def test_an_invoice_is_numbered_at_commit(invoices):
    with refused("invoice_numbered"):
        new_invoice(invoices[0])


def test_an_invoice_carries_only_a_number_issued_to_it(invoices):
    with refused("invoice_number_issued"):
        new_invoice(invoices[0], number="INV9999999")


@pytest.mark.parametrize("foreign", ["customer", "journal_entry"])
def test_an_invoice_references_only_its_own_entity(invoices, foreign_invoice, foreign):
    with refused("invoice_references_own_entity"):
        new_invoice(invoices[0], **{f"{foreign}_id": getattr(foreign_invoice, f"{foreign}_id")})


def test_an_invoice_is_posted_by_its_own_entry(invoices):
    # Numbered with a number issued to it, its lines adding up: only its entry is another invoice's.
    with refused("invoice_posted_by_its_entry"):
        number_raw(new_invoice(invoices[0]))


@pytest.mark.parametrize("entry", ["its own entry", "another invoice's reversal"])
def test_an_invoice_is_voided_only_by_the_reversal_of_its_entry(invoices, entry):
    reversal = "journal_entry_id"
    if entry != "its own entry":
        invoice_void(invoice=invoices[1], reason="typo", voided_by="test")
        reversal = f"'{Invoice.objects.get(pk=invoices[1].pk).void_journal_entry_id}'"
    with refused("invoice_void_reverses_its_entry"):
        sql(
            "UPDATE receivables_invoice SET status = 'void', balance_due = 0, voided_at = now(),"
            f" void_journal_entry_id = {reversal} WHERE id = %s",
            [invoices[0].pk],
        )


def test_a_new_payments_applications_move_their_invoices_and_nothing_else_may(invoices):
    # The INSERT of its applications takes their amount off the invoice with the running total (migration
    # 0010); the payment is still refused at commit for its entry (the invoice's).
    with refused("payment_posted_by_its_entry"):
        applied = new_payment(invoices[1], "10.00")
        PaymentApplication.objects.create(payment=applied, invoice=invoices[1], amount_applied="10.00")
        assert invoice_state(invoices[1]) == (Decimal("240.00"), "partially_paid", Decimal("10.00"))
    with refused("invoice_balance_matches_applications"):
        applied = new_payment(invoices[1], "10.00")
        PaymentApplication.objects.create(payment=applied, invoice=invoices[1], amount_applied="10.00")
        lower_balance(invoices[1], "10.00")  # taken off again by hand


def test_a_payment_applies_exactly_its_amount(payment, invoices):
    with refused("payment_applications_match"):
        PaymentApplication.objects.create(payment=payment, invoice=invoices[1], amount_applied="5.00")


def test_one_entitys_payment_cannot_be_linked_to_another_entitys_invoice(invoices, foreign_invoice):
    with refused("payment_applications_match"):
        intruder = new_payment(invoices[0], "10.00")
        PaymentApplication.objects.create(payment=intruder, invoice=foreign_invoice, amount_applied="10.00")


def test_a_payment_cannot_pay_another_customers_invoice(invoices, entity):
    neighbour = InvoiceFactory(customer=CustomerFactory(entity=entity), amount="40.00")
    with refused("payment_applications_match"):
        intruder = new_payment(invoices[0], "10.00")
        PaymentApplication.objects.create(payment=intruder, invoice=neighbour, amount_applied="10.00")


def test_a_payment_references_only_its_own_entity(invoices, foreign_invoice):
    with refused("payment_references_own_entity"):
        intruder = new_payment(invoices[0], "10.00", journal_entry_id=foreign_invoice.journal_entry_id)
        PaymentApplication.objects.create(payment=intruder, invoice=invoices[0], amount_applied="10.00")


def test_a_payment_is_posted_by_its_own_entry(invoices):
    # Applied in full to its customer's invoice: only its entry is the invoice's.
    with refused("payment_posted_by_its_entry"):
        intruder = new_payment(invoices[0], "10.00")
        PaymentApplication.objects.create(payment=intruder, invoice=invoices[0], amount_applied="10.00")


def test_a_payment_is_voided_only_by_the_reversal_of_its_entry(payment):
    # The invoice's balance is given back by the database, as the service's void does: only the reversing
    # entry is missing.
    with refused("payment_void_reverses_its_entry"):
        void_around_the_service(payment)


# History guards, refused at once (migration 0003).


def test_a_numbered_invoice_takes_no_further_line(invoices):
    with refused("invoice_lines_before_number", sqlstate="23001"):
        InvoiceLine.objects.create(
            invoice=invoices[0], position=2, description="extra", unit_price=0, amount=0
        )


@pytest.mark.parametrize(
    "tables, constraint",
    [
        ("receivables_invoiceline", "receivables_history_kept"),
        ("receivables_paymentapplication", "receivables_history_kept"),
        ("receivables_payment CASCADE", "receivables_history_kept"),
        ("receivables_invoice, receivables_payment CASCADE", "receivables_history_kept"),
    ],
)
@pytest.mark.django_db(transaction=True)  # the owner's connection sees committed rows only
def test_history_is_not_truncated(payment, tables, constraint):
    # TRUNCATE is the owner's alone (tests/erp/test_db_roles.py); the guard holds against the owner too.
    with as_owner(), refused(constraint, sqlstate="23001"):
        sql(f"TRUNCATE {tables}")


@pytest.mark.django_db(transaction=True)
def test_history_is_truncated_with_the_ledger_it_was_posted_to(payment):
    """As Django's test flush truncates every table in one statement (rolled back here)."""
    with as_owner(), pytest.raises(RuntimeError), transaction.atomic():
        sql("TRUNCATE receivables_invoiceline, receivables_paymentapplication, erp_journalentry CASCADE")
        assert not Invoice.objects.exists() and not Payment.objects.exists()
        raise RuntimeError("roll back")
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_lines_are_append_only(invoices):
    with refused("invoice_line_append_only", sqlstate="23001"):
        sql(
            "UPDATE receivables_invoiceline SET description = 'changed' WHERE invoice_id = %s",
            [invoices[0].pk],
        )
    with refused("invoice_line_append_only"):
        sql("DELETE FROM receivables_invoiceline WHERE invoice_id = %s", [invoices[0].pk])


def test_payment_applications_cannot_be_deleted_or_changed(payment):
    with refused("payment_application_append_only", sqlstate="23001"):
        sql("DELETE FROM receivables_paymentapplication WHERE payment_id = %s", [payment.pk])
    with refused("payment_application_append_only"):
        sql(
            "UPDATE receivables_paymentapplication SET amount_applied = 1 WHERE payment_id = %s", [payment.pk]
        )


@pytest.mark.parametrize("table, constraint", [("invoice", "invoice_kept"), ("payment", "payment_kept")])
def test_documents_are_never_deleted(payment, table, constraint):
    with refused(constraint, sqlstate="23001"):
        sql(f"DELETE FROM receivables_{table}")


@pytest.mark.parametrize(
    "change",
    [
        "total = total * 10, balance_due = balance_due * 10",  # the journal entry stays as posted
        "customer_id = %(other_customer)s",
        "entity_id = %(other_entity)s",
        "invoice_date = invoice_date - 1",
        "journal_entry_id = %(other_entry)s",
    ],
)
def test_an_invoices_posted_fields_never_change(invoices, entity, other_entity, change):
    other = {"other_customer": CustomerFactory(entity=entity).pk, "other_entity": other_entity.pk}
    other["other_entry"] = invoices[1].journal_entry_id
    with refused("invoice_posted_fields_immutable", sqlstate="23001"):
        sql(f"UPDATE receivables_invoice SET {change} WHERE id = %(id)s", other | {"id": invoices[0].pk})


def test_an_invoice_cannot_be_renumbered(invoices):
    with refused("invoice_number_once", sqlstate="23001"):
        sql("UPDATE receivables_invoice SET number = 'INV9999999' WHERE id = %s", [invoices[0].pk])
    with refused("invoice_number_once"):
        sql("UPDATE receivables_invoice SET number = '' WHERE id = %s", [invoices[0].pk])


@pytest.mark.parametrize(
    "change",
    [
        "amount = amount * 10",
        "customer_id = %(other_customer)s",
        "entity_id = %(other_entity)s",
        "payment_date = payment_date - 1",
        "payment_method = 'cash', check_number = ''",
        "journal_entry_id = %(other_entry)s",
    ],
)
def test_a_payments_posted_fields_never_change(payment, invoices, entity, other_entity, change):
    other = {"other_customer": CustomerFactory(entity=entity).pk, "other_entity": other_entity.pk}
    other["other_entry"] = invoices[1].journal_entry_id
    with refused("payment_posted_fields_immutable", sqlstate="23001"):
        sql(f"UPDATE receivables_payment SET {change} WHERE id = %(id)s", other | {"id": payment.pk})


def test_a_void_invoice_stays_void(invoices):
    invoice_void(invoice=invoices[0], reason="typo", voided_by="test")
    with refused("invoice_void_final", sqlstate="23001"):
        sql(
            "UPDATE receivables_invoice SET status = 'open', balance_due = total, voided_at = NULL,"
            " void_journal_entry_id = NULL WHERE id = %s",
            [invoices[0].pk],
        )


def test_a_void_payment_stays_void(payment):
    payment_void(payment=payment, reason="bounced", voided_by="test")
    with refused("payment_void_final", sqlstate="23001"):
        sql(
            "UPDATE receivables_payment SET void_reason = 'rewritten', voided_at = %s WHERE id = %s",
            [timezone.now(), payment.pk],
        )


def test_a_customer_never_moves_to_another_entity(customer, other_entity):
    with refused("customer_entity_immutable", sqlstate="23001"):
        sql("UPDATE receivables_customer SET entity_id = %s WHERE id = %s", [other_entity.pk, customer.pk])
