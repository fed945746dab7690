"""Admin lists: amounts with their currency, totals of the filtered rows, CSV export with its filters."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model

from erp.adminlists import CsvExportMixin, csv_cell
from receivables.services import invoice_void
from tests.erp.factories import EntityFactory
from tests.payables.factories import VendorBillFactory
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def download(client, url: str) -> list[list[str]]:
    """GET a CSV export and return its rows (the byte-order mark dropped)."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        (" \t=1+2", "'=1+2"),  # leading blanks are trimmed, then the formula neutralised
        ("Northwind", "Northwind"),
        (Decimal("-5.00"), Decimal("-5.00")),  # a negative amount is a number, not a formula
        (None, ""),
        (True, "yes"),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_neutralised(cell, written):
    assert csv_cell(cell) == written


def test_every_registered_list_but_the_login_log_is_exportable():
    exportable = {m.__name__ for m, a in admin.site._registry.items() if isinstance(a, CsvExportMixin)}
    assert {
        "Invoice",
        "Payment",
        "VendorBill",
        "APPayment",
        "VendorCredit",
        "Customer",
        "Vendor",
    } <= exportable
    assert {"Sequence", "IssuedNumber", "JournalEntry", "Account", "ApiKey", "Entity"} <= exportable


def test_the_invoice_export_keeps_the_lists_filters_and_columns(admin_client, entity):
    customer = CustomerFactory(entity=entity, name="=cmd|' /C calc'!A0")
    kept = InvoiceFactory(customer=customer, amount="1200.00")
    InvoiceFactory(customer=CustomerFactory(entity=entity, name="Contoso"), amount="10.00")
    listing = admin_client.get(f"/admin/receivables/invoice/?q={kept.number}")
    link = listing.context["csv_export_url"]
    assert link == f"/admin/receivables/invoice/export.csv?q={kept.number}"
    assert 'id="export-csv-link"' in listing.content.decode()

    header, *rows = download(admin_client, link)
    assert header == [
        "Number",
        "Customer",
        "Invoice date",
        "Due date",
        "Total",
        "Balance due",
        "Status",
        "Currency",
    ]  # fmt: skip  (one entity: no entity column)
    assert len(rows) == 1
    number, name, date, _due, total, balance, status, currency = rows[0]
    assert (number, name, date, total, balance, status, currency) == (
        kept.number,
        "'=cmd|' /C calc'!A0",  # the customer's name would have run as a formula
        "2026-03-02",
        "1200.00",
        "1200.00",
        "Open",
        "USD",
    )


def test_an_export_needs_the_view_permission(client, entity):
    user = get_user_model().objects.create_user("nobody", "n@example.com", "unused-password-1", is_staff=True)
    client.force_login(user)
    assert client.get("/admin/receivables/invoice/export.csv").status_code == 403


def test_amounts_show_right_aligned_with_the_currency(admin_client, customer):
    InvoiceFactory(customer=customer, amount="1234.50")
    page = admin_client.get("/admin/receivables/invoice/").content.decode()
    assert '<span class="money">1,234.50 USD</span>' in page
    assert "td.field-total_amount" in page  # the column's right alignment


def test_totals_under_the_invoice_list_add_up_the_filtered_rows_per_currency(admin_client, entity):
    euro = EntityFactory(base_currency="EUR")
    customer = CustomerFactory(entity=entity)
    first, second = (
        InvoiceFactory(customer=customer, amount="100.00"),
        InvoiceFactory(customer=customer, amount="50.25"),
    )
    voided = InvoiceFactory(customer=customer, amount="999.00")
    invoice_void(invoice=voided, reason="typo", voided_by="test")
    InvoiceFactory(customer=customer, amount="500.00", draft=True)  # owed by nobody yet
    InvoiceFactory(customer=CustomerFactory(entity=euro), amount="70.00")

    totals = admin_client.get("/admin/receivables/invoice/").context["list_totals"]
    assert totals["labels"] == ["Total", "Balance due"]
    assert [(line["rows"], line["amounts"]) for line in totals["lines"]] == [
        (1, ["70.00 EUR", "70.00 EUR"]),
        (2, ["150.25 USD", "150.25 USD"]),  # the void invoice and the draft are not counted
    ]

    filtered = admin_client.get(f"/admin/receivables/invoice/?entity__id__exact={entity.pk}&q={first.number}")
    assert [line["amounts"] for line in filtered.context["list_totals"]["lines"]] == [
        ["100.00 USD", "100.00 USD"]
    ]
    assert second.number not in filtered.content.decode()
    assert 'id="list-totals"' in filtered.content.decode()


def test_totals_under_the_bill_list(admin_client, vendor):
    VendorBillFactory(vendor=vendor, total=Decimal("80.00"))
    VendorBillFactory(vendor=vendor, total=Decimal("20.50"))
    totals = admin_client.get("/admin/payables/vendorbill/").context["list_totals"]
    assert [line["amounts"] for line in totals["lines"]] == [["100.50 USD", "100.50 USD"]]


def test_the_export_of_a_long_list_is_every_row_not_one_page(admin_client, customer):
    for _ in range(102):
        InvoiceFactory(customer=customer, amount="1.00")
    _, *rows = download(admin_client, "/admin/receivables/invoice/export.csv")
    assert len(rows) == 102  # the list shows 100 a page


def test_every_exportable_list_downloads_with_a_row_per_object(admin_client, customer, invoices, vendor):
    VendorBillFactory(vendor=vendor, total=Decimal("12.00"))
    with_rows = set()
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, CsvExportMixin):
            continue
        opts = model._meta
        header, *rows = download(admin_client, f"/admin/{opts.app_label}/{opts.model_name}/export.csv")
        assert header, model.__name__
        assert len(rows) == model.objects.count(), model.__name__
        assert all(len(row) == len(header) for row in rows), model.__name__
        with_rows |= {model.__name__} if rows else set()
    # The loop proves nothing if no list were exportable, or every file were empty.
    assert {"Customer", "Invoice", "Vendor", "VendorBill"} <= with_rows
