"""The admin's errors: every one at once, each at its field, in an accountant's words (erp/adminerrors.py)."""

import re

import pytest

from erp.adminerrors import plain_message
from erp.exceptions import Conflict, InvalidInput, RuleViolation
from numbering.models import Sequence
from receivables.models import Invoice
from tests.receivables.test_admin import lines_form

pytestmark = pytest.mark.django_db

ADD = "/admin/receivables/invoice/add/"
# What the API says and an accountant must never read in the admin.
API_WORDS = re.compile(r"lines\[\d+\]|unit_price|due_date|invoice_date|amount_applied|\$0\.005")


def visible_errors(response) -> list[str]:
    """Return the text of every error list on the page."""
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)


def test_every_mistake_on_an_invoice_is_reported_at_once_each_at_its_field(admin_client, customer):
    header = {"customer": customer.pk, "invoice_date": "1850-01-01", "due_date": "1849-12-31", "notes": ""}
    response = admin_client.post(
        ADD,
        header | lines_form(("Design", "0", "100.00"), ("Hosting", "1", "-5"), ("", "1", "10.123")),
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["invoice_date"][0].startswith("Invoice date must be between 1 January 1900 and ")
    assert form.errors["invoice_date"][0].endswith(" (a year from today).")
    assert form.errors["due_date"] == ["Due date must be on or after 1 January 1900."]
    rows = response.context["inline_admin_formsets"][0].formset.forms
    assert rows[0].errors["quantity"] == ["Quantity must be more than zero."]
    assert rows[1].errors["unit_price"] == ["Unit price cannot be negative."]
    assert rows[2].errors["description"] == ["This field is required."]
    assert rows[2].errors["unit_price"] == ["Ensure that there are no more than 2 decimal places."]
    errors = " ".join(visible_errors(response))
    assert not API_WORDS.search(errors), errors
    assert not Invoice.objects.exists()


def test_an_inactive_sequence_is_said_at_the_top_not_under_the_lines(admin_client, customer):
    Sequence.objects.filter(entity=customer.entity, counter_type="invoice").update(status="inactive")
    header = {"customer": customer.pk, "invoice_date": "2026-03-02", "due_date": "", "notes": ""}
    response = admin_client.post(ADD, header | lines_form(("Design", "1", "100.00")))
    assert response.status_code == 200
    form = response.context["adminform"].form
    [message] = form.non_field_errors()
    assert message.startswith("No number can be issued: the numbering sequence “")
    assert "is inactive. Activate it under Numbering › Sequences" in message
    lines = response.context["inline_admin_formsets"][0].formset
    assert not lines.non_form_errors()
    assert not any(row.errors for row in lines.forms)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("error", "label", "plain"),
    [
        (
            InvalidInput(
                "lines[0].unit_price must not be negative.",
                code="amount_negative",
                param="lines[0].unit_price",
            ),
            "Unit price",
            "Unit price cannot be negative.",
        ),
        (
            RuleViolation(
                "amount (10.00) must equal the sum of amount_applied (9.99) within $0.005.",
                code="amount_mismatch",
                param="amount",
            ),
            "Amount received",
            "The amount received (10.00) is not the total applied (9.99). Correct one of them, "
            "or leave the amount empty to receive exactly the total applied.",
        ),
        (
            RuleViolation(
                "amount_applied 80.01 exceeds the balance due 80.00 of INV0000002.",
                code="amount_exceeds_balance",
                param="applications[1].amount_applied",
            ),
            "Apply",
            "80.01 exceeds the balance due of 80.00.",
        ),
        (
            Conflict("Sequence 'Invoice' is inactive.", code="sequence_inactive", param="status"),
            None,
            "No number can be issued: the numbering sequence “Invoice” is inactive. "
            "Activate it under Numbering › Sequences, then save again.",
        ),
        (
            RuleViolation(
                "due_date cannot be before bill_date.", code="due_date_before_document_date", param="due_date"
            ),
            "Due date",
            "Due date cannot be before bill date.",
        ),
        (
            RuleViolation(
                "The books of acme are closed up to 2026-01-31.",
                code="period_locked",
                param="invoice_date",
                hint="Date it after the lock date, or ask an accountant to move the lock date.",
            ),
            "Invoice date",
            "The books of acme are closed up to 2026-01-31. "
            "Date it after the lock date, or ask an accountant to move the lock date.",
        ),
    ],
    ids=["negative", "mismatch", "over-balance", "inactive", "unknown-code", "hint"],
)
def test_a_refusal_is_said_in_an_accountants_words(error, label, plain):
    assert plain_message(error, label=label) == plain
