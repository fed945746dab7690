"""Payments: one payment applied to several invoices atomically (the Arcus multi-invoice-apply), and void.

Everything that can be checked without locks is checked first. Then, in one transaction: lock the
invoices in id order, re-check what may have changed (status, balance), insert the payment, its
applications and its journal entry, reduce the balances in one UPDATE, and number the entry last.
Customer payments carry no number of their own: the journal entry's number is their audit number.
Errors name the fields of the multi-invoice-apply contract (account_id, applications[i].order_id).
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from erp.exceptions import Conflict, InvalidInput, NotFound, RuleViolation
from erp.models import Entity
from erp.money import MAX_AMOUNT, money_parse
from erp.transactions import run_in_transaction
from ledger.services import journal_entry_number, journal_entry_record, journal_entry_record_reversal
from receivables.lock_objects import invoices_for_update, payment_for_update
from receivables.models import Customer, Invoice, Payment, PaymentApplication, PaymentMethod

MAX_APPLICATIONS = 50
# The seed: "Must equal sum of applications[].amount_applied within $0.005". The payment records the
# sum itself, so a payment always equals its applications to the cent.
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
APPLICABLE_STATUSES = (Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID)
_TEXT_LIMITS = {"check_number": 50, "external_reference": 200, "notes": 5000, "created_by": 100}

_REDUCE_BALANCES_SQL = """
UPDATE receivables_invoice AS i
   SET balance_due = i.balance_due - a.amount,
       status = CASE WHEN i.balance_due - a.amount = 0 THEN 'paid' ELSE 'partially_paid' END,
       updated_at = %s
  FROM unnest(%s::uuid[], %s::numeric[]) AS a(id, amount)
 WHERE i.id = a.id
"""
_RESTORE_BALANCES_SQL = """
UPDATE receivables_invoice AS i
   SET balance_due = i.balance_due + a.amount,
       status = CASE WHEN i.balance_due + a.amount = i.total THEN 'open' ELSE 'partially_paid' END,
       updated_at = %s
  FROM unnest(%s::uuid[], %s::numeric[]) AS a(id, amount)
 WHERE i.id = a.id
"""


@dataclass(frozen=True)
class ApplicationInput:
    """The part of a payment a caller applies to one invoice."""

    invoice_id: uuid.UUID | str
    amount_applied: Decimal | str | int | float


@dataclass(frozen=True)
class _Plan:
    entity: Entity
    customer: Customer
    method: str
    amount: Decimal
    applications: list[tuple[uuid.UUID, Decimal]]
    payment_date: datetime.date
    check_number: str
    check_date: datetime.date | None
    external_reference: str
    notes: str
    created_by: str


def payment_apply_to_invoices(
    *,
    entity: Entity,
    customer_id,
    payment_method: str,
    amount,
    applications: list[ApplicationInput],
    payment_date: datetime.date | None = None,
    check_number: str = "",
    check_date: datetime.date | None = None,
    external_reference: str = "",
    notes: str = "",
    created_by: str = "",
) -> Payment:
    """Apply one payment to several of a customer's open invoices: all of it, or nothing."""
    plan = _plan(
        entity=entity,
        customer_id=customer_id,
        method=payment_method,
        amount=amount,
        applications=applications,
        payment_date=payment_date,
        check_number=check_number,
        check_date=check_date,
        external_reference=external_reference,
        notes=notes,
        created_by=created_by,
    )
    _check_invoices(plan, _invoice_states(plan, lock=False))  # fail fast, before any lock
    return run_in_transaction(lambda: _apply(plan))


def payment_void(*, payment: Payment, reason: str = "", voided_by: str = "") -> Payment:
    """Void a payment: balances restored, its entry reversed; its applications stay as history."""
    if not isinstance(reason, str) or len(reason) > 500:
        raise InvalidInput("reason must be at most 500 characters.", code="reason_too_long", param="reason")
    _check_text(created_by=voided_by)
    return run_in_transaction(lambda: _void(payment, reason=reason.strip(), voided_by=voided_by))


def _plan(*, entity, customer_id, method, amount, applications, payment_date, **text) -> _Plan:
    if method not in PaymentMethod.values:
        raise InvalidInput(
            f"payment_method must be one of {', '.join(PaymentMethod.values)}.",
            code="invalid_payment_method",
            param="payment_method",
        )
    if not isinstance(applications, list | tuple) or not 1 <= len(applications) <= MAX_APPLICATIONS:
        raise InvalidInput(
            f"applications must list 1–{MAX_APPLICATIONS} invoices.",
            code="invalid_application_count",
            param="applications",
        )
    applied: list[tuple[uuid.UUID, Decimal]] = []
    seen: set[uuid.UUID] = set()
    for index, application in enumerate(applications):
        try:
            invoice_id = uuid.UUID(str(application.invoice_id))
        except ValueError:
            raise InvalidInput(
                "order_id must be an invoice id.",
                code="parameter_invalid",
                param=f"applications[{index}].order_id",
            ) from None
        value = money_parse(application.amount_applied, param=f"applications[{index}].amount_applied")
        if invoice_id in seen:
            raise RuleViolation(
                "An invoice may appear only once in a payment.",
                code="duplicate_invoice",
                param=f"applications[{index}].order_id",
            )
        seen.add(invoice_id)
        applied.append((invoice_id, value))
    amount = money_parse(amount, param="amount", exact_cents=False)
    applied_total = sum((value for _, value in applied), Decimal("0.00"))
    if applied_total > MAX_AMOUNT:
        raise InvalidInput(f"amount must be at most {MAX_AMOUNT}.", code="amount_too_large", param="amount")
    if abs(amount - applied_total) > AMOUNT_TOLERANCE:
        raise RuleViolation(
            f"amount ({amount}) must equal the sum of amount_applied ({applied_total}) within $0.005.",
            code="amount_mismatch",
            param="amount",
        )
    payment_date = timezone.localdate() if payment_date is None else payment_date
    for name, value in (("payment_date", payment_date), ("check_date", text["check_date"])):
        if value is not None and (
            not isinstance(value, datetime.date) or isinstance(value, datetime.datetime)
        ):
            raise InvalidInput(f"{name} must be a date.", code="parameter_invalid", param=name)
    text["check_number"] = text["check_number"] or ""
    _check_text(**{name: text[name] for name in _TEXT_LIMITS})
    if method != PaymentMethod.CHECK:
        for name in ("check_number", "check_date"):
            if text[name]:
                raise InvalidInput(
                    f"{name} is only for payment_method=check.", code="check_fields_not_allowed", param=name
                )
    return _Plan(
        entity=entity,
        customer=_customer_of(entity, customer_id),
        method=method,
        amount=applied_total,
        applications=applied,
        payment_date=payment_date,
        check_number=text["check_number"].strip(),
        check_date=text["check_date"],
        external_reference=text["external_reference"].strip(),
        notes=text["notes"],
        created_by=text["created_by"],
    )


def _invoice_states(plan: _Plan, *, lock: bool) -> dict[uuid.UUID, tuple]:
    """Return {invoice id: (customer id, status, balance due)} for the plan's invoices of its entity."""
    ids = [invoice_id for invoice_id, _ in plan.applications]
    if lock:
        invoices = invoices_for_update(entity=plan.entity, ids=ids)
    else:
        invoices = Invoice.objects.filter(entity=plan.entity, pk__in=ids)
    return {row[0]: row[1:] for row in invoices.values_list("id", "customer_id", "status", "balance_due")}


def _check_invoices(plan: _Plan, states: dict[uuid.UUID, tuple]) -> None:
    for index, (invoice_id, value) in enumerate(plan.applications):
        state = states.get(invoice_id)
        # Another customer's or another entity's invoice is as missing as one that never existed.
        if state is None or state[0] != plan.customer.pk:
            raise NotFound(
                "This customer has no such invoice.",
                code="resource_missing",
                param=f"applications[{index}].order_id",
            )
        _, status, balance_due = state
        if status not in APPLICABLE_STATUSES:
            raise RuleViolation(
                f"The invoice is {status}; payments apply only to open or partially paid invoices.",
                code="invoice_not_open",
                param=f"applications[{index}].order_id",
            )
        if value > balance_due:
            raise RuleViolation(
                f"amount_applied {value} exceeds the invoice's balance due {balance_due}.",
                code="amount_exceeds_balance",
                param=f"applications[{index}].amount_applied",
            )


def _apply(plan: _Plan) -> Payment:
    _check_invoices(plan, _invoice_states(plan, lock=True))
    payment_id = uuid.uuid4()
    entry = journal_entry_record(
        entity=plan.entity,
        date=plan.payment_date,
        memo=f"Payment from {plan.customer.name} ({plan.method})"[:500],
        lines=[(RECEIPT_ACCOUNTS[plan.method], plan.amount, 0), ("accounts_receivable", 0, plan.amount)],
        source_type="payment",
        source_id=str(payment_id),
        posted_by=plan.created_by,
    )
    payment = Payment.objects.create(
        id=payment_id,
        entity=plan.entity,
        customer=plan.customer,
        amount=plan.amount,
        payment_method=plan.method,
        status=Payment.Status.APPLIED,
        payment_date=plan.payment_date,
        check_number=plan.check_number,
        check_date=plan.check_date,
        external_reference=plan.external_reference,
        notes=plan.notes,
        journal_entry=entry,
        created_by=plan.created_by,
    )
    applications = PaymentApplication.objects.bulk_create(
        [
            PaymentApplication(payment=payment, invoice_id=invoice_id, amount_applied=value)
            for invoice_id, value in plan.applications
        ]
    )
    _shift_balances(_REDUCE_BALANCES_SQL, plan.applications)
    journal_entry_number(entry=entry, issued_by=plan.created_by)  # last: the entity-wide journal counter
    payment._prefetched_objects_cache = {"applications": applications}
    return payment


def _void(payment: Payment, *, reason: str, voided_by: str) -> Payment:
    locked = payment_for_update(payment=payment)
    if locked.status == Payment.Status.VOID:
        raise Conflict("This payment is already void.", code="payment_already_void")
    applications = list(locked.applications.all())
    shifts = [(application.invoice_id, application.amount_applied) for application in applications]
    # The same id order as every payment: a void and a payment on the same invoices cannot deadlock.
    list(invoices_for_update(entity=locked.entity, ids=[invoice_id for invoice_id, _ in shifts]))
    now = timezone.now()
    reversal = journal_entry_record_reversal(
        entry=locked.journal_entry,
        date=max(timezone.localdate(), locked.payment_date),
        memo=f"Void of payment {locked.journal_entry.number}",
        posted_by=voided_by,
    )
    _shift_balances(_RESTORE_BALANCES_SQL, shifts)
    Payment.objects.filter(pk=locked.pk).update(
        status=Payment.Status.VOID,
        void_journal_entry=reversal,
        void_reason=reason,
        voided_at=now,
        voided_by=voided_by,
    )
    journal_entry_number(entry=reversal, issued_by=voided_by)
    locked.status = Payment.Status.VOID
    locked.void_journal_entry = reversal
    locked.void_reason, locked.voided_at, locked.voided_by = reason, now, voided_by
    locked._prefetched_objects_cache = {"applications": applications}
    return locked


def _shift_balances(sql: str, shifts: list[tuple[uuid.UUID, Decimal]]) -> None:
    """Move every invoice's balance (and the status that follows from it) in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), [i for i, _ in shifts], [v for _, v in shifts]])
        if cursor.rowcount != len(shifts):
            raise AssertionError(f"{cursor.rowcount} of {len(shifts)} invoice balances moved")


def _customer_of(entity: Entity, customer_id) -> Customer:
    try:
        customer_id = uuid.UUID(str(customer_id))
    except ValueError:
        raise InvalidInput(
            "account_id must be a customer id.", code="parameter_invalid", param="account_id"
        ) from None
    customer = Customer.objects.filter(entity=entity, pk=customer_id).first()
    if customer is None:
        raise NotFound("No such customer account.", code="resource_missing", param="account_id")
    return customer


def _check_text(**text) -> None:
    for name, value in text.items():
        if not isinstance(value, str) or len(value) > _TEXT_LIMITS[name]:
            raise InvalidInput(
                f"{name} must be text of at most {_TEXT_LIMITS[name]} characters.",
                code=f"invalid_{name}",
                param=name,
            )
