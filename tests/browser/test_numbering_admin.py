"""An accountant creates a sequence, watches the live preview, advances the counter, reads the audit."""

import datetime

import pytest
from django.db import transaction
from playwright.sync_api import expect

from numbering.models import CounterEvent, Sequence
from numbering.services import sequence_issue_next
from tests.browser.csp import csp_violations

pytestmark = pytest.mark.browser


def test_sequence_preview_advance_and_audit(admin_page, screenshot, entity):
    page = admin_page
    refused = csp_violations(page)
    page.goto(f"{page.base_url}/admin/numbering/sequence/add/")
    page.select_option("#id_entity", str(entity.pk))
    page.fill("#id_name", "Stock transfers")
    page.fill("#id_format", "T-{yyyy}{MM}-{i4}")
    page.select_option("#id_reset", "month")
    page.fill("#preview-date", "2026-03-15")
    page.dispatch_event("#preview-date", "change")
    expect(page.locator(".preview-number").first).to_have_text("T-202603-0001")
    expect(page.locator("#preview-period")).to_contain_text("2026-03")
    expect(page.locator("#preview-error")).to_be_hidden()
    screenshot("preview")
    page.click("input[name=_continue]")
    page.wait_for_selector("#advance-counter-link")
    sequence = Sequence.objects.get(name="Stock transfers")

    page.click("#advance-counter-link")
    page.fill("#id_date", "2026-03-15")
    page.fill("#id_advance_to", "120")
    page.fill("#id_reason", "numbers used in the old system")
    page.click("#advance-submit")
    # First what the advance skips, then the confirmation that moves the counter.
    expect(page.locator("#advance-confirm")).to_contain_text("will never be issued")
    screenshot("advance-confirm")
    assert not CounterEvent.objects.filter(sequence=sequence).exists()
    page.click("#advance-submit")
    page.wait_for_selector(".messagelist .success")
    assert CounterEvent.objects.get(sequence=sequence).value_after == 120

    with transaction.atomic():
        issued = sequence_issue_next(sequence=sequence, date=datetime.date(2026, 3, 20))
    assert issued.number == "T-202603-0121"

    page.click("#audit-link")
    verdict = page.locator("#audit-verdict").inner_text()
    screenshot("audit")
    assert "No gaps" in verdict
    assert "1–120" in page.locator("#audit-table").inner_text()
    assert refused == []
