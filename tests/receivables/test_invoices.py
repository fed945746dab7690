"""Invoices: created and posted through the API, numbered from the invoice counter, listed, voided."""

import datetime
from decimal import Decimal

import pytest

from ledger import selectors
from ledger.models import JournalEntry
from receivables.models import Invoice, InvoiceLine
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

URL = "/v1/invoices"


def create(api, customer, **fields):
    body = {
        "customer_id": str(customer.pk),
        "invoice_date": "2026-03-02",
        "lines": [{"description": "Consulting", "quantity": "1.5", "unit_price": "33.33"}],
        **fields,
    }
    return api.post(URL, body, format="json")


def error(response, status: int) -> dict:
    assert response.status_code == status, response.json()
    return response.json()["error"]


def test_an_invoice_is_numbered_totalled_and_posted(api, entity, customer):
    response = create(
        api,
        customer,
        due_date="2026-04-01",
        notes="net 30",
        lines=[
            {"description": "Consulting", "quantity": "1.5", "unit_price": "33.33"},
            {"description": "Licence", "unit_price": 100},
        ],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["object"] == "invoice"
    assert body["number"] == "INV0000001"
    # 1.5 × 33.33 = 49.995, rounded half up to the cent.
    assert [(line["quantity"], line["amount"]) for line in body["lines"]] == [
        ("1.5000", "50.00"),
        ("1.0000", "100.00"),
    ]
    assert (body["total"], body["balance_due"], body["status"]) == ("150.00", "150.00", "open")
    assert (body["invoice_date"], body["due_date"], body["notes"]) == ("2026-03-02", "2026-04-01", "net 30")
    entry = JournalEntry.objects.get(pk=body["journal_entry_id"])
    assert (entry.source_type, entry.source_id, entry.date) == (
        "invoice",
        body["id"],
        datetime.date(2026, 3, 2),
    )
    assert selectors.account_balance(entity=entity, code="accounts_receivable") == Decimal("150.00")
    assert selectors.account_balance(entity=entity, code="revenue") == Decimal("-150.00")
    assert create(api, customer).json()["number"] == "INV0000002"


def test_due_date_defaults_to_the_invoice_date(api, customer):
    body = create(api, customer).json()
    assert body["due_date"] == body["invoice_date"] == "2026-03-02"


@pytest.mark.parametrize(
    "fields, status, code, param",
    [
        ({"lines": []}, 400, "invalid_line_count", "lines"),
        ({"lines": [{"description": "x", "unit_price": 1}] * 201}, 400, "invalid_line_count", "lines"),
        (
            {"lines": [{"description": "ok", "unit_price": 1}, {"unit_price": 1}]},
            400,
            "parameter_missing",
            "lines[1].description",
        ),
        (
            {"lines": [{"description": "ok", "unit_price": 1}, {"description": " ", "unit_price": 1}]},
            400,
            "parameter_missing",
            "lines[1].description",
        ),
        (
            {"lines": [{"description": "ok", "unit_price": 1}, {"description": "x", "unit_price": "-1"}]},
            400,
            "amount_negative",
            "lines[1].unit_price",
        ),
        (
            {"lines": [{"description": "x", "unit_price": "1.005"}]},
            400,
            "too_many_decimal_places",
            "lines[0].unit_price",
        ),
        (
            {"lines": [{"description": "x", "quantity": 0, "unit_price": 1}]},
            400,
            "quantity_not_positive",
            "lines[0].quantity",
        ),
        (
            {"lines": [{"description": "x", "quantity": "0.00001", "unit_price": 1}]},
            400,
            "too_many_decimal_places",
            "lines[0].quantity",
        ),
        ({"lines": [{"description": "x", "unit_price": 0}]}, 422, "total_not_positive", "lines"),
        ({"due_date": "2026-03-01"}, 422, "due_date_before_document_date", "due_date"),
        ({"invoice_date": "March 2"}, 400, "parameter_invalid", "invoice_date"),
        ({"customer_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a"}, 404, "resource_missing", "customer_id"),
    ],
)
def test_invalid_invoices_are_refused_with_code_and_param(api, customer, fields, status, code, param):
    found = error(create(api, customer, **fields), status)
    assert (found["code"], found["param"]) == (code, param)
    assert not Invoice.objects.exists()
    assert not JournalEntry.objects.filter(source_type="invoice").exists()


def test_another_entitys_customer_is_404(api, other_entity):
    found = error(create(api, CustomerFactory(entity=other_entity)), 404)
    assert (found["code"], found["param"]) == ("resource_missing", "customer_id")


def test_list_filters(api, customer):
    other = CustomerFactory(entity=customer.entity)
    march = InvoiceFactory(customer=customer, invoice_date=datetime.date(2026, 3, 2))
    april = InvoiceFactory(customer=customer, invoice_date=datetime.date(2026, 4, 9))
    theirs = InvoiceFactory(customer=other, invoice_date=datetime.date(2026, 3, 20))
    api.post(f"{URL}/{april.pk}/void", {"reason": "test"}, format="json")

    def ids(**query):
        return {invoice["id"] for invoice in api.get(URL, query).json()["data"]}

    assert ids() == {str(march.pk), str(april.pk), str(theirs.pk)}
    assert ids(customer=str(customer.pk)) == {str(march.pk), str(april.pk)}
    assert ids(status="void") == {str(april.pk)}
    assert ids(invoice_date_from="2026-03-02", invoice_date_to="2026-03-31") == {
        str(march.pk),
        str(theirs.pk),
    }
    assert ids(number=theirs.number) == {str(theirs.pk)}
    assert api.get(f"{URL}/{march.pk}").json()["lines"][0]["description"] == "Services"


def test_invoices_of_another_entity_are_invisible(api, other_entity):
    theirs = InvoiceFactory(customer=CustomerFactory(entity=other_entity))
    assert api.get(URL).json()["data"] == []
    assert error(api.get(f"{URL}/{theirs.pk}"), 404)["code"] == "not_found"
    assert (
        error(api.post(f"{URL}/{theirs.pk}/void", {"reason": "test"}, format="json"), 404)["code"]
        == "not_found"
    )


def test_voiding_an_open_invoice_posts_the_reversal(api, entity, customer):
    invoice = InvoiceFactory(customer=customer, amount="80.00")
    response = api.post(f"{URL}/{invoice.pk}/void", {"reason": "issued twice"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["balance_due"], body["void_reason"]) == ("void", "0.00", "issued twice")
    reversal = JournalEntry.objects.get(pk=body["void_journal_entry_id"])
    assert reversal.reversal_of_id == invoice.journal_entry_id
    assert selectors.account_balance(entity=entity, code="accounts_receivable") == 0
    assert selectors.account_balance(entity=entity, code="revenue") == 0
    assert (
        error(api.post(f"{URL}/{invoice.pk}/void", {"reason": "test"}, format="json"), 409)["code"]
        == "already_void"
    )


def test_an_invoice_with_a_payment_applied_cannot_be_voided(api, customer):
    invoice = InvoiceFactory(customer=customer, amount="80.00")
    api.post(
        "/v1/payments/multi-invoice-apply",
        {
            "account_id": str(customer.pk),
            "payment_method": "cash",
            "amount": "10.00",
            "applications": [{"order_id": str(invoice.pk), "amount_applied": "10.00"}],
        },
        format="json",
    )
    assert (
        error(api.post(f"{URL}/{invoice.pk}/void", {"reason": "test"}, format="json"), 422)["code"]
        == "document_has_payments"
    )
    assert Invoice.objects.get(pk=invoice.pk).status == "partially_paid"


def test_invoices_need_payments_scopes(entity, make_client, customer):
    reader = make_client(entity, scopes=["payments:read"])
    found = error(create(reader, customer), 403)
    assert found["required"] == "payments:write"
    assert make_client(entity, scopes=["accounts:read"]).get(URL).status_code == 403
    assert reader.get(URL).status_code == 200
    assert not InvoiceLine.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"payment_terms_days": 30, "bill_to": "Acme\nDock 4", "notes": "Thank you — «merci»"},
        {"draft": True, "due_date": "2026-04-01"},
        {
            "lines": [
                {"description": "A", "quantity": "3", "unit_price": "0.10"},
                {"description": "B", "quantity": "0.3333", "unit_price": "19.99"},
            ]
        },
    ],
)
def test_the_created_invoice_is_answered_as_it_reads_back(api, customer, fields):
    # InvoiceViewSet renders the invoice invoice_create returned (created_row_complete) instead of reading it
    # back: the body must be exactly what GET /v1/invoices/{id} answers for it.
    created = create(api, customer, **fields)
    assert created.status_code == 201, created.json()
    read = api.get(f"{URL}/{created.json()['id']}")
    assert read.status_code == 200
    assert created.json() == read.json()
