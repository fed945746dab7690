"""Workers that die mid-transaction: a process killed holding a number, a connection dropped mid-payment.

Real processes on the real PostgreSQL (tests/processes.py). In both cases the server rolls
the dead transaction back, and that is the whole recovery: no gap, no duplicate, no partial
document, balanced books, and the next writer proceeds at once with the values the dead one held.
"""

import datetime
import os
import signal
import time
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from erp.models import Entity
from ledger.documents.services import ApplicationInput, LineInput
from ledger.models import JournalEntry, JournalLine
from ledger.selectors import trial_balance
from numbering.audit import entity_audit
from numbering.models import IssuedNumber, NumberingPeriod
from numbering.services.locks import period_lock
from payables.models import APPayment, APPaymentApplication, VendorBill, VendorCredit, VendorCreditApplication
from payables.services import ap_payment_create
from receivables.models import Customer, Invoice, InvoiceLine, Payment, PaymentApplication
from receivables.services import invoice_create, payment_apply_to_invoices
from tests.payables.factories import VendorBillFactory, VendorCreditFactory, VendorFactory
from tests.processes import (
    FORK,
    WAIT,
    backend_state,
    blocked_by,
    connect_child,
    locked_by_another_transaction,
    outcome,
    receive,
    start,
    tables_written_by,
    wait_until,
    waits_for_a_lock,
)
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db(transaction=True)


INVOICE_DATE = datetime.date(2026, 3, 2)
ADMIN_SHUTDOWN = "57P01"  # what a backend ended by pg_terminate_backend reports to its client


def _invoice(customer, description: str):
    return invoice_create(
        entity=customer.entity,
        customer_id=customer.pk,
        invoice_date=INVOICE_DATE,
        lines=[LineInput(description=description, unit_price="75.00")],
    )


def _described(invoice) -> dict:
    entry = JournalEntry.objects.get(pk=invoice.journal_entry_id)
    return {
        "invoice_id": str(invoice.pk),
        "number": invoice.number,
        "entry_id": str(entry.pk),
        "entry": entry.number,
    }


def invoice_then_hang(db_name: str, customer_id, holding, never):
    """Create an invoice inside a transaction that stays open, report it, and wait to be killed."""
    backend = connect_child(db_name)
    customer = Customer.objects.select_related("entity").get(pk=customer_id)
    with transaction.atomic():
        invoice = _invoice(customer, "Killed before commit")
        holding.put({"backend": backend, **_described(invoice)})
        # Nobody sets it: the parent kills this process while it holds both counters. The bound is
        # far beyond the parent's steps (each ≤ WAIT), so the worker never gives up first.
        never.wait(10 * WAIT)
    raise AssertionError("the worker was meant to be killed before committing")


def invoice_after_waiting(db_name: str, customer_id, started):
    """Create an invoice on a connection whose lock waits are long (it queues behind the holder)."""
    started.put(connect_child(db_name, lock_timeout_ms=WAIT * 1000))
    customer = Customer.objects.select_related("entity").get(pk=customer_id)
    return _described(_invoice(customer, "Issued after the kill"))


def test_a_worker_killed_while_holding_the_number_leaves_no_gap_and_no_partial_document(
    entity, db_name, settings
):
    # Given an invoice already issued (INV0000001, JE0000001) …
    customer = CustomerFactory(entity=entity)
    InvoiceFactory(customer=customer)
    connection.close()
    # … a worker that took the next invoice and journal numbers and has not committed …
    holding, never = FORK.Queue(), FORK.Event()
    holder, _ = start(invoice_then_hang, db_name, customer.pk, holding, never)
    try:
        held = receive(holding, holder, "the holder's invoice")
        assert backend_state(held["backend"])[0] == "idle in transaction"
        counter = NumberingPeriod.objects.get(sequence__entity=entity, sequence__counter_type="invoice")
        assert locked_by_another_transaction(NumberingPeriod, [counter.pk]), (
            "the number must stay locked to commit"
        )
        # … and a second worker queued behind it for the invoice counter.
        started = FORK.Queue()
        waiter = start(invoice_after_waiting, db_name, customer.pk, started)
        waiter_backend = receive(started, waiter[0], "the second worker's connection")
        wait_until(lambda: waits_for_a_lock(waiter_backend), "the second worker waits for the held counter")

        # When the holder is killed outright …
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(WAIT)
        assert holder.exitcode == -signal.SIGKILL
        # … the server notices the closed socket, rolls its transaction back and ends the backend.
        wait_until(lambda: backend_state(held["backend"]) is None, "the killed worker's backend is gone")
    finally:
        if holder.is_alive():  # an assertion failed before the kill: end the holder all the same
            holder.kill()
            holder.join(WAIT)

    # Then the queued worker gets exactly the numbers the dead one held: nothing lost, nothing repeated.
    after = outcome(*waiter)
    assert (after["number"], after["entry"]) == (held["number"], held["entry"]) == ("INV0000002", "JE0000002")
    # Nothing of the dead worker's document survived.
    assert not Invoice.objects.filter(pk=held["invoice_id"]).exists()
    assert not InvoiceLine.objects.filter(invoice_id=held["invoice_id"]).exists()
    assert not JournalEntry.objects.filter(pk=held["entry_id"]).exists()
    assert not IssuedNumber.objects.filter(document_id__in=[held["invoice_id"], held["entry_id"]]).exists()
    assert entity_audit(entity=entity)["ok"] is True
    assert trial_balance(entity=entity).balanced
    # And the next issuance proceeds at once: no lock is left behind (a 100 ms wait would be refused).
    settings.NUMBERING_LOCK_TIMEOUT_MS = 100
    assert InvoiceFactory(customer=customer).number == "INV0000003"
    numbers = Invoice.objects.filter(entity=entity).order_by("number").values_list("number", flat=True)
    assert list(numbers) == ["INV0000001", "INV0000002", "INV0000003"]


def pay_customer(entity, ids):
    customer_id, first, second = ids
    return payment_apply_to_invoices(
        entity=entity,
        customer_id=customer_id,
        payment_method="ach",
        amount="120.00",
        applications=[
            ApplicationInput(document_id=first, amount_applied="100.00"),
            ApplicationInput(document_id=second, amount_applied="20.00"),
        ],
    )


def pay_vendor(entity, ids):
    vendor_id, first, second, credit = ids
    return ap_payment_create(
        entity=entity,
        vendor_id=vendor_id,
        method="ach",
        amount="90.00",
        applications=[
            ApplicationInput(document_id=first, amount_applied="100.00"),
            ApplicationInput(document_id=second, amount_applied="20.00"),
        ],
        vendor_credit_ids=[credit],
    )


def pay_when_told(db_name: str, entity_id, pay, ids, started, go):
    """Report the backend, wait for the parent's go, then pay; report how the payment ended."""
    started.put(connect_child(db_name, lock_timeout_ms=WAIT * 1000))
    entity = Entity.objects.get(pk=entity_id)
    if not go.wait(WAIT):
        raise TimeoutError("never told to pay")
    try:
        pay(entity, ids)
    except DatabaseError as error:
        return "dropped", getattr(error.__cause__, "sqlstate", None)
    return "paid", None


def receivables_world(entity):
    customer = CustomerFactory(entity=entity)
    first, second = (InvoiceFactory(customer=customer, amount=a) for a in ("100.00", "50.00"))
    written = {Payment, PaymentApplication, Invoice, JournalEntry, JournalLine}
    return pay_customer, (customer.pk, first.pk, second.pk), Invoice, [first.pk, second.pk], written


def payables_world(entity):
    vendor = VendorFactory(entity=entity)
    first, second = (VendorBillFactory(vendor=vendor, total=Decimal(t)) for t in ("100.00", "50.00"))
    credit = VendorCreditFactory(vendor=vendor, amount=Decimal("40.00"))
    written = {APPayment, APPaymentApplication, VendorCreditApplication, VendorBill, VendorCredit}
    written |= {JournalEntry, JournalLine}
    return pay_vendor, (vendor.pk, first.pk, second.pk, credit.pk), VendorBill, [first.pk, second.pk], written


def money_state(entity) -> dict:
    """Everything a payment could have written, counted, and every balance it could have moved."""
    return {
        "payments": Payment.objects.filter(entity=entity).count(),
        "applications": PaymentApplication.objects.filter(payment__entity=entity).count(),
        "ap_payments": APPayment.objects.filter(entity=entity).count(),
        "credit_spent": VendorCreditApplication.objects.filter(payment__entity=entity).count(),
        "entries": JournalEntry.objects.filter(entity=entity).count(),
        "issued": IssuedNumber.objects.filter(entity=entity).count(),
        "invoices": sorted(Invoice.objects.filter(entity=entity).values_list("balance_due", "status")),
        "bills": sorted(VendorBill.objects.filter(entity=entity).values_list("balance_due", "status")),
        "credits": sorted(
            VendorCredit.objects.filter(entity=entity).values_list("remaining_amount", "status")
        ),
    }


@pytest.mark.parametrize("world", [receivables_world, payables_world], ids=["customer-payment", "ap-payment"])
def test_a_connection_dropped_mid_payment_writes_nothing(entity, db_name, world):
    # Given a payment about to run over two open documents …
    pay, ids, document_model, document_ids, written = world(entity)
    journal = NumberingPeriod.objects.get(sequence__entity=entity, sequence__counter_type="journal")
    before = money_state(entity)
    connection.close()
    started, go = FORK.Queue(), FORK.Event()
    payer = start(pay_when_told, db_name, entity.pk, pay, ids, started, go)
    payer_backend = receive(started, payer[0], "the payer's connection")

    with transaction.atomic():
        # … held at its very last step: the parent holds the journal counter, which every payment
        # takes last, after it locked its documents and wrote its rows and balances.
        period_lock(journal.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            parent_backend = cursor.fetchone()[0]
        go.set()
        wait_until(lambda: blocked_by(parent_backend), "a backend waits for the journal counter")
        assert blocked_by(parent_backend) == [payer_backend], "the payment's own transaction must wait"
        assert locked_by_another_transaction(document_model, document_ids), "its documents are locked"
        # … and it has written its payment, applications, balances and journal entry.
        assert tables_written_by(payer_backend) >= {model._meta.db_table for model in written}

        # When its connection is dropped there …
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [payer_backend])
        wait_until(lambda: backend_state(payer_backend) is None, "the payment's backend is gone")

    # Then the payer saw the connection die, and nothing it wrote survived.
    assert outcome(*payer) == ("dropped", ADMIN_SHUTDOWN)
    assert money_state(entity) == before
    assert trial_balance(entity=entity).balanced
    assert entity_audit(entity=entity)["ok"] is True
    # And the next payment succeeds at once, numbered with the journal value the dropped one never took.
    next_entry = f"JE{journal.last_value + 1:07d}"
    payment = pay(entity, ids)
    assert JournalEntry.objects.get(pk=payment.journal_entry_id).number == next_entry
    assert trial_balance(entity=entity).balanced
    assert entity_audit(entity=entity)["ok"] is True


def die_without_reporting(db_name: str):
    """A worker that ends as a crash would: no result, no traceback."""
    connect_child(db_name)
    os._exit(3)


def test_a_worker_that_dies_without_reporting_fails_the_wait_at_once(db_name):
    # The harness itself: a lost worker fails its test within seconds, never after the step's bound.
    process, results = start(die_without_reporting, db_name)
    began = time.monotonic()
    with pytest.raises(AssertionError, match=r"exit code 3"):
        outcome(process, results)
    assert time.monotonic() - began < 10
