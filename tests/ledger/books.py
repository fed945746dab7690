"""Books for the report tests: dates around a report day, invoices and payments dated at will, and
one small set of books (two customers, a vendor) shared by the API and admin suites."""

import datetime
from decimal import Decimal

from django.utils import timezone

from ledger.documents.services import ApplicationInput
from receivables.services import payment_apply_to_invoices
from tests.payables.factories import VendorBillFactory, VendorFactory
from tests.receivables.factories import CustomerFactory, InvoiceFactory


# Functions, not module constants: a constant is fixed when the module is imported, and a run that
# passes midnight would then test yesterday's books against today's reports.
def today() -> datetime.date:
    """Return today's date, as the application reads it."""
    return timezone.localdate()


def report_day() -> datetime.date:
    """Return the report date of most scenarios: in the past, so voids (dated today) come after it."""
    return today() - datetime.timedelta(days=20)


def start_day() -> datetime.date:
    """Return the date the scenarios' documents are issued on unless they say otherwise."""
    return report_day() - datetime.timedelta(days=150)


def days(n: int) -> datetime.timedelta:
    """Return `n` days."""
    return datetime.timedelta(days=n)


def invoice(customer, amount, *, due: datetime.date, on: datetime.date | None = None):
    """Post an invoice of one line of `amount` dated `on` (default: start_day()), due on `due`."""
    return InvoiceFactory(customer=customer, amount=amount, invoice_date=on or start_day(), due_date=due)


def pay(customer, *pairs, on: datetime.date):
    """Apply a customer payment of (invoice, amount) pairs dated `on`."""
    total = sum(Decimal(amount) for _, amount in pairs)
    return payment_apply_to_invoices(
        entity=customer.entity,
        customer_id=customer.pk,
        payment_method="ach",
        amount=total,
        applications=[ApplicationInput(document_id=doc.pk, amount_applied=amount) for doc, amount in pairs],
        payment_date=on,
    )


def sample_books(entity) -> dict:
    """Two customers and a vendor with open, partly paid and overdue documents as of report_day().

    AR as of report_day(): Acme 20.50 current + 60.00 at 31 days; Zed 7.25 at 91 days (87.75 in all).
    AP: Northwind 300.00 at 5 days. A payment of 40.00 is dated the day before report_day().
    """
    acme, zed = CustomerFactory(entity=entity, name="Acme"), CustomerFactory(entity=entity, name="Zed")
    first = invoice(acme, "100.00", due=report_day() - days(31))
    invoice(acme, "20.50", due=report_day() + days(3))
    invoice(zed, "7.25", due=report_day() - days(91))
    pay(acme, (first, "40.00"), on=report_day() - days(1))
    vendor = VendorFactory(entity=entity, name="Northwind")
    VendorBillFactory(
        vendor=vendor, bill_date=start_day(), due_date=report_day() - days(5), total=Decimal("300.00")
    )
    return {"acme": acme, "zed": zed, "vendor": vendor}
