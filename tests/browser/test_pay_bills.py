"""An accountant pays two bills with cash and a vendor credit through "Pay bills", in a real browser."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from payables.models import APPayment, VendorBill, VendorCredit
from tests.browser.autocomplete import choose
from tests.browser.csp import csp_violations
from tests.payables.factories import VendorBillFactory, VendorCreditFactory, VendorFactory

pytestmark = pytest.mark.browser


def test_pay_bills_with_a_vendor_credit(admin_page, screenshot, entity):
    vendor = VendorFactory(entity=entity, name="Northwind Office Supply")
    paper = VendorBillFactory(vendor=vendor, total=Decimal("250.00"), vendor_reference="NW-4410")
    desks = VendorBillFactory(vendor=vendor, total=Decimal("830.00"), vendor_reference="NW-4471")
    credit = VendorCreditFactory(vendor=vendor, amount=Decimal("120.00"), reason="Damaged frames returned")

    page = admin_page
    refused = csp_violations(page)
    page.goto(f"{page.base_url}/admin/payables/appayment/")
    page.click("#pay-bills-link")
    choose(page, "#id_vendor", "Northwind Office")
    page.click("#show-party")
    expect(page.locator("#paying-party")).to_contain_text("Northwind Office Supply")
    expect(page.locator("#open-documents tbody tr")).to_have_count(2)
    expect(page.locator(f"#credit-{credit.pk}")).to_be_visible()

    # Too little credit first: the error appears next to the credits and nothing is written.
    page.fill(f"#id_apply_{paper.pk.hex}", "250.00")
    page.fill(f"#id_apply_{desks.pk.hex}", "830.00")
    page.fill("#id_amount", "900.00")
    page.check(f"#credit-{credit.pk}")
    expect(page.locator("#summary-credit")).to_have_text("180.00")
    expect(page.locator("#summary-available")).to_have_text("120.00")
    page.click("#submit-payment")
    expect(page.locator(".errorlist").first).to_contain_text(
        "The cash (900.00) and the ticked credits (120.00) cover less than the 1080.00 applied"
    )
    screenshot("not-enough-credit")
    assert not APPayment.objects.exists()

    # The amounts and the ticked credit survive the error; cover the rest with cash.
    expect(page.locator(f"#credit-{credit.pk}")).to_be_checked()
    page.fill("#id_amount", "960.00")
    page.fill("#id_check_number", "5001")
    expect(page.locator("#summary-credit")).to_have_text("120.00")
    screenshot("ready")
    page.click("#submit-payment")
    page.wait_for_selector(".messagelist .success")
    screenshot("paid")

    payment = APPayment.objects.get()
    assert (payment.amount, payment.credit_amount, payment.total_applied) == (
        Decimal("960.00"),
        Decimal("120.00"),
        Decimal("1080.00"),
    )
    assert payment.number in page.locator(".messagelist").inner_text()
    assert set(VendorBill.objects.values_list("status", flat=True)) == {"paid"}
    credit = VendorCredit.objects.get(pk=credit.pk)
    assert (credit.remaining_amount, credit.status) == (Decimal("0.00"), "applied")

    # The vendor's page shows the credit and the payment that spent it.
    page.goto(f"{page.base_url}/admin/payables/vendor/{vendor.pk}/change/")
    history = page.locator(".credit-consumption").first
    expect(history).to_contain_text(payment.number)
    expect(history).to_contain_text("120.00")
    screenshot("credit-history")
    assert refused == []
