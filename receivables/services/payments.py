"""Payments: one payment applied to several invoices atomically (multi-invoice-apply), and void.

Everything that can be checked without locks is checked first (the inputs, the customer). Then, in one
transaction: lock the invoices in id order and check them (that they exist here, are the customer's, are
open and owe enough: judged by the database under the locks, no invoice read into Python), insert the
payment, its applications and its journal entry, and number the entry last. The database moves each
invoice's balance and status with its running total, in one write of the row, when the applications are
inserted and when the payment is voided (receivables/migrations/0010_invoice_written_once_per_payment.sql).
Customer payments carry no number of their own: the journal entry's number is their audit number.
Errors name the fields of the multi-invoice-apply request (account_id, applications[i].order_id).
"""

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from erp.exceptions import RuleViolation
from erp.models import Entity
from erp.money import money_parse
from erp.rows import prefetched, rows_insert
from erp.services.activity import activity_record
from erp.transactions import run_in_transaction
from ledger.documents import services as kit
from ledger.services import journal_entry_number, journal_entry_record
from receivables.lock_objects import invoices_for_payment, invoices_for_update, payment_for_update
from receivables.models import Customer, Payment, PaymentApplication, PaymentMethod

# "Must equal sum of applications[].amount_applied within $0.005" (docs/receivables.md). The payment
# records the sum itself, so a payment always equals its applications to the cent.
AMOUNT_TOLERANCE = Decimal("0.005")

# The account a receipt is debited to, by tender (docs/posting.md).
RECEIPT_ACCOUNTS = {
    PaymentMethod.CASH: "cash",
    PaymentMethod.CHECK: "undeposited_funds",  # deposited later, usually in a batch
    PaymentMethod.ACH: "bank",
    PaymentMethod.WIRE: "bank",
    PaymentMethod.CREDIT: "card_clearing",  # card settlements arrive later, net of fees
    PaymentMethod.EXTERNAL: "undeposited_funds",  # collected elsewhere, recorded here
}


@dataclass(frozen=True)
class _Plan:
    entity: Entity
    customer: Customer
    method: str
    amount: Decimal
    applications: list[kit.Application]
    details: kit.PaymentDetails
    created_by: str


def payment_apply_to_invoices(
    *,
    entity: Entity,
    customer_id,
    payment_method: str,
    amount,
    applications: Sequence[kit.ApplicationInput],
    payment_date: datetime.date | None = None,
    check_number: str = "",
    check_date: datetime.date | None = None,
    external_reference: str = "",
    notes: str = "",
    created_by: str = "",
) -> Payment:
    """Apply one payment to several of a customer's open invoices: all of it, or nothing."""
    kit.choice_check(payment_method, PaymentMethod.values, param="payment_method")
    applied = kit.applications_parse(applications, id_param="order_id")
    applied_total = _applied_total(amount, applied)
    details = kit.payment_details_parse(
        is_check=payment_method == PaymentMethod.CHECK,
        payment_date=payment_date,
        check_number=check_number,
        check_date=check_date,
        external_reference=external_reference,
        notes=notes,
        entity=entity,
    )
    plan = _Plan(
        entity=entity,
        customer=kit.party_of(Customer, entity=entity, party_id=customer_id, param="account_id"),
        method=payment_method,
        amount=applied_total,
        applications=applied,
        details=details,
        created_by=created_by,
    )
    return run_in_transaction(lambda: _apply(plan))


def payment_void(*, payment: Payment, reason: str, voided_by: str = "") -> Payment:
    """Void a payment: balances restored, its entry reversed; its applications stay as history."""
    reason = kit.reason_parse(reason)
    return run_in_transaction(lambda: _void(payment, reason=reason, voided_by=voided_by))


def _applied_total(amount, applied: list[kit.Application]) -> Decimal:
    """Return Σ amount_applied, which `amount` must equal within $0.005."""
    amount = money_parse(amount, param="amount", exact_cents=False)
    applied_total = kit.applications_total(applied, param="amount")
    if abs(amount - applied_total) > AMOUNT_TOLERANCE:
        raise RuleViolation(
            f"amount ({amount}) must equal the sum of amount_applied ({applied_total}) within $0.005.",
            code="amount_mismatch",
            param="amount",
        )
    return applied_total


def _apply(plan: _Plan) -> Payment:
    invoices_for_payment(entity=plan.entity, customer=plan.customer, applications=plan.applications)
    payment_id = uuid.uuid4()
    entry = journal_entry_record(
        entity=plan.entity,
        date=plan.details.payment_date,
        memo=f"Payment from {plan.customer.name} ({plan.method})"[:500],
        lines=[(RECEIPT_ACCOUNTS[plan.method], plan.amount, 0), ("accounts_receivable", 0, plan.amount)],
        source_type="payment",
        source_id=str(payment_id),
        posted_by=plan.created_by,
    )
    (payment,) = rows_insert(
        [
            Payment(
                id=payment_id,
                entity=plan.entity,
                customer=plan.customer,
                amount=plan.amount,
                payment_method=plan.method,
                status=Payment.Status.APPLIED,
                payment_date=plan.details.payment_date,
                check_number=plan.details.check_number,
                check_date=plan.details.check_date,
                external_reference=plan.details.external_reference,
                notes=plan.details.notes,
                journal_entry=entry,
                created_by=plan.created_by,
            )
        ]
    )
    # Its statement trigger moves each invoice's running total, balance and status.
    applications = kit.applications_insert(
        PaymentApplication, payment=payment, document_field="invoice", applications=plan.applications
    )
    activity_record(action="payment.created", obj=payment, changes=_created(payment, plan.applications))
    prefetched(payment, applications=applications)
    kit.commit_checks_run(Payment)  # before the journal counter's lock, not under it at commit
    journal_entry_number(entry=entry, issued_by=plan.created_by)  # last: the entity-wide journal counter
    return payment


def _created(payment: Payment, applications: list[kit.Application]) -> dict:
    """Return what a payment's activity row records: the amount, the customer and each application."""
    applied = [[str(a.document_id), str(a.amount)] for a in applications]
    return {
        "amount": [None, payment.amount],
        "customer": [None, payment.customer_id],
        "payment_method": [None, payment.payment_method],
        "applications": [None, applied],
    }


def _void(payment: Payment, *, reason: str, voided_by: str) -> Payment:
    locked = payment_for_update(payment=payment)
    kit.payment_void_check(locked)
    # The void's own UPDATE of the payment gives the invoices their balances back (receivables 0010).
    applications = kit.payment_applications_lock(locked, document_field="invoice", lock=invoices_for_update)
    prefetched(locked, applications=applications)  # before the void's number: nothing more under its lock
    kit.posted_void(
        locked,
        reason=reason,
        voided_by=voided_by,
        memo=f"Void of payment {locked.journal_entry.number}",
        status=Payment.Status.VOID,
    )
    return locked
