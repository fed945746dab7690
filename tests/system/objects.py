"""One real object per API model, created through the services, for the isolation matrix."""

import datetime
from collections.abc import Callable

from django.db import transaction

from erp.models import Activity
from ledger.documents.services import ApplicationInput, LineInput
from ledger.models import Account
from numbering.services import sequence_create, sequence_issue_next
from payables.services import ap_payment_create, vendor_bill_create, vendor_create, vendor_credit_issue
from receivables.services import customer_create, invoice_create, payment_apply_to_invoices

_MAKERS: dict[str, Callable] = {}


def maker(label: str):
    """Register the function that creates an object of `app_label.ModelName` for an entity."""

    def register(function):
        _MAKERS[label] = function
        return function

    return register


def object_for(model, *, entity):
    """Create an object of `model` owned by `entity`; fail if no maker is registered for it."""
    label = f"{model._meta.app_label}.{model.__name__}"
    if label not in _MAKERS:
        raise AssertionError(f"tests/system/objects.py has no maker for {label}: add one")
    return _MAKERS[label](entity)


@maker("numbering.Sequence")
def _sequence(entity):
    return sequence_create(entity=entity, name="Matrix", format="MX-{i4}", reset="never")


@maker("numbering.IssuedNumber")
def _issued_number(entity):
    with transaction.atomic():
        return sequence_issue_next(sequence=_sequence(entity), document_type="matrix")


@maker("payables.Vendor")
def _vendor(entity):
    return vendor_create(entity=entity, name="Matrix vendor")


@maker("payables.VendorBill")
def _vendor_bill(entity):
    return vendor_bill_create(
        entity=entity,
        vendor_id=_vendor(entity).pk,
        bill_date=datetime.date(2026, 3, 2),
        lines=[LineInput(description="Matrix", unit_price="10.00")],
    )


@maker("payables.VendorCredit")
def _vendor_credit(entity):
    credit, _ = vendor_credit_issue(
        entity=entity, vendor_id=_vendor(entity).pk, amount="5.00", expires_at=None
    )
    return credit


@maker("payables.APPayment")
def _ap_payment(entity):
    bill = _vendor_bill(entity)
    return ap_payment_create(
        entity=entity,
        vendor_id=bill.vendor_id,
        method="ach",
        amount="10.00",
        applications=[ApplicationInput(document_id=bill.pk, amount_applied="10.00")],
    )


@maker("receivables.Customer")
def _customer(entity):
    return customer_create(entity=entity, name="Matrix customer")


@maker("receivables.Invoice")
def _invoice(entity):
    return invoice_create(
        entity=entity,
        customer_id=_customer(entity).pk,
        invoice_date=datetime.date(2026, 3, 2),
        lines=[LineInput(description="Matrix", unit_price="40.00")],
    )


@maker("receivables.Payment")
def _payment(entity):
    invoice = _invoice(entity)
    return payment_apply_to_invoices(
        entity=entity,
        customer_id=invoice.customer_id,
        payment_method="ach",
        amount="40.00",
        applications=[ApplicationInput(document_id=invoice.pk, amount_applied="40.00")],
    )


@maker("ledger.Account")
def _account(entity):
    return Account.objects.filter(entity=entity).first()


@maker("ledger.JournalEntry")
def _journal_entry(entity):
    return _invoice(entity).journal_entry


@maker("erp.Activity")
def _activity(entity):
    customer = _customer(entity)
    return Activity.objects.get(entity=entity, object_type="customer", object_id=str(customer.pk))
