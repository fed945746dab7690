"""An accountant opens the home dashboard from the admin, follows it to the AR aging, drills down to a
customer's open invoices and prints their statement, in a real browser (screenshots of each page)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.csp import csp_violations
from tests.payables.factories import VendorBillFactory, VendorFactory
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.browser


def test_dashboard_aging_drill_down_and_statement(admin_page, screenshot, entity):
    today = timezone.localdate()  # read when the test runs, not when the module is imported
    acme = CustomerFactory(entity=entity, name="Acme Trading")
    for amount, age in (("1200.00", 75), ("430.50", 20), ("99.90", -10)):
        InvoiceFactory(
            customer=acme,
            amount=amount,
            invoice_date=today - datetime.timedelta(days=max(age, 0) + 30),
            due_date=today - datetime.timedelta(days=age),
        )
    InvoiceFactory(
        customer=CustomerFactory(entity=entity, name="Globex"), amount="310.00", invoice_date=today
    )
    vendor = VendorFactory(entity=entity, name="Northwind")
    VendorBillFactory(vendor=vendor, bill_date=today - datetime.timedelta(days=40), total=Decimal("640.00"))
    VendorBillFactory(
        vendor=vendor, bill_date=today, due_date=today + datetime.timedelta(days=5), total=Decimal("220.00")
    )

    page = admin_page
    refused = csp_violations(page)
    page.click("text=View site")
    page.wait_for_url(f"{page.base_url}/")
    panel = page.locator(f"#home-entity-{entity.code}")
    expect(panel.locator('[data-figure="ar-open"]')).to_have_text("2,040.40 USD")
    expect(panel.locator('[data-figure="ar-overdue"]')).to_have_text("1,630.50 USD")
    expect(panel.locator('[data-figure="ap-due-soon"]')).to_have_text("220.00 USD")
    expect(panel.locator(".home-chart svg rect.bar-ar").first).to_be_visible()
    screenshot("dashboard")

    panel.locator("text=AR aging").first.click()
    expect(page.locator("#aging-total")).to_have_text("2,040.40")
    expect(page.locator("#aging tbody tr")).to_have_count(2)
    screenshot("ar-aging")

    page.click("text=Acme Trading")
    expect(page.locator("#open-documents tbody tr")).to_have_count(3)
    expect(page.locator("#party-total")).to_have_text("1,730.40")
    screenshot("drill-down")

    page.click("#party-statement")
    expect(page.locator("#closing-balance")).to_have_text("1,730.40")
    shot = screenshot("statement")
    with page.expect_popup() as popup:
        page.click("#statement-print")
    printable = popup.value
    expect(printable.locator("#amount-due")).to_have_text("1,730.40 USD")
    printable.screenshot(
        path=str(shot.with_name(shot.name.replace("-statement.png", "-printable.png"))), full_page=True
    )
    assert refused == []
