"""A printable invoice: what the HTML print view and the PDF show, and the PDF itself (docs/receivables.md,
"Printing").

The PDF is drawn with fpdf2 (pure Python, no system packages) in the PDF core font Helvetica, which holds
Latin-1 only: a character outside it is printed as its base letter (ś → s) or a near ASCII form (Ł → L,
€ → EUR), else "?". The HTML print view shows every character as typed. A draft prints marked DRAFT,
without a number; a void invoice prints marked VOID.
"""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from fpdf import FPDF

from erp.money import money_grouped
from receivables.models import Invoice

# Near forms of letters that do not decompose into a Latin-1 base letter.
_NEAR = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Ħ": "H",
        "ħ": "h",
        "ı": "i",
        "Œ": "OE",
        "œ": "oe",
        "€": "EUR",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "•": "*",
    }
)


@dataclass(frozen=True)
class PrintedLine:
    description: str
    quantity: str
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PrintedInvoice:
    """Everything a printed invoice shows, formatted once for both the HTML view and the PDF."""

    entity_name: str
    title: str
    number: str
    marker: str
    invoice_date: str
    due_date: str
    terms: str
    bill_to: list[str]
    lines: list[PrintedLine]
    currency: str
    total: Decimal
    paid: Decimal
    balance_due: Decimal
    notes: str


def invoice_printed(invoice: Invoice) -> PrintedInvoice:
    """Return what `invoice` prints as (its lines and entity read with it)."""
    draft = invoice.status == Invoice.Status.DRAFT
    if invoice.payment_terms_days is not None:
        terms = (
            "Due on receipt" if invoice.payment_terms_days == 0 else f"Net {invoice.payment_terms_days} days"
        )
    elif invoice.due_date == invoice.invoice_date:
        terms = "Due on receipt"
    else:
        terms = f"Due by {invoice.due_date.isoformat()}"
    marker = {Invoice.Status.DRAFT: "DRAFT", Invoice.Status.VOID: "VOID"}.get(invoice.status, "")
    return PrintedInvoice(
        entity_name=invoice.entity.name,
        title="Draft invoice" if draft else "Invoice",
        number="" if draft else invoice.number,
        marker=marker,
        invoice_date=invoice.invoice_date.isoformat(),
        due_date=invoice.due_date.isoformat(),
        terms=terms,
        bill_to=(invoice.bill_to or invoice.customer.name).splitlines(),
        lines=[
            PrintedLine(
                line.description, format(line.quantity.normalize(), "f"), line.unit_price, line.amount
            )
            for line in invoice.lines.all()
        ],
        currency=invoice.entity.base_currency,
        total=invoice.total,
        paid=invoice.total - invoice.balance_due
        if invoice.status != Invoice.Status.VOID
        else Decimal("0.00"),
        balance_due=invoice.balance_due,
        notes=invoice.notes,
    )


def pdf_filename(invoice: Invoice) -> str:
    """Return the PDF's file name: its number, or "draft" (numbers hold no quote or path character)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in invoice.number)
    return f"invoice-{safe or 'draft'}.pdf"


def latin1(text: str) -> str:
    """Return `text` printable in a core PDF font: Latin-1, other letters by their base or near form."""
    out = []
    for char in str(text).translate(_NEAR):
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)
        kept = "".join(c for c in base if ord(c) < 256 and not unicodedata.combining(c))
        out.append(kept or "?")
    return "".join(out)


def invoice_pdf(invoice: Invoice, *, compress: bool = True) -> bytes:
    """Return the invoice as a one-or-more-page A4 PDF (`compress` False leaves its text readable)."""
    printed = invoice_printed(invoice)
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(latin1(f"{printed.title} {printed.number}".strip()))
    pdf.set_author(latin1(printed.entity_name))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    _header(pdf, printed)
    _lines(pdf, printed)
    _totals(pdf, printed)
    if printed.notes:
        pdf.ln(6)
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(0, 5, "Notes", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 4.5, latin1(printed.notes))
    return bytes(pdf.output())


def _header(pdf: FPDF, printed: PrintedInvoice) -> None:
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(110, 9, latin1(printed.entity_name))
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 9, printed.marker or "INVOICE", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    top = pdf.get_y()
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, "Bill to", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in printed.bill_to:
        pdf.multi_cell(100, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    below_bill_to = pdf.get_y()
    pdf.set_xy(120, top)
    facts = [
        ("Invoice number", printed.number or "(draft, not numbered)"),
        ("Invoice date", printed.invoice_date),
        ("Due date", printed.due_date),
        ("Terms", printed.terms),
    ]
    for label, value in facts:
        pdf.set_x(120)
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(32, 5, label)
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 5, latin1(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(below_bill_to, pdf.get_y()) + 8)


_COLUMNS = [("Description", 100, "L"), ("Qty", 20, "R"), ("Unit price", 30, "R"), ("Amount", 0, "R")]


def _lines(pdf: FPDF, printed: PrintedInvoice) -> None:
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(235, 235, 235)
    for label, width, align in _COLUMNS:
        pdf.cell(width, 7, label, align=align, fill=True)
    pdf.ln(7)
    pdf.set_font("Helvetica", "", 9)
    for line in printed.lines:
        text = latin1(line.description)
        height = 5 * max(1, len(pdf.multi_cell(100, 5, text, dry_run=True, output="LINES")))
        if pdf.will_page_break(height):
            pdf.add_page()
        top = pdf.get_y()
        pdf.multi_cell(100, 5, text, new_x="RIGHT", new_y="TOP")
        pdf.cell(20, 5, line.quantity, align="R")
        pdf.cell(30, 5, money_grouped(line.unit_price), align="R")
        pdf.cell(0, 5, money_grouped(line.amount), align="R")
        pdf.set_xy(pdf.l_margin, top + height)


def _totals(pdf: FPDF, printed: PrintedInvoice) -> None:
    pdf.ln(3)
    rows = [("Total", printed.total), ("Paid", printed.paid), ("Balance due", printed.balance_due)]
    for label, amount in rows:
        bold = "B" if label != "Paid" else ""
        pdf.set_x(120)
        pdf.set_font("Helvetica", bold, 10)
        pdf.cell(40, 6, label)
        pdf.cell(
            0, 6, f"{printed.currency} {money_grouped(amount)}", align="R", new_x="LMARGIN", new_y="NEXT"
        )
