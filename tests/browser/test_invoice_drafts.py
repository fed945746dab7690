"""An accountant saves an invoice as a draft, edits and posts it, opens its print view and PDF; then meets a
closed period (docs/receivables.md, "Drafts" and "Printing"; docs/posting.md, "Closed periods")."""

import datetime

import pytest
from playwright.sync_api import expect

from erp.services.lock_date import entity_lock_date_set
from numbering.models import IssuedNumber
from receivables.models import Invoice
from tests.browser.autocomplete import choose
from tests.browser.csp import csp_violations
from tests.receivables.factories import CustomerFactory

pytestmark = pytest.mark.browser


def test_draft_then_post_then_print_and_pdf(admin_page, screenshot, entity):
    CustomerFactory(entity=entity, name="Tailspin Toys")
    page = admin_page
    refused = csp_violations(page)
    page.goto(f"{page.base_url}/admin/receivables/invoice/add/")
    choose(page, "#id_customer", "Tailspin Toys")
    page.fill("#id_invoice_date", "2026-03-02")
    page.fill("#id_payment_terms_days", "30")
    page.fill("#id_bill_to", "Tailspin Toys\n1 Runway Road\nSeattle")
    page.fill("#id_lines-0-description", "Design")
    page.fill("#id_lines-0-quantity", "2")
    page.fill("#id_lines-0-unit_price", "150.00")
    page.click("#save-draft")
    page.wait_for_selector(".messagelist .success")
    draft = Invoice.objects.get()
    assert (draft.status, draft.number, str(draft.due_date)) == ("draft", "", "2026-04-01")
    assert not IssuedNumber.objects.filter(document_type="invoice").exists()

    # The draft's page: still editable; a line is added, then it is saved and posted in one click.
    page.goto(f"{page.base_url}/admin/receivables/invoice/{draft.pk}/change/")
    expect(page.locator("#post-draft")).to_be_visible()
    page.fill("#id_lines-1-description", "Hosting")
    page.fill("#id_lines-1-quantity", "1")
    page.fill("#id_lines-1-unit_price", "49.99")
    screenshot("draft-before-post")
    page.click("#post-draft")
    expect(page.locator(".messagelist .success").first).to_contain_text("Posted as")
    posted = Invoice.objects.get()
    assert posted.status == "open" and posted.number and str(posted.total) == "349.99"

    # Its page now offers Print and PDF; the print view shows what the PDF shows.
    page.goto(f"{page.base_url}/admin/receivables/invoice/{posted.pk}/change/")
    expect(page.locator("#post-draft")).to_have_count(0)
    page.click("#print-link")
    expect(page.locator("#print-number")).to_have_text(posted.number)
    expect(page.locator("#print-balance")).to_have_text("USD 349.99")
    expect(page.locator(".bill-to")).to_contain_text("1 Runway Road")
    screenshot("print-view")
    pdf = page.request.get(f"{page.base_url}/admin/receivables/invoice/{posted.pk}/pdf/")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    assert refused == []


def test_a_closed_period_is_refused_at_the_date(admin_page, screenshot, entity):
    CustomerFactory(entity=entity, name="Tailspin Toys")
    entity_lock_date_set(entity=entity, lock_date=datetime.date(2026, 3, 31))
    page = admin_page
    page.goto(f"{page.base_url}/admin/receivables/invoice/add/")
    choose(page, "#id_customer", "Tailspin Toys")
    page.fill("#id_invoice_date", "2026-03-15")
    page.fill("#id_lines-0-description", "Design")
    page.fill("#id_lines-0-quantity", "1")
    page.fill("#id_lines-0-unit_price", "100.00")
    page.click("input[name=_save]")
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-invoice_date .errorlist")).to_contain_text("closed period")
    screenshot("period-locked")
    assert not Invoice.objects.exists()
