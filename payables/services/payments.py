"""AP payments: pay one vendor's open bills with cash and vendor credit, all or nothing; and void.

Locks are taken in one order everywhere (payables/lock_objects.py): the payment (when voiding),
then its bills, then its credits, each set in primary-key order; amounts are re-checked under the
locks, so concurrent payments spending the same credits queue instead of over-spending them.

The database moves each bill's balance and status with its running total, and each credit's remainder
and status with its own, in one write of the row, when the applications are inserted and when the
payment is voided (payables/migrations/0009_running_totals_written_once_per_payment.sql): the service
checks, locks and inserts, and moves no balance itself.
"""

import datetime
import uuid
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from erp.exceptions import InvalidInput, NotFound, RuleViolation
from erp.models import Entity
from erp.money import money_parse
from erp.rows import prefetched, rows_insert
from erp.services.activity import activity_record
from erp.transactions import run_in_transaction
from ledger.documents import services as kit
from ledger.services import journal_entry_record
from payables.lock_objects import ap_payment_for_update, vendor_bills_for_update, vendor_credits_for_update
from payables.models import (
    APPayment,
    APPaymentApplication,
    Vendor,
    VendorCredit,
    VendorCreditApplication,
)
from payables.services.postings import ap_payment_lines, vendor_credit_expiry_lines

MAX_VENDOR_CREDITS = 50
ZERO = Decimal("0.00")


def ap_payment_create(
    *,
    entity: Entity,
    vendor_id,
    method: str,
    amount,
    applications: Sequence[kit.ApplicationInput],
    vendor_credit_ids: Sequence | None = None,
    payment_date: datetime.date | None = None,
    check_number: str | None = "",
    external_reference: str | None = "",
    notes: str | None = "",
    created_by: str = "",
) -> APPayment:
    """Pay a vendor's open bills: Σ amount_applied = amount (cash) + credit spent from the listed credits.

    The credits are spent oldest first for whatever the cash does not cover. Any failure writes nothing.
    """
    vendor = kit.party_of(Vendor, entity=entity, party_id=vendor_id, param="vendor_id")
    kit.choice_check(method, APPayment.Method.values, param="method")
    amount = money_parse(amount, param="amount", positive=False)
    wanted = kit.applications_parse(applications, id_param="bill_id")
    credit_ids = _checked_credit_ids(vendor_credit_ids)
    details = kit.payment_details_parse(
        is_check=method == APPayment.Method.CHECK,
        payment_date=payment_date,
        check_number=check_number,
        external_reference=external_reference,
        notes=notes,
        entity=entity,
    )
    total = kit.applications_total(wanted)
    if amount > total:
        raise RuleViolation(
            f"amount ({amount}) is more than the {total} applied to bills.",
            code="amount_exceeds_applications",
            param="amount",
        )
    if total > amount and not credit_ids:
        raise RuleViolation(
            f"The applications total {total} but the payment is {amount}: list vendor credits to cover "
            f"the {total - amount} left.",
            code="insufficient_vendor_credit",
            param="vendor_credit_ids",
        )

    def pay() -> APPayment:
        return _pay(
            entity=entity,
            vendor=vendor,
            method=method,
            amount=amount,
            wanted=wanted,
            credit_ids=credit_ids,
            details=details,
            created_by=created_by,
        )

    return run_in_transaction(pay)


def ap_payment_void(*, payment: APPayment, reason: str, voided_by: str = "") -> APPayment:
    """Void a payment: its bills owe again, its credits can be spent again, and its entry is reversed."""
    reason = kit.reason_parse(reason)
    return run_in_transaction(lambda: _void(payment=payment, reason=reason, voided_by=voided_by))


def _pay(
    *,
    entity: Entity,
    vendor: Vendor,
    method: str,
    amount: Decimal,
    wanted: list[kit.Application],
    credit_ids: list[uuid.UUID],
    details: kit.PaymentDetails,
    created_by: str,
) -> APPayment:
    bills = vendor_bills_for_update(entity=entity, ids=[w.document_id for w in wanted])
    kit.applications_check(wanted, bills, party=vendor, party_field="vendor", id_param="bill_id")
    credits = {credit.pk: credit for credit in vendor_credits_for_update(entity=entity, ids=credit_ids)}
    # "Not expired at payment time" is judged once the locks are held, not before waiting for them.
    now = timezone.now()
    for index, credit_id in enumerate(credit_ids):
        _check_credit(credits.get(credit_id), index=index, vendor=vendor, now=now)
    total = sum((application.amount for application in wanted), ZERO)
    spend = _credit_to_spend(list(credits.values()), needed=total - amount)
    credit_amount = sum((taken for _, taken in spend), ZERO)

    payment_id = uuid.uuid4()
    entry = journal_entry_record(
        entity=entity,
        date=details.payment_date,
        memo=f"AP payment to {vendor.name}"[:500],
        lines=ap_payment_lines(method=method, amount=amount, credit_amount=credit_amount),
        source_type="ap_payment",
        source_id=str(payment_id),
        posted_by=created_by,
    )
    (payment,) = rows_insert(
        [
            APPayment(
                id=payment_id,
                entity=entity,
                vendor=vendor,
                method=method,
                amount=amount,
                credit_amount=credit_amount,
                total_applied=total,
                payment_date=details.payment_date,
                check_number=details.check_number,
                external_reference=details.external_reference,
                notes=details.notes,
                journal_entry=entry,
                created_by=created_by,
            )
        ]
    )
    applications = kit.applications_insert(
        APPaymentApplication, payment=payment, document_field="bill", applications=wanted
    )
    bill_field, bills_by_id = APPaymentApplication._meta.get_field("bill"), {bill.pk: bill for bill in bills}
    for application in applications:
        bill_field.set_cached_value(application, bills_by_id[application.bill_id])
    credit_applications = VendorCreditApplication.objects.bulk_create(
        [
            VendorCreditApplication(payment=payment, vendor_credit=credit, position=position, amount=taken)
            for position, (credit, taken) in enumerate(spend)
        ]
    )
    # The two INSERTs' statement triggers move each bill's total, balance and status and each credit's total,
    # remainder and status.
    activity_record(
        action="ap_payment.created",
        obj=payment,
        changes={
            "amount": [None, amount],
            "credit_amount": [None, credit_amount],
            "vendor": [None, vendor.pk],
            "bills": [None, [[str(w.document_id), str(w.amount)] for w in wanted]],
            "credits": [None, [[str(credit.pk), str(taken)] for credit, taken in spend]],
        },
    )
    # What the payment applied and spent, in position order, as ap_payments_for_entity would prefetch it;
    # before the numbers, so that nothing more runs under their locks.
    prefetched(payment, applications=applications, credit_applications=credit_applications)
    kit.number_last(
        document=payment,
        entry=entry,
        counter_type="ap_payment",
        date=details.payment_date,
        issued_by=created_by,
    )
    return payment


def _void(*, payment: APPayment, reason: str, voided_by: str) -> APPayment:
    locked = ap_payment_for_update(payment=payment)
    kit.payment_void_check(locked)
    # The void's own UPDATE of the payment gives the bills (and credits) back (payables 0009).
    kit.payment_applications_lock(locked, document_field="bill", lock=vendor_bills_for_update)
    spent = list(locked.credit_applications.all())
    credits = {
        credit.pk: credit
        for credit in vendor_credits_for_update(entity=locked.entity, ids=[s.vendor_credit_id for s in spent])
    }
    today = max(timezone.localdate(), locked.journal_entry.date)
    expiries = []
    for consumption in spent:
        credit = credits[consumption.vendor_credit_id]
        if credit.status == VendorCredit.Status.EXPIRED:
            # Its remainder was written off at expiry; what comes back is written off the same way (the
            # database adds it to the credit's expired_amount).
            expiries.append(
                journal_entry_record(
                    entity=locked.entity,
                    date=today,
                    memo=f"Expiry of vendor credit {credit} (restored by the void of {locked})",
                    lines=vendor_credit_expiry_lines(amount=consumption.amount),
                    source_type="vendor_credit_expiry",
                    source_id=str(credit.pk),
                    posted_by=voided_by,
                )
            )
    return kit.posted_void(
        locked,
        reason=reason,
        voided_by=voided_by,
        memo=f"Void of AP payment {locked}",
        entries=expiries,
        status=APPayment.Status.VOID,
    )


def _checked_credit_ids(credit_ids) -> list[uuid.UUID]:
    if credit_ids is None:
        return []
    if not isinstance(credit_ids, list | tuple):
        raise InvalidInput(
            "vendor_credit_ids must be a list.", code="parameter_invalid", param="vendor_credit_ids"
        )
    if len(credit_ids) > MAX_VENDOR_CREDITS:
        raise InvalidInput(
            f"A payment lists at most {MAX_VENDOR_CREDITS} vendor credits.",
            code="too_many_vendor_credits",
            param="vendor_credit_ids",
        )
    checked = []
    for index, value in enumerate(credit_ids):
        credit_id = kit.uuid_parse(value, param=f"vendor_credit_ids[{index}]")
        if credit_id in checked:
            raise RuleViolation(
                "A vendor credit appears twice.",
                code="duplicate_vendor_credit",
                param=f"vendor_credit_ids[{index}]",
            )
        checked.append(credit_id)
    return checked


def _check_credit(credit: VendorCredit | None, *, index: int, vendor: Vendor, now: datetime.datetime) -> None:
    param = f"vendor_credit_ids[{index}]"
    if credit is None:
        raise NotFound("No such vendor credit in this entity.", code="resource_missing", param=param)
    if credit.vendor_id != vendor.pk:
        raise RuleViolation(
            f"Vendor credit {credit} belongs to another vendor.", code="party_mismatch", param=param
        )
    if credit.status == VendorCredit.Status.VOIDED:
        raise RuleViolation(f"Vendor credit {credit} is voided.", code="vendor_credit_voided", param=param)
    if credit.status == VendorCredit.Status.EXPIRED or (
        credit.expires_at is not None and credit.expires_at <= now
    ):
        raise RuleViolation(f"Vendor credit {credit} has expired.", code="vendor_credit_expired", param=param)
    # A credit used up (status applied) stays acceptable: it simply adds nothing to what the listed
    # credits hold, which is what a payment racing another one for the same credits should see.


def _credit_to_spend(credits: list[VendorCredit], *, needed: Decimal) -> list[tuple[VendorCredit, Decimal]]:
    """Return (credit, amount) to spend, oldest credit first, or refuse when they hold too little."""
    available = sum((credit.remaining_amount for credit in credits), ZERO)
    if needed > available:
        raise RuleViolation(
            f"The listed vendor credits have {available} left; this payment needs {needed}.",
            code="insufficient_vendor_credit",
            param="vendor_credit_ids",
        )
    spend = []
    for credit in sorted(credits, key=lambda c: (c.created_at, c.pk)):
        if needed <= 0:
            break
        taken = min(needed, credit.remaining_amount)
        if taken > 0:
            spend.append((credit, taken))
            needed -= taken
    return spend
