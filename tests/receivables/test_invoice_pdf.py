"""The printable invoice: a PDF from the API and the admin, and the admin's HTML print view
(docs/receivables.md, "Printing")."""

import contextlib
import datetime
import re
import zlib

import pytest

from receivables.printing import invoice_pdf, latin1
from receivables.services import InvoiceLineInput, invoice_create, receivables_create_demo
from tests.helpers import error_of
from tests.receivables.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    """Return the text a PDF shows: its content streams inflated, the strings of their Tj operators."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):  # else an uncompressed stream
            stream = zlib.decompress(stream)
        chunks += re.findall(rb"\((.*?)(?<!\\)\)\s*Tj", stream)
    return " ".join(chunk.decode("latin-1").replace("\\(", "(").replace("\\)", ")") for chunk in chunks)


@pytest.fixture
def invoice(customer):
    return invoice_create(
        entity=customer.entity,
        customer_id=customer.pk,
        invoice_date=datetime.date(2026, 3, 2),
        payment_terms_days=30,
        bill_to="Globex Corporation\n42 Harbour Road\nSpringfield",
        lines=[
            InvoiceLineInput(description="Consulting, March", quantity="10", unit_price="150.00"),
            InvoiceLineInput(description="Travel", unit_price="84.20"),
        ],
        notes="PO 4471",
        created_by="test",
    )


def test_the_api_answers_a_pdf_with_the_number_total_and_terms(api, invoice):
    response = api.get(f"/v1/invoices/{invoice.pk}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="invoice-{invoice.number}.pdf"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"%PDF")
    text = pdf_text(body)
    for shown in (invoice.number, "1,584.20", "Net 30 days", "2026-04-01", "Globex Corporation", "Travel"):
        assert shown in text, (shown, text)


def test_every_demo_invoice_prints(entity, api):
    """The demo books' invoices (one partly paid by the demo check) print with their number and balance."""
    for invoice in receivables_create_demo(entity=entity):
        invoice.refresh_from_db()
        response = api.get(f"/v1/invoices/{invoice.pk}/pdf")
        assert response.content.startswith(b"%PDF")
        text = pdf_text(response.content)
        assert invoice.number in text and f"USD {invoice.balance_due:,.2f}" in text


def test_the_pdf_needs_the_read_scope_and_another_entitys_invoice_is_404(invoice, make_client, other_entity):
    no_scope = make_client(invoice.entity, scopes=["purchasing:read"])
    assert error_of(no_scope.get(f"/v1/invoices/{invoice.pk}/pdf"))[:2] == (403, "insufficient_scope")
    other = make_client(other_entity, scopes=["payments:read"])
    response = other.get(f"/v1/invoices/{invoice.pk}/pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_draft_prints_marked_draft_without_a_number(customer):
    draft = invoice_create(
        entity=customer.entity,
        customer_id=customer.pk,
        invoice_date=datetime.date(2026, 3, 2),
        lines=[InvoiceLineInput(description="Audit", unit_price="500.00")],
        draft=True,
    )
    text = pdf_text(invoice_pdf(draft))
    assert "DRAFT" in text and "(draft, not numbered)" in text and "500.00" in text


def test_names_outside_latin_1_print_without_failing(entity):
    customer = CustomerFactory(entity=entity, name="Łódź Trading 東京")
    invoice = invoice_create(
        entity=entity,
        customer_id=customer.pk,
        invoice_date=datetime.date(2026, 3, 2),
        lines=[InvoiceLineInput(description="Śniadanie — “catering” €", unit_price="12.00")],
    )
    text = pdf_text(invoice_pdf(invoice, compress=False))
    assert "Lódz Trading ??" in text  # ó is Latin-1; Ł, ź and the CJK characters are not
    assert 'Sniadanie - "catering" EUR' in text
    assert latin1("café") == "café"  # Latin-1 stays as typed


def test_long_texts_and_many_lines_wrap_onto_more_pages(customer):
    invoice = invoice_create(
        entity=customer.entity,
        customer_id=customer.pk,
        invoice_date=datetime.date(2026, 3, 2),
        bill_to="x" * 1000,
        lines=[InvoiceLineInput(description="word " * 100, unit_price="1.00") for _ in range(200)],
        notes="n" * 5000,
    )
    pdf = invoice_pdf(invoice, compress=False)
    assert pdf.count(b"/Type /Page\n") > 10
    assert "200.00" in pdf_text(pdf)


def test_the_admin_print_view_and_pdf(admin_client, invoice):
    page = admin_client.get(f"/admin/receivables/invoice/{invoice.pk}/change/").content.decode()
    assert 'id="print-link"' in page and 'id="pdf-link"' in page
    printed = admin_client.get(f"/admin/receivables/invoice/{invoice.pk}/print/")
    assert printed.status_code == 200
    html = printed.content.decode()
    assert invoice.number in html and "1,584.20" in html and "42 Harbour Road" in html
    pdf = admin_client.get(f"/admin/receivables/invoice/{invoice.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert invoice.number in pdf_text(pdf.content)
