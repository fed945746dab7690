"""An accountant adds an invoice, sees the service refuse a line, then voids the invoice with a reason."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from playwright.sync_api import expect

from ledger.models import JournalEntry
from receivables.models import Invoice
from tests.browser.autocomplete import choose
from tests.browser.csp import csp_violations
from tests.receivables.factories import CustomerFactory

pytestmark = pytest.mark.browser


def test_add_an_invoice_see_a_refused_line_then_void_it(admin_page, screenshot, entity):
    CustomerFactory(entity=entity, name="Tailspin Toys")
    page = admin_page
    refused = csp_violations(page)
    page.goto(f"{page.base_url}/admin/receivables/invoice/add/")
    choose(page, "#id_customer", "Tailspin Toys")
    page.fill("#id_invoice_date", "2026-03-02")
    page.fill("#id_lines-0-description", "Design")
    page.fill("#id_lines-0-quantity", "2")
    page.fill("#id_lines-0-unit_price", "150.00")
    page.fill("#id_lines-1-description", "Hosting")
    page.fill("#id_lines-1-quantity", "1")
    page.fill("#id_lines-1-unit_price", "-5")

    # The second line's price is refused (by the services' own rule, checked on the form): the page
    # comes back with the error on that line, in plain words, and everything typed; nothing is written.
    page.click("input[name=_save]")
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("#lines-1 .errorlist")).to_have_text("Unit price cannot be negative.")
    expect(page.locator("#id_lines-0-description")).to_have_value("Design")
    screenshot("refused-line")
    assert not Invoice.objects.exists()
    assert not JournalEntry.objects.exists()
    assert not LogEntry.objects.exists()

    page.fill("#id_lines-1-unit_price", "49.99")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    invoice = Invoice.objects.get()
    assert (invoice.total, invoice.created_by) == (Decimal("349.99"), "user:accountant")

    # Void it from the list: the action asks for the reason first.
    page.goto(f"{page.base_url}/admin/receivables/invoice/")
    page.check(f"input[name=_selected_action][value='{invoice.pk}']")
    page.select_option("select[name=action]", "void_selected")
    page.click("button[name=index]")
    expect(page.locator("#void-rows")).to_contain_text(invoice.number)
    page.fill("#id_reason", "sent to the wrong customer")
    screenshot("void-reason")
    page.click("#void-form input[type=submit]")
    expect(page.locator(".messagelist .success")).to_contain_text("Voided 1 of 1 invoice.")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.void_reason) == ("void", "sent to the wrong customer")
    assert refused == []
