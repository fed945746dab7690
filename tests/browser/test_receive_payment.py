"""An accountant receives one check for three invoices in a real browser."""

from decimal import Decimal

import pytest

from receivables.models import Invoice, Payment
from tests.browser.autocomplete import choose
from tests.browser.csp import csp_violations
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.browser


def test_receive_one_payment_for_three_invoices(admin_page, screenshot, entity):
    page = admin_page
    refused = csp_violations(page)
    customer = CustomerFactory(entity=entity, name="Northwind Traders")
    first, second, third = (
        InvoiceFactory(customer=customer, amount=a) for a in ("120.00", "80.00", "300.00")
    )
    CustomerFactory(entity=entity, name="Contoso")

    # From the Payments list, open "Receive payment" and pick the customer.
    page.goto(f"{page.base_url}/admin/receivables/payment/")
    page.click("#receive-payment-link")
    choose(page, "#id_customer", "Northwind Traders")
    page.click("#show-party")
    for invoice in (first, second, third):
        assert page.locator(f"tr[data-document='{invoice.number}'] .balance-due").inner_text() == str(
            invoice.total
        )
    screenshot("open-invoices")

    # First try: too much on the second invoice. The error sits on that row and nothing is written.
    page.fill(f"tr[data-document='{first.number}'] input", "120.00")
    page.fill(f"tr[data-document='{second.number}'] input", "80.01")
    page.fill(f"tr[data-document='{third.number}'] input", "100.00")
    page.select_option("#id_payment_method", "check")
    page.fill("#id_payment_date", "2026-03-05")
    page.fill("#id_check_number", "10442")
    page.click("#submit-payment")
    row_error = page.locator(f"tr[data-document='{second.number}'] .errorlist")
    assert "exceeds the balance due" in row_error.inner_text()
    screenshot("over-applied")
    assert not Payment.objects.exists()

    # Fix the amount and submit: one payment, three invoices.
    page.fill(f"tr[data-document='{second.number}'] input", "80.00")
    page.fill("#id_amount", "300.00")
    page.click("#submit-payment")
    page.wait_for_url("**/admin/receivables/payment/*/change/")
    assert "Received 300.00 from Northwind Traders, applied to 3 invoice(s)" in page.content()
    screenshot("received")

    payment = Payment.objects.get()
    assert (payment.amount, payment.check_number, payment.applications.count()) == (
        Decimal("300.00"),
        "10442",
        3,
    )
    statuses = dict(Invoice.objects.values_list("number", "status"))
    assert (statuses[first.number], statuses[second.number], statuses[third.number]) == (
        "paid",
        "paid",
        "partially_paid",
    )
    assert refused == []
