"""An accountant's daily admin work in a real browser.

A void with its reason, a CSV export of a filtered list at 1366 px, apply-to-oldest on Receive payment,
the sequence list's next number, every error at its field.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from receivables.models import Invoice, Payment
from tests.browser.autocomplete import choose
from tests.browser.csp import csp_violations
from tests.numbering.factories import SequenceFactory
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.browser


def test_void_an_invoice_from_its_page_after_seeing_what_is_reversed(admin_page, screenshot, entity):
    page = admin_page
    refused = csp_violations(page)
    invoice = InvoiceFactory(customer=CustomerFactory(entity=entity, name="Fabrikam"), amount="1250.00")
    page.goto(f"{page.base_url}/admin/receivables/invoice/{invoice.pk}/change/")
    page.click("#void-link")

    # The page says what the void reverses before anything happens: the amount and the entry's lines.
    expect(page.locator(".void-preview h2")).to_contain_text("1,250.00 USD")
    reversal = page.locator(".void-reversal tbody tr")
    expect(reversal).to_have_count(2)
    expect(page.locator(".void-reversal")).to_contain_text("accounts_receivable")
    page.click(".void-submit")  # no reason yet: asked again, nothing voided
    expect(page.locator(".errorlist")).to_contain_text("Give the reason for the void.")
    invoice.refresh_from_db()
    assert invoice.status == "open"

    page.fill("#id_reason", "duplicate of an earlier invoice")
    screenshot("confirm")
    page.click(".void-submit")
    page.wait_for_url(f"**/admin/receivables/invoice/{invoice.pk}/change/")
    expect(page.locator(".messagelist .success")).to_contain_text("Voided 1 of 1 invoice.")
    expect(page.locator("#void-link")).to_have_count(0)  # a void invoice offers no second void
    invoice.refresh_from_db()
    assert (invoice.status, invoice.void_reason) == ("void", "duplicate of an earlier invoice")
    assert refused == []


def test_the_invoice_list_fits_1366_px_adds_up_and_exports_its_filtered_rows(admin_page, screenshot, entity):
    page = admin_page
    page.set_viewport_size({"width": 1366, "height": 768})
    refused = csp_violations(page)
    northwind = CustomerFactory(entity=entity, name="Northwind Traders International Holdings")
    for amount in ("1200.00", "80.50"):
        InvoiceFactory(customer=northwind, amount=amount)
    InvoiceFactory(customer=CustomerFactory(entity=entity, name="=HYPERLINK(1)"), amount="5.00")

    page.goto(f"{page.base_url}/admin/receivables/invoice/?q=Northwind")
    screenshot("list-1366")
    # Balance due and Status are on screen, not cut off or behind a scroll bar.
    for column in ("balance_due_amount", "status"):
        box = page.locator(f"th.column-{column}").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366, column
    results = page.locator("#changelist .results")
    assert results.evaluate("el => el.scrollWidth <= el.clientWidth")
    expect(page.locator("td.field-total_amount").first).to_have_css("text-align", "right")
    expect(page.locator("#list-totals")).to_contain_text("1,280.50 USD")

    with page.expect_download() as download:
        page.click("#export-csv-link")
    text = download.value.path().read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:2] == ["Number", "Customer"] and header[-1] == "Currency"
    assert sorted(row[5] for row in rows) == ["1200.00", "80.50"]  # only the filtered rows, plain amounts
    assert refused == []


def test_receive_payment_applies_the_amount_to_the_oldest_invoices_first(admin_page, screenshot, entity):
    page = admin_page
    refused = csp_violations(page)
    customer = CustomerFactory(entity=entity, name="Tailspin Toys")
    oldest, middle, newest = (
        InvoiceFactory(customer=customer, amount=amount, invoice_date=datetime.date(2026, month, 1))
        for amount, month in (("100.00", 1), ("250.00", 2), ("75.50", 3))
    )
    page.goto(f"{page.base_url}/admin/receivables/payment/receive/")
    choose(page, "#id_customer", "Tailspin")
    page.click("#show-party")

    expect(page.locator("#left-to-apply")).to_have_text("—")  # no amount: exactly what is applied
    page.click("#apply-oldest")  # no amount yet: it says so and types nothing
    expect(page.locator("#apply-hint")).to_contain_text("Enter the payment amount first")
    page.fill("#id_amount", "300.00")
    page.click("#apply-oldest")
    expect(page.locator(f"#id_apply_{oldest.pk.hex}")).to_have_value("100.00")
    expect(page.locator(f"#id_apply_{middle.pk.hex}")).to_have_value("200.00")
    expect(page.locator(f"#id_apply_{newest.pk.hex}")).to_have_value("")
    expect(page.locator("#applied-total")).to_have_text("300.00")
    expect(page.locator("#left-to-apply")).to_have_text("0.00")
    page.fill(f"#id_apply_{middle.pk.hex}", "150.00")  # the running total follows what is typed
    expect(page.locator("#applied-total")).to_have_text("250.00")
    expect(page.locator("#left-to-apply")).to_have_text("50.00")
    page.fill(f"#id_apply_{newest.pk.hex}", "50.00")
    screenshot("applied")

    page.select_option("#id_payment_method", "ach")
    page.click("#submit-payment")
    page.wait_for_url("**/admin/receivables/payment/*/change/")
    payment = Payment.objects.get()
    assert payment.amount == Decimal("300.00")
    balances = dict(Invoice.objects.values_list("pk", "balance_due"))
    assert (balances[oldest.pk], balances[middle.pk], balances[newest.pk]) == (
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("25.50"),
    )
    assert refused == []


def test_the_sequence_list_shows_the_next_number(admin_page, screenshot, entity):
    page = admin_page
    refused = csp_violations(page)
    SequenceFactory(entity=entity, name="Receipts", fixed_prefix="RC-", fixed_length=5)
    page.goto(f"{page.base_url}/admin/numbering/sequence/?q=Receipts")
    expect(page.locator("th.column-next_number")).to_contain_text("Next number")
    expect(page.locator("td.field-next_number")).to_have_text("RC-00001")
    box = page.locator("td.field-next_number").bounding_box()
    assert box is not None and box["x"] + box["width"] <= page.viewport_size["width"]
    screenshot("list")
    assert refused == []


def test_every_error_on_an_invoice_is_shown_at_its_field_in_plain_words(admin_page, screenshot, entity):
    page = admin_page
    refused = csp_violations(page)
    CustomerFactory(entity=entity, name="Contoso")
    page.goto(f"{page.base_url}/admin/receivables/invoice/add/")
    choose(page, "#id_customer", "Contoso")
    page.fill("#id_invoice_date", "1899-12-31")
    page.fill("#id_lines-0-description", "Design")
    page.fill("#id_lines-0-quantity", "0")
    page.fill("#id_lines-0-unit_price", "150.00")
    page.fill("#id_lines-1-description", "Hosting")
    page.fill("#id_lines-1-unit_price", "-5")
    page.click("input[name=_save]")

    date_error = page.locator(".field-invoice_date .errorlist")
    expect(date_error).to_contain_text("Invoice date must be between 1 January 1900")
    expect(page.locator("#lines-0 .field-quantity .errorlist")).to_have_text(
        "Quantity must be more than zero."
    )
    expect(page.locator("#lines-1 .field-unit_price .errorlist")).to_have_text(
        "Unit price cannot be negative."
    )
    said = " ".join(page.locator(".errorlist").all_inner_texts())
    assert not any(api in said for api in ("lines[", "unit_price", "invoice_date", "$0.005")), said
    screenshot("errors")
    assert not Invoice.objects.exists()
    assert refused == []
