"""Receivables and ledger admin: every write through the services, errors next to their fields."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model

from ledger.models import JournalEntry
from receivables.admin.invoices import InvoiceAdmin
from receivables.models import Customer, Invoice, Payment
from receivables.services import ApplicationInput, invoice_create, payment_apply_to_invoices
from tests.receivables.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

RECEIVE = "/admin/receivables/payment/receive/"


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("accountant", "acc@example.com", "pw-not-used-123")
    client.force_login(user)
    return client


def lines_form(*lines) -> dict:
    data = {
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index in range(len(lines), 3):
        data[f"lines-{index}-quantity"] = "1"  # what the browser posts for an untouched extra row
    for index, (description, quantity, price) in enumerate(lines):
        data |= {
            f"lines-{index}-description": description,
            f"lines-{index}-quantity": quantity,
            f"lines-{index}-unit_price": price,
        }
    return data


def test_adding_a_customer_goes_through_the_service(admin_client, entity):
    response = admin_client.post(
        "/admin/receivables/customer/add/", {"entity": entity.pk, "name": "  Tailspin  ", "email": ""}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Customer.objects.get(entity=entity).name == "Tailspin"


def test_an_invoice_is_created_with_its_lines_in_one_service_call(admin_client, customer):
    data = {"customer": customer.pk, "invoice_date": "2026-03-02", "due_date": "", "notes": "admin"}
    response = admin_client.post(
        "/admin/receivables/invoice/add/",
        data | lines_form(("Design", "2", "150.00"), ("Hosting", "1", "49.99")),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    invoice = Invoice.objects.get()
    assert (invoice.number, invoice.total, invoice.status) == ("INV0000001", Decimal("349.99"), "open")
    assert invoice.created_by == "user:accountant"
    assert [line.description for line in invoice.lines.all()] == ["Design", "Hosting"]
    page = admin_client.get(f"/admin/receivables/invoice/{invoice.pk}/change/").content.decode()
    assert "INV0000001" in page and "Hosting" in page
    assert 'name="_save"' not in page  # a posted invoice is read-only


def test_the_service_is_called_once_and_its_refusal_is_shown_with_nothing_written(
    admin_client, customer, monkeypatch
):
    calls = []

    def counted(**kwargs):
        calls.append(kwargs)
        return invoice_create(**kwargs)

    monkeypatch.setattr(InvoiceAdmin, "create_service", staticmethod(counted))
    header = {"customer": customer.pk, "invoice_date": "2026-03-02", "due_date": "", "notes": ""}
    # The form is valid (each field is); only the service sees that the second line's amount is too large.
    refused = admin_client.post(
        "/admin/receivables/invoice/add/",
        header | lines_form(("Design", "2", "150.00"), ("Hosting", "99999999", "99999999.00")),
    )
    assert refused.status_code == 200
    assert len(calls) == 1
    lines = refused.context["inline_admin_formsets"][0].formset
    assert lines.forms[1].non_field_errors() == ["The line's amount is larger than the books accept."]
    form = refused.context["adminform"].form
    assert form.non_field_errors() == ["The invoice was not saved: see the lines below."]
    page = refused.content.decode()
    assert "larger than the books accept" in page and 'value="Hosting"' in page  # what was typed survives
    assert not Invoice.objects.exists()
    assert not JournalEntry.objects.exists()
    assert not LogEntry.objects.exists()  # the admin wrote no history for the refused add

    calls.clear()
    saved = admin_client.post(
        "/admin/receivables/invoice/add/", header | lines_form(("Design", "2", "150.00"))
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert len(calls) == 1
    invoice = Invoice.objects.get()
    assert LogEntry.objects.get().object_id == str(invoice.pk)  # history names what the service saved


@pytest.mark.parametrize(
    "header, lines, message",
    [
        ({}, [("Design", "1", "-5")], "Unit price cannot be negative."),
        (
            {"due_date": "2026-03-01"},
            [("Design", "1", "5")],
            "The due date cannot be before the invoice date.",
        ),
        ({}, [], "Enter at least one line."),
        ({}, [("Design", "1", "0")], "The total must be more than zero"),
    ],
)
def test_an_invalid_invoice_shows_the_service_error_and_creates_nothing(
    admin_client, customer, header, lines, message
):
    data = {"customer": customer.pk, "invoice_date": "2026-03-02", "due_date": "", "notes": ""} | header
    response = admin_client.post("/admin/receivables/invoice/add/", data | lines_form(*lines))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Invoice.objects.exists()


def test_receive_payment_lists_open_invoices_of_the_chosen_customer(admin_client, customer, invoices):
    InvoiceFactory(customer=customer, amount="9.00")  # another open one, paid below
    assert "Choose a customer" in admin_client.get(RECEIVE).content.decode()
    page = admin_client.get(RECEIVE, {"customer": customer.pk}).content.decode()
    for invoice in invoices:
        assert f'data-document="{invoice.number}"' in page
    assert "apply-payment-form" in page


def receive(admin_client, customer, amounts: dict, **fields):
    data = {"payment_method": "check", "payment_date": "2026-03-05", "amount": ""} | fields
    data |= {f"apply_{invoice.pk.hex}": value for invoice, value in amounts.items()}
    return admin_client.post(f"{RECEIVE}?customer={customer.pk}", data)


def test_receiving_a_payment_applies_it_through_the_service(admin_client, customer, invoices):
    response = receive(
        admin_client,
        customer,
        {invoices[0]: "100.00", invoices[1]: "50.00", invoices[2]: ""},
        check_number="77",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    payment = Payment.objects.get()
    assert response["Location"] == f"/admin/receivables/payment/{payment.pk}/change/"
    assert (payment.amount, payment.check_number, payment.created_by) == (
        Decimal("150.00"),
        "77",
        "user:accountant",
    )
    assert Invoice.objects.get(pk=invoices[0].pk).status == "paid"
    assert Invoice.objects.get(pk=invoices[1].pk).balance_due == Decimal("200.00")
    page = admin_client.get(response["Location"]).content.decode()
    assert "Received 150.00" in page and payment.journal_entry.number in page


@pytest.mark.parametrize(
    "amounts, fields, field, message",
    [
        ({0: "100.01"}, {}, 0, "exceeds the balance due"),
        ({0: "-1"}, {}, 0, "cannot be negative"),
        ({0: "10.00"}, {"amount": "12.00"}, "amount", "is not the total applied (10.00)"),
        (
            {0: "10.00"},
            {"payment_method": "ach", "check_number": "5"},
            "check_number",
            "only for check payments",
        ),
        ({}, {}, None, "at least one invoice"),
    ],
)
def test_a_refused_payment_shows_the_error_next_to_its_field(
    admin_client, customer, invoices, amounts, fields, field, message
):
    response = receive(admin_client, customer, {invoices[i]: value for i, value in amounts.items()}, **fields)
    assert response.status_code == 200
    form = response.context["form"]
    name = f"apply_{invoices[field].pk.hex}" if isinstance(field, int) else field
    errors = form.errors.get(name or "__all__")
    assert errors and message in errors[0], form.errors
    assert message in response.content.decode()
    assert not Payment.objects.exists()


def test_void_actions_go_through_the_services(admin_client, customer, invoices):
    payment = payment_apply_to_invoices(
        entity=customer.entity,
        customer_id=customer.pk,
        payment_method="cash",
        amount="10.00",
        applications=[ApplicationInput(document_id=invoices[0].pk, amount_applied="10.00")],
    )
    selected = {"action": "void_selected", "_selected_action": [str(invoices[0].pk), str(invoices[1].pk)]}
    asked = admin_client.post("/admin/receivables/invoice/", selected)
    assert "The reversing entry it posts" in asked.content.decode()
    assert Invoice.objects.filter(status="void").count() == 0
    response = admin_client.post("/admin/receivables/invoice/", selected | {"reason": "typo"}, follow=True)
    page = response.content.decode()
    assert "has payments applied" in page and "Voided 1 of 2 invoices." in page
    assert Invoice.objects.get(pk=invoices[0].pk).status == "partially_paid"
    voided = Invoice.objects.get(pk=invoices[1].pk)
    assert (voided.status, voided.void_reason, voided.voided_by) == ("void", "typo", "user:accountant")
    admin_client.post(
        "/admin/receivables/payment/",
        {"action": "void_selected", "_selected_action": [str(payment.pk)], "reason": "bounced"},
    )
    payment.refresh_from_db()
    assert (payment.status, payment.void_reason) == ("void", "bounced")
    assert Invoice.objects.get(pk=invoices[0].pk).status == "open"


def test_payments_and_journal_entries_are_read_only(admin_client, customer, invoices):
    payment = payment_apply_to_invoices(
        entity=customer.entity,
        customer_id=customer.pk,
        payment_method="wire",
        amount="5.00",
        applications=[ApplicationInput(document_id=invoices[0].pk, amount_applied="5.00")],
    )
    page = admin_client.get(f"/admin/receivables/payment/{payment.pk}/change/").content.decode()
    assert invoices[0].number in page and 'name="_save"' not in page
    assert admin_client.get(f"/admin/receivables/payment/{payment.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/receivables/payment/add/").status_code == 403
    entry = payment.journal_entry
    page = admin_client.get(f"/admin/ledger/journalentry/{entry.pk}/change/").content.decode()
    assert entry.number in page and "accounts_receivable" in page and 'name="_save"' not in page
    assert admin_client.get(f"/admin/ledger/journalentry/{entry.pk}/delete/").status_code == 403
    assert (
        'href="/admin/receivables/payment/receive/"'
        in admin_client.get("/admin/receivables/payment/").content.decode()
    )


def test_the_trial_balance_page(admin_client, entity, customer, invoices):
    assert "Trial balance" in admin_client.get("/admin/ledger/account/").content.decode()
    page = admin_client.get("/admin/ledger/account/trial-balance/", {"entity": entity.pk}).content.decode()
    assert "Debits equal credits." in page
    assert '<th style="text-align:right" id="total-debit">425.50</th>' in page
