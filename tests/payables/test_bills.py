"""/v1/vendor-bills: create (numbered, posted), list with filters, retrieve, void (docs/payables.md)."""

import datetime
import uuid
from decimal import Decimal

import pytest

from ledger.models import JournalEntry
from payables.models import VendorBill
from payables.services import ApplicationInput, ap_payment_create
from tests.helpers import entries_for, error_of, posted_lines
from tests.payables.factories import VendorBillFactory, VendorFactory

pytestmark = pytest.mark.django_db

URL = "/v1/vendor-bills"


def body(vendor, **fields):
    return {
        "vendor_id": str(vendor.pk),
        "bill_date": "2026-03-02",
        "due_date": "2026-04-01",
        "vendor_reference": "NW-4410",
        "lines": [
            {"description": "Paper", "quantity": 40, "unit_price": "6.25"},
            {"description": "Toner", "quantity": "1.5", "unit_price": 0.25},
        ],
        **fields,
    }


def test_create_numbers_totals_and_posts_the_bill(api, entity, vendor):
    response = api.post(URL, body(vendor), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["object"] == "vendor_bill"
    assert data["number"] == "BILL0000001"
    # 40 × 6.25 = 250.00; 1.5 × 0.25 = 0.375, rounded half up to 0.38.
    assert [line["amount"] for line in data["lines"]] == ["250.00", "0.38"]
    assert (data["total"], data["balance_due"], data["status"]) == ("250.38", "250.38", "open")
    assert data["lines"][1]["quantity"] == "1.5000"
    (entry,) = entries_for("vendor_bill", data["id"])
    assert entry.date == datetime.date(2026, 3, 2)
    assert posted_lines(entry) == [
        ("expense", Decimal("250.38"), Decimal("0.00")),
        ("accounts_payable", Decimal("0.00"), Decimal("250.38")),
    ]


def test_quantity_defaults_to_one(api, vendor):
    response = api.post(
        URL, body(vendor, lines=[{"description": "Fee", "unit_price": "9.99"}]), format="json"
    )
    assert response.json()["total"] == "9.99"


def line(**fields):
    return {"description": "Item", "quantity": 1, "unit_price": "10.00", **fields}


@pytest.mark.parametrize(
    "fields, status, code, param",
    [
        ({"lines": []}, 400, "invalid_line_count", "lines"),
        ({"lines": [line()] * 201}, 400, "invalid_line_count", "lines"),
        ({"lines": [line(), line(description="  ")]}, 400, "parameter_missing", "lines[1].description"),
        ({"lines": [line(), line(quantity=0)]}, 400, "quantity_not_positive", "lines[1].quantity"),
        ({"lines": [line(quantity="0.00001")]}, 400, "too_many_decimal_places", "lines[0].quantity"),
        ({"lines": [line(unit_price="-1")]}, 400, "amount_negative", "lines[0].unit_price"),
        ({"lines": [line(unit_price="1.001")]}, 400, "too_many_decimal_places", "lines[0].unit_price"),
        ({"lines": [line(unit_price=0)]}, 422, "total_not_positive", "lines"),
        ({"due_date": "2026-03-01"}, 422, "due_date_before_document_date", "due_date"),
        ({"bill_date": "yesterday"}, 400, "parameter_invalid", "bill_date"),
        ({"lines": [line(), {"description": "No price"}]}, 400, "parameter_missing", "lines[1].unit_price"),
        ({"lines": [line(), "a line"]}, 400, "parameter_invalid", "lines[1]"),
        ({"lines": "many"}, 400, "not_a_list", "lines"),
        ({"lines": [line(description="Nul\x00")]}, 400, "parameter_invalid", "lines[0].description"),
        ({"lines": [line(description=7)]}, 400, "parameter_invalid", "lines[0].description"),
        ({"lines": [line(quantity={"n": 1})]}, 400, "parameter_invalid", "lines[0].quantity"),
        ({"vendor_id": str(uuid.uuid4())}, 404, "resource_missing", "vendor_id"),
    ],
)
def test_bad_bills_are_refused_with_code_and_param(api, vendor, fields, status, code, param):
    response = api.post(URL, body(vendor, **fields), format="json")
    assert error_of(response) == (status, code, param)
    assert not VendorBill.objects.exists()
    assert not JournalEntry.objects.exists()


def test_lines_are_required(api, vendor):
    payload = body(vendor)
    del payload["lines"]
    assert error_of(api.post(URL, payload, format="json")) == (400, "parameter_missing", "lines")


def test_another_entitys_vendor_is_not_found(api, other_entity):
    stranger = VendorFactory(entity=other_entity)
    assert error_of(api.post(URL, body(stranger), format="json")) == (404, "resource_missing", "vendor_id")


def test_list_filters_by_vendor_status_and_date_range(api, vendor, other_vendor):
    march = VendorBillFactory(vendor=vendor, bill_date=datetime.date(2026, 3, 5))
    april = VendorBillFactory(vendor=vendor, bill_date=datetime.date(2026, 4, 5))
    theirs = VendorBillFactory(vendor=other_vendor, bill_date=datetime.date(2026, 3, 6))
    api.post(f"{URL}/{april.pk}/void", {"reason": "test"}, format="json")

    def ids(**query):
        return {bill["id"] for bill in api.get(URL, query).json()["data"]}

    assert ids(vendor=vendor.pk) == {str(march.pk), str(april.pk)}
    assert ids(status="void") == {str(april.pk)}
    assert ids(bill_date_from="2026-03-01", bill_date_to="2026-03-31") == {str(march.pk), str(theirs.pk)}
    assert ids(bill_date_from="2026-04-05") == {str(april.pk)}
    assert api.get(URL).json()["object"] == "list"


def test_another_entitys_bill_is_not_found(api, other_entity):
    stranger = VendorBillFactory(vendor=VendorFactory(entity=other_entity))
    assert api.get(f"{URL}/{stranger.pk}").status_code == 404
    assert error_of(api.post(f"{URL}/{stranger.pk}/void", {"reason": "test"}, format="json")) == (
        404,
        "not_found",
        None,
    )


def test_void_with_nothing_applied_reverses_the_posting(api, vendor):
    bill = VendorBillFactory(vendor=vendor, total=Decimal("70.00"))
    response = api.post(f"{URL}/{bill.pk}/void", {"reason": "duplicate of NW-1"}, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["balance_due"], data["void_reason"]) == ("void", "0.00", "duplicate of NW-1")
    original, reversal = entries_for("vendor_bill", bill.pk)
    assert reversal.reversal_of == original
    assert posted_lines(reversal) == [
        ("expense", Decimal("0.00"), Decimal("70.00")),
        ("accounts_payable", Decimal("70.00"), Decimal("0.00")),
    ]
    assert error_of(api.post(f"{URL}/{bill.pk}/void", {"reason": "test"}, format="json")) == (
        409,
        "already_void",
        None,
    )


def test_a_bill_with_a_payment_applied_cannot_be_voided(api, entity, vendor):
    bill = VendorBillFactory(vendor=vendor)
    ap_payment_create(
        entity=entity,
        vendor_id=vendor.pk,
        method="wire",
        amount="10",
        applications=[ApplicationInput(document_id=bill.pk, amount_applied="10")],
    )
    assert error_of(api.post(f"{URL}/{bill.pk}/void", {"reason": "test"}, format="json")) == (
        422,
        "document_has_payments",
        None,
    )


def test_bills_need_the_purchasing_scope(make_client, entity, vendor):
    client = make_client(entity, scopes=["accounts:read", "accounts:write"])
    response = client.post(URL, body(vendor), format="json")
    assert (response.status_code, response.json()["error"]["required"]) == (403, "purchasing:write")
    assert client.get(URL).json()["error"]["required"] == "purchasing:read"


@pytest.mark.parametrize(
    "fields", [{}, {"draft": True}, {"vendor_reference": "«Q1» — 7"}, {"vendor_reference": ""}]
)
def test_the_created_bill_is_answered_as_it_reads_back(api, vendor, fields):
    # VendorBillViewSet renders the bill vendor_bill_create returned (created_row_complete) instead of
    # reading it back: the body must be exactly what GET /v1/vendor-bills/{id} answers for it.
    created = api.post(URL, body(vendor, **fields), format="json")
    assert created.status_code == 201, created.json()
    read = api.get(f"{URL}/{created.json()['id']}")
    assert read.status_code == 200
    assert created.json() == read.json()
