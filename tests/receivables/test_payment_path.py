"""The payment path at a smaller cost, every rule kept (docs/benchmarks.md, "HTTP: multi-invoice-apply").

- receivables/migrations/0007_payment_path_triggers.sql: the invoice guards say in their WHEN which rows they
  could refuse; raw SQL around the services is still refused, including a multi-row INSERT of applications.
- receivables/migrations/0010_invoice_written_once_per_payment.sql: the applications' INSERT moves each
  invoice's balance and status with its running total, so a payment (and its void) writes each invoice once.
- The API reads a well-formed applications list in one pass and writes the response without building
  serializer fields: the same data, and every refusal still the per-item serializers'.
- The services let the database judge the invoices under their locks (the first refusal raised by
  applications_check itself), insert the applications in one statement, and read customers and accounts
  and insert entries, lines and payments with statements built once: the same refusals, rows, instances.
"""

import json
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from erp.exceptions import NotFound, RuleViolation
from erp.rows import rows_where
from ledger.documents.services import (
    DocumentState,
    applications_check,
    applications_lock_and_check,
    commit_checks_run,
)
from ledger.documents.services.documents import _deferred_foreign_keys
from ledger.documents.services.inputs import Application
from ledger.documents.services.payments import _refused_sql
from ledger.models import Account
from receivables.api.payments import (
    InvoiceApplicationInputSerializer,
    PaymentAppliedSerializer,
    payment_applied_data,
)
from receivables.models import Customer, Invoice, Payment, PaymentApplication
from receivables.services import ApplicationInput, payment_apply_to_invoices, payment_void
from tests.helpers import refused, sql
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def pay(customer, pairs, *, method="ach"):
    """Apply a payment of `pairs` [(invoice, amount)] through the service."""
    return payment_apply_to_invoices(
        entity=customer.entity,
        customer_id=customer.pk,
        payment_method=method,
        amount=str(sum(Decimal(amount) for _, amount in pairs)),
        applications=[ApplicationInput(document_id=i.pk, amount_applied=a) for i, a in pairs],
        created_by="test",
    )


def raw_payment(customer, invoice, amount: str) -> uuid.UUID:
    """Insert an applied ACH payment of `customer` straight into its table (posted by `invoice`'s entry)."""
    payment_id = uuid.uuid4()
    sql(
        "INSERT INTO receivables_payment (id, entity_id, customer_id, amount, payment_method, status,"
        " payment_date, check_number, external_reference, notes, void_reason, voided_by, created_by,"
        " created_at, journal_entry_id)"
        " VALUES (%s, %s, %s, %s, 'ach', 'applied', current_date, '', '', '', '', '', '', now(), %s)",
        [payment_id, customer.entity_id, customer.pk, Decimal(amount), invoice.journal_entry_id],
    )
    return payment_id


def raw_applications(payment_id, pairs) -> None:
    """Insert a payment's applications [(invoice, amount)] in ONE multi-row INSERT."""
    values = ", ".join(["(gen_random_uuid(), %s, %s, %s)"] * len(pairs))
    params = [value for invoice, amount in pairs for value in (payment_id, invoice.pk, Decimal(amount))]
    sql(
        "INSERT INTO receivables_paymentapplication (id, payment_id, invoice_id, amount_applied)"
        f" VALUES {values}",
        params,
    )


def lower(invoice, amount: str) -> None:
    """Take `amount` off an invoice's balance by hand (a payment's applications take it off themselves)."""
    sql(
        "UPDATE receivables_invoice SET balance_due = balance_due - %s,"
        " status = CASE WHEN balance_due - %s = 0 THEN 'paid' ELSE 'partially_paid' END WHERE id = %s",
        [Decimal(amount), Decimal(amount), invoice.pk],
    )


# The database: a multi-row INSERT of applications by raw SQL is judged as a payment's.


def test_a_multi_row_insert_over_applying_an_invoice_is_refused(customer, invoices):
    # 100.00 owed on the first invoice; the one INSERT applies 150.00 to it (and 10.00 to the second): the
    # balance it moves would fall below zero.
    with refused("invoice_balance_within_total"):
        payment_id = raw_payment(customer, invoices[0], "160.00")
        raw_applications(payment_id, [(invoices[0], "150.00"), (invoices[1], "10.00")])


def test_a_multi_row_insert_moves_each_balance_and_nothing_else_may(customer, invoices):
    # The running totals and the balances move with the INSERT (0010) and queue no invoice check of their
    # own (0007): a balance lowered again by hand is found by the payment's own deferred check.
    with refused("invoice_balance_matches_applications"):
        payment_id = raw_payment(customer, invoices[0], "30.00")
        raw_applications(payment_id, [(invoices[0], "10.00"), (invoices[1], "20.00")])
        lower(invoices[0], "10.00")


def invoice_row_writes() -> int:
    """Return how many invoice rows this transaction has updated so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'receivables_invoice'")
        return cursor.fetchone()[0]


def test_a_payment_and_its_void_write_each_invoice_once(customer, invoices):
    # A second write of a row in the transaction that wrote it re-checks the row's foreign keys (0010).
    before = invoice_row_writes()
    payment = pay(customer, [(invoices[0], "100.00"), (invoices[1], "20.00"), (invoices[2], "0.50")])
    assert invoice_row_writes() - before == 3
    before = invoice_row_writes()
    payment_void(payment=payment, reason="Bounced", voided_by="test")
    assert invoice_row_writes() - before == 3


def test_a_multi_row_insert_not_adding_up_to_the_payment_is_refused(customer, invoices):
    with refused("payment_applications_match"):
        payment_id = raw_payment(customer, invoices[0], "30.00")
        raw_applications(payment_id, [(invoices[0], "10.00"), (invoices[1], "10.00")])


def test_a_balance_moved_off_and_back_in_one_transaction_is_accepted(customer, invoices):
    # The deferred check queued by the first UPDATE reads the row as the commit sees it.
    pay(customer, [(invoices[0], "30.00")])
    with refused("invoice_balance_matches_applications"):
        lower(invoices[0], "5.00")
    lower(invoices[0], "5.00")
    sql(
        "UPDATE receivables_invoice SET balance_due = balance_due + 5, status = 'partially_paid'"
        " WHERE id = %s",
        [invoices[0].pk],
    )
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("SET CONSTRAINTS ALL DEFERRED")


def test_the_guards_still_refuse_a_posted_invoices_change(customer, invoices):
    pay(customer, [(invoices[0], "30.00")])
    with refused("invoice_posted_fields_immutable"):
        sql(
            "UPDATE receivables_invoice SET total = total + 1, balance_due = balance_due + 1 WHERE id = %s",
            [invoices[0].pk],
        )
    with refused("invoice_applied_total_kept"):
        sql("UPDATE receivables_invoice SET applied_total = 0 WHERE id = %s", [invoices[0].pk])
    with refused("invoice_posted_stays_posted"):
        sql("UPDATE receivables_invoice SET status = 'draft' WHERE id = %s", [invoices[1].pk])


# The API: one pass over a well-formed list, the per-item serializers for anything else.


def _per_item(data):
    """What the applications serializer gives item by item (the path every refusal takes)."""
    field = serializers.ListSerializer(child=InvoiceApplicationInputSerializer())
    try:
        return field.run_validation(data)
    except serializers.ValidationError as error:
        return ("refused", error.detail)


def _one_pass(data):
    field = InvoiceApplicationInputSerializer(many=True)
    try:
        return field.run_validation(data)
    except serializers.ValidationError as error:
        return ("refused", error.detail)


ID = "7d1f7e0a-2c1b-4f9e-9d0a-1b2c3d4e5f60"
OTHER = "8e2a8f1b-3d2c-4a0f-8e1b-2c3d4e5f6071"


@pytest.mark.parametrize(
    "items",
    [
        [{"order_id": ID, "amount_applied": "12.50"}, {"invoice_id": OTHER, "amount_applied": 3}],
        [{"order_id": ID, "invoice_id": ID, "amount_applied": 1.5}],
        [{"order_id": ID.upper(), "amount_applied": "0.01"}],
        [{"order_id": ID.replace("-", ""), "amount_applied": "1"}],
        [],
        [{"order_id": ID, "invoice_id": OTHER, "amount_applied": "1.00"}],
        [{"amount_applied": "1.00"}],
        [{"order_id": ID}],
        [{"order_id": ID, "amount_applied": None}],
        [{"order_id": None, "amount_applied": "1.00"}],
        [{"order_id": "not-a-uuid", "amount_applied": "1.00"}],
        [{"order_id": 5, "amount_applied": "1.00"}],
        [{"order_id": ID, "amount_applied": "1.001"}],
        [{"order_id": ID, "amount_applied": "-1"}],
        [{"order_id": ID, "amount_applied": ""}],
        [{"order_id": ID, "amount_applied": True}],
        [{"order_id": ID, "amount_applied": "1.00"}, "x"],
        [[ID, "1.00"]],
    ],
)
def test_the_one_pass_reading_gives_what_the_serializers_give(items):
    assert _one_pass(items) == _per_item(items)


def test_the_response_is_what_its_serializer_renders(customer, invoices):
    payment = pay(customer, [(invoices[0], "12.5"), (invoices[1], "0.10"), (invoices[2], "75.50")])
    renderer = JSONRenderer()
    ours = json.loads(renderer.render(payment_applied_data(payment)))
    theirs = json.loads(renderer.render(PaymentAppliedSerializer(payment).data))
    assert ours == theirs
    assert [a["amount_applied"] for a in ours["applications"]] == [12.5, 0.1, 75.5]
    stored = Payment.objects.prefetch_related("applications").get(pk=payment.pk)
    stored._prefetched_objects_cache["applications"] = sorted(
        stored.applications.all(), key=lambda a: [str(i.pk) for i in invoices].index(str(a.invoice_id))
    )
    assert json.loads(renderer.render(PaymentAppliedSerializer(stored).data)) == ours


# The services: the same states, rows and instances as the ORM's.


def _refusal(check) -> tuple | None:
    try:
        check()
    except (NotFound, RuleViolation) as error:
        return type(error), error.code, error.param, error.message
    return None


@pytest.mark.parametrize(
    "case",
    ["fine", "missing", "other customer", "paid", "exceeds", "several"],
)
def test_the_database_refuses_under_the_locks_what_applications_check_refuses(
    case, customer, invoices, entity
):
    neighbour = InvoiceFactory(customer=CustomerFactory(entity=entity), amount="10.00")
    pay(customer, [(invoices[2], "75.50")])  # the third is paid
    amounts = {"exceeds": ("100.01", "1.00"), "several": ("1.00", "250.01")}.get(case, ("1.00", "1.00"))
    targets = {
        "missing": [invoices[0].pk, uuid.uuid4()],
        "other customer": [invoices[0].pk, neighbour.pk],
        "paid": [invoices[0].pk, invoices[2].pk],
        "several": [invoices[0].pk, invoices[1].pk, invoices[2].pk, uuid.uuid4()],
    }.get(case, [invoices[0].pk, invoices[1].pk])
    applied = [
        Application(index, document_id, Decimal(amounts[index] if index < 2 else "1.00"))
        for index, document_id in enumerate(targets)
    ]
    ours = _refusal(
        lambda: applications_lock_and_check(
            Invoice, applied, entity=entity, party=customer, party_field="customer", id_param="order_id"
        )
    )
    orm = list(Invoice.objects.filter(entity=entity, pk__in=targets))
    theirs = _refusal(
        lambda: applications_check(applied, orm, party=customer, party_field="customer", id_param="order_id")
    )
    assert ours == theirs
    assert (ours is None) == (case == "fine")


def test_the_invoices_are_locked_by_their_keys_not_by_the_entitys_index(customer, invoices):
    # A plan reading the entity's index read every invoice of the entity to lock the few applied to.
    InvoiceFactory.create_batch(20, customer=customer)
    ids = [invoice.pk for invoice in invoices]
    params = [ids, [Decimal("1.00")] * len(ids), ids, customer.entity_id, customer.pk]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + _refused_sql(Invoice, "customer"), params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "entity_id_" not in plan and "invoice_customer_status" not in plan, plan


def test_a_document_state_is_named_as_its_invoice(customer, invoices):
    invoice = Invoice.objects.get(pk=invoices[0].pk)
    state = DocumentState(
        invoice.pk, customer.pk, invoice.status, invoice.balance_due, invoice.number, "invoice"
    )
    assert str(state) == str(invoice)
    draft = Invoice(pk=uuid.uuid4(), status="draft", number="")
    state = DocumentState(draft.pk, customer.pk, "draft", Decimal("1.00"), "", "invoice")
    assert str(state) == str(draft)


def test_applications_come_back_in_request_order_as_stored(customer, invoices):
    payment = pay(customer, [(invoices[2], "1.00"), (invoices[0], "2.00"), (invoices[1], "3.00")])
    returned = list(payment.applications.all())
    assert [a.invoice_id for a in returned] == [invoices[2].pk, invoices[0].pk, invoices[1].pk]
    stored = {a.pk: a for a in PaymentApplication.objects.filter(payment=payment)}
    for application in returned:
        assert not application._state.adding
        assert (application.invoice_id, application.amount_applied, application.payment_id) == (
            stored[application.pk].invoice_id,
            stored[application.pk].amount_applied,
            payment.pk,
        )


def test_rows_read_by_a_built_statement_equal_the_orms(customer, entity):
    (ours,) = rows_where(Customer, "entity_id = %s AND id = %s", [entity.pk, customer.pk])
    theirs = Customer.objects.get(pk=customer.pk)
    fields = [f.attname for f in Customer._meta.concrete_fields]
    assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]
    accounts = rows_where(Account, "entity_id = %s AND code = ANY(%s)", [entity.pk, ["bank", "cash", "nope"]])
    assert sorted(a.code for a in accounts) == ["bank", "cash"]
    assert rows_where(Customer, "entity_id = %s AND id = %s", [entity.pk, uuid.uuid4()]) == []


def test_the_foreign_keys_of_a_document_and_its_rows_are_checked_before_its_number(invoices):
    # commit_checks_run runs the deferred foreign keys of the document's table and of its rows' tables too
    # (a payment's applications, an invoice's lines), so they are not left for the commit, under the entity's
    # journal counter.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text"
            " IN ('receivables_payment', 'receivables_paymentapplication')"
        )
        expected = {name for (name,) in cursor.fetchall()}
    assert set(_deferred_foreign_keys(Payment)) == expected and len(expected) == 6
    sql("SAVEPOINT fk")
    sql(
        "INSERT INTO receivables_invoiceline (invoice_id, position, description, quantity, unit_price,"
        " amount) VALUES (gen_random_uuid(), 1, 'x', 1, 1, 1)"
    )
    with pytest.raises(IntegrityError, match="foreign key"):
        commit_checks_run(Invoice)
    sql("ROLLBACK TO SAVEPOINT fk")
